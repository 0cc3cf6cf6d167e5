"""Bad input and faults (issue 17): every refusal names the argument or path, nothing is
clamped or skipped silently, and nothing the caller passes in or shares is changed.

Each case asserts the error type (TypeError for a wrong type, ValueError for a value out
of range, the data errors for files) and the words of the message a student needs.
"""

import importlib
import os
import warnings

import pytest
import torch
from torch import nn

import book_utils as d2l
from book_utils import data as data_mod
from book_utils.teaching import diagrams
from book_utils.widgets import conv_geometry as G
from book_utils.widgets import (
    conv_shape_explorer,
    conv_shapes,
    dashboard,
    kernel_designer,
    pooling,
    pooling_explorer,
    training_dashboard,
)
from book_utils.widgets import pooling_maths as P

kd_mod = importlib.import_module('book_utils.widgets.kernel_designer')  # the name is the function


def _refused(call, err, words):
    with pytest.raises(err) as info:
        call()
    for word in words:
        assert word in str(info.value), (word, str(info.value))
    return info.value


# -- principle 1: widget arguments are refused, never clamped, and nothing is drawn ---------------


@pytest.fixture
def drawings(monkeypatch):
    """Counts the figures the widgets render (every widget draws through its module's png_of)."""
    count = []
    for module in (kd_mod, conv_shapes, pooling, dashboard):
        real = module.png_of
        monkeypatch.setattr(
            module,
            'png_of',
            lambda fig, *a, _real=real, **k: count.append(1) or _real(fig, *a, **k),
        )
    return count


@pytest.mark.parametrize(
    'make,err,words',
    [
        # the four examples of the issue
        (lambda: kernel_designer(index=250), ValueError, ['index', 'between 0 and 199', '250']),
        (
            lambda: conv_shape_explorer(in_size=100),
            ValueError,
            ['in_size', 'between 1 and 32', '100'],
        ),
        (
            lambda: training_dashboard(lr=100, threaded=False),
            ValueError,
            ['lr', '0.001 and 10', '100'],
        ),
        (
            lambda: training_dashboard(epochs=100, threaded=False),
            ValueError,
            ['epochs', 'between 1 and 30', '100'],
        ),
        # the rest of the widget arguments
        (lambda: kernel_designer(index=-1), ValueError, ['index', '-1']),
        (lambda: kernel_designer(index=2.0), TypeError, ['index', 'int']),
        (lambda: kernel_designer(normalise='yes'), TypeError, ['normalise', 'True or False']),
        (lambda: kernel_designer(label='boot'), ValueError, ['label', 'ankle boot']),
        (lambda: kernel_designer(size=4), ValueError, ['size must be one of 3, 5', '4']),
        (
            lambda: conv_shape_explorer(kernel_size=13, in_size=20),
            ValueError,
            ['kernel_size', 'between 1 and 11'],
        ),
        (lambda: conv_shape_explorer(stride=2.0), TypeError, ['stride', '(height, width) pair']),
        (lambda: conv_shape_explorer(padding=(0, 11)), ValueError, ['padding', 'between 0 and 10']),
        (lambda: conv_shape_explorer(dilation=6), ValueError, ['dilation', 'between 1 and 5']),
        (lambda: conv_shape_explorer(in_channels=1000), ValueError, ['in_channels', '512', '1000']),
        (lambda: conv_shape_explorer(padding='full'), ValueError, ['padding', "'same'", "'valid'"]),
        (lambda: conv_shape_explorer(kernel=3), TypeError, ['kernel', 'kernel_size']),
        (
            lambda: pooling_explorer(kernel_size=9, matrix_size=10),
            ValueError,
            ['kernel_size', 'between 1 and 6'],
        ),
        (lambda: pooling_explorer(matrix_size=20), ValueError, ['matrix_size', 'between 1 and 10']),
        (lambda: pooling_explorer(seed=-5), ValueError, ['seed', 'between 0 and 10000']),
        (lambda: pooling_explorer(ceil_mode='no'), TypeError, ['ceil_mode', 'True or False']),
        (lambda: pooling_explorer(stride=7), ValueError, ['stride', 'between 1 and 6']),
        (lambda: pooling_explorer(label=3), ValueError, ['label', 'sneaker']),
        (
            lambda: training_dashboard(batch_size=100, threaded=False),
            ValueError,
            ['batch_size', '32, 64, 128, 256, 512', '100'],
        ),
        (lambda: training_dashboard(seed=-1, threaded=False), ValueError, ['seed', '-1']),
        (
            lambda: training_dashboard(init='no', threaded=False),
            TypeError,
            ['init', 'True or False'],
        ),
        (lambda: training_dashboard(lr=0, threaded=False), ValueError, ['lr', '0.001']),
        (
            lambda: training_dashboard(data=torch.ones(3), threaded=False),
            TypeError,
            ['data', 'FashionMNIST', 'Tensor'],
        ),
        (lambda: training_dashboard(threaded='no'), TypeError, ['threaded', 'True or False']),
    ],
)
def test_widget_arguments_are_refused_before_anything_is_drawn(drawings, make, err, words):
    _refused(make, err, words)
    assert drawings == []


def _state(w):
    return {name: c.value for name, c in w.controls.items()}, bytes(w.figure_view.value)


@pytest.mark.parametrize(
    'make,values,err,words',
    [
        (
            conv_shape_explorer,
            dict(k_h=50),
            ValueError,
            ['k_h', 'between 1 and 11', '50'],
        ),  # the issue
        (conv_shape_explorer, dict(k_h=2.5), TypeError, ['k_h', 'int', '2.5']),
        (conv_shape_explorer, dict(pad_w=3, pad_h=-1), ValueError, ['pad_h', 'between 0 and 10']),
        (conv_shape_explorer, dict(c_in=513), ValueError, ['c_in', '512']),
        (conv_shape_explorer, dict(padding='full'), ValueError, ['padding', 'not on the menu']),
        (kernel_designer, dict(index=250), ValueError, ['index', 'between 0 and 199', '250']),
        (kernel_designer, dict(size=4), ValueError, ['size', 'not on the menu']),
        (kernel_designer, dict(normalise='yes'), TypeError, ['normalise', 'True or False']),
        (pooling_explorer, dict(seed=10**6), ValueError, ['seed', '10000']),
        (pooling_explorer, dict(ceil_mode=1), TypeError, ['ceil_mode', 'True or False']),
        (lambda: training_dashboard(threaded=False), dict(lr=0.0), ValueError, ['lr', '0.001']),
        (lambda: training_dashboard(threaded=False), dict(epochs=31), ValueError, ['epochs', '30']),
        (lambda: training_dashboard(threaded=False), dict(init='no'), TypeError, ['init']),
        (
            lambda: training_dashboard(threaded=False),
            dict(batch_size=100),
            ValueError,
            ['batch_size', 'not on the menu'],
        ),
    ],
)
def test_set_values_refuses_what_a_control_would_clamp_and_changes_nothing(
    make, values, err, words
):
    w = make()
    before = _state(w)
    _refused(lambda: w.set_values(**values), err, words)
    assert _state(w) == before


def test_set_values_in_range_still_works():
    w = conv_shape_explorer()
    w.set_values(in_h=20, k_h=11, pad_h=1)
    assert (w.controls['k_h'].value, w.result['settings'].kernel_size[0]) == (11, 11)
    board = training_dashboard(threaded=False)
    board.set_values(lr=10.0, epochs=30)
    assert (board.lr_slider.value, board.epochs_slider.value) == (10.0, 30)


def test_kernel_designer_set_values_in_range():
    w = kernel_designer()
    w.set_values(index=199, size=5, normalise=True)
    assert w.result['K'].shape == (5, 5) and w.index_slider.value == 199


def test_widget_arguments_at_the_edges_of_the_ranges_are_accepted():
    assert kernel_designer(index=199).index_slider.value == 199
    assert conv_shape_explorer(in_size=32, kernel_size=11).result['settings'].in_size == (32, 32)
    board = training_dashboard(lr=10, epochs=30, threaded=False)
    assert (board.lr_slider.value, board.epochs_slider.value) == (10.0, 30)


# -- principle 4: errors in the reader's terms ----------------------------------------------------


@pytest.mark.parametrize(
    'call,err,words',
    [
        (
            lambda: d2l.corr2d(torch.ones(4, 4), torch.ones(0, 0)),
            ValueError,
            ['K is empty', '(0, 0)'],
        ),
        (
            lambda: d2l.corr2d(torch.ones(0, 4), torch.ones(1, 1)),
            ValueError,
            ['X is empty', '(0, 4)'],
        ),
        (
            lambda: d2l.corr2d_multi_in(torch.ones(0, 4, 4), torch.ones(0, 2, 2)),
            ValueError,
            ['X is empty', 'channel'],
        ),
        (
            lambda: d2l.corr2d_multi_in_out(torch.ones(1, 4, 4), torch.ones(0, 1, 2, 2)),
            ValueError,
            ['K is empty', 'output channel'],
        ),
        (
            lambda: d2l.corr2d_multi_in_out_1x1(torch.ones(0, 4, 4), torch.ones(2, 0)),
            ValueError,
            ['empty'],
        ),
        (lambda: d2l.pool2d(torch.ones(4, 4), 0), ValueError, ['pool_size', 'at least 1']),
        (lambda: d2l.pool2d(torch.ones(0, 4), 1), ValueError, ['X is empty']),
        (lambda: d2l.pool2d(torch.ones(4, 4), 2.0), TypeError, ['pool_size', 'int']),
        (lambda: d2l.pool2d(torch.ones(4, 4), 2, stride=0), ValueError, ['stride', 'at least 1']),
        (
            lambda: d2l.pool2d(torch.ones(4, 4), 2, padding=-1),
            ValueError,
            ['padding', 'at least 0'],
        ),
        (lambda: d2l.conv_output_shape(8, 3, stride=2.0), TypeError, ['stride', '2.0']),
        (lambda: d2l.conv_output_shape(8, 3, padding=-1), ValueError, ['padding', 'at least 0']),
        (lambda: d2l.conv_output_shape(8, 3, padding='full'), ValueError, ['padding', "'same'"]),
        (lambda: d2l.conv_output_shape(0, 3), ValueError, ['in_size', 'at least 1']),
        (lambda: d2l.conv_output_shape(8, (3, 3, 3)), TypeError, ['kernel_size', '(3, 3, 3)']),
        (lambda: d2l.conv_output_shape(8, 3, dilation=True), TypeError, ['dilation']),
        (lambda: d2l.comp_conv2d('conv', torch.ones(8, 8)), TypeError, ['conv2d', 'nn.Conv2d']),
        (lambda: G.ConvSettings(stride=2.0), TypeError, ['stride']),
        (lambda: G.ConvSettings(groups=0), ValueError, ['groups', 'at least 1']),
        (lambda: P.PoolSettings(kernel_size=2.0), TypeError, ['kernel_size']),
        (lambda: P.PoolSettings(ceil_mode='yes'), TypeError, ['ceil_mode']),
        (lambda: P.pool([[1, 2]], P.PoolSettings()), TypeError, ['X', 'torch.Tensor']),
    ],
)
def test_ops_and_shape_helpers_name_the_argument(call, err, words):
    _refused(call, err, words)


def test_the_four_pair_checks_agree():
    """One contract for 'an int or a pair': TypeError for a type, ValueError for a range."""
    for call in (
        lambda v: d2l.pool2d(torch.ones(4, 4), v),
        lambda v: d2l.conv_output_shape(8, v),
        lambda v: G.ConvSettings(kernel_size=v),
        lambda v: P.PoolSettings(kernel_size=v),
        lambda v: diagrams.show_grids([diagrams.Grid(torch.ones(3, 3), pad=v)]),
    ):
        for bad_type in (2.0, '2', (1,), (1, 2, 3), True):
            with pytest.raises(TypeError):
                call(bad_type)
        with pytest.raises(ValueError):
            call(-1)


@pytest.mark.parametrize(
    'call,err,words',
    [
        (lambda: d2l.FashionMNIST(resize=0), ValueError, ['resize', 'at least 1', '0']),
        (lambda: d2l.FashionMNIST(resize=(28, -1)), ValueError, ['resize']),
        (lambda: d2l.FashionMNIST(resize=28.0), TypeError, ['resize']),
        (
            lambda: d2l.FashionMNIST(num_train=-100),
            ValueError,
            ['num_train', 'between 1 and 60000'],
        ),
        (lambda: d2l.FashionMNIST(num_train=0), ValueError, ['num_train', '0']),
        (lambda: d2l.FashionMNIST(num_train=10**6), ValueError, ['num_train', '60000']),
        (lambda: d2l.FashionMNIST(num_val=2.5), TypeError, ['num_val', 'int']),
        (lambda: d2l.FashionMNIST(num_val=10_001), ValueError, ['num_val', '10000']),
        (lambda: d2l.FashionMNIST(batch_size=2.0), TypeError, ['batch_size', 'int']),
        (
            lambda: d2l.TensorLoader((torch.ones(4),), batch_size=0, shuffle=False),
            ValueError,
            ['batch_size'],
        ),
        (
            lambda: data_mod.to_float_images(torch.zeros(2, 28, 28, dtype=torch.uint8), resize=0),
            ValueError,
            ['resize'],
        ),
    ],
)
def test_data_arguments_name_the_argument(call, err, words):
    _refused(call, err, words)


@pytest.mark.parametrize(
    'call,err,words',
    [
        (lambda: d2l.show_images([], 1, 1), ValueError, ['show_images', 'at least one image']),
        (
            lambda: d2l.show_images(torch.ones(2, 4, 4), 0, 2),
            ValueError,
            ['num_rows', 'at least 1'],
        ),
        (lambda: d2l.show_images(torch.ones(2, 4, 4), 1, 2.0), TypeError, ['num_cols', 'int']),
        (
            lambda: d2l.show_images(torch.ones(2, 4, 4), 1, 2, titles=['a']),
            ValueError,
            ['titles', '1 entries', '2 images'],
        ),
        (lambda: d2l.plot([]), ValueError, ['X', 'at least one value']),
        (lambda: d2l.plot([1, 2], []), ValueError, ['Y', 'at least one value']),
        (lambda: d2l.plot([1, 2, 3], [1, 2]), ValueError, ['X has 3', 'Y has 2']),
        (lambda: diagrams.show_grids([]), ValueError, ['show_grids', 'at least one matrix']),
        (lambda: diagrams.show_grids([torch.ones(0, 3)]), ValueError, ['empty', '(0, 3)']),
        (
            lambda: diagrams.show_grids([diagrams.Grid(torch.ones(3, 3), pad=-1)]),
            ValueError,
            ['pad', 'at least 0'],
        ),
        (
            lambda: diagrams.show_grids([diagrams.Grid(torch.ones(3, 3), pad=2)]),
            ValueError,
            ['pad', 'at most half'],
        ),
        (
            lambda: diagrams.show_grids([diagrams.Grid(torch.ones(3, 3), windows=[(2, 2, 2, 2)])]),
            ValueError,
            ['window', '(2, 2, 2, 2)', '3x3'],
        ),
        (
            lambda: diagrams.show_grids([diagrams.Grid(torch.ones(3, 3), windows=[(0, 0, 2)])]),
            TypeError,
            ['windows', '(row, col, height, width)'],
        ),
        (
            lambda: diagrams.draw_stack(None, 'LeNet', d2l.LeNet(), (28, 28), 'red'),
            ValueError,
            ['X_shape', '(batch, channels, height, width)'],
        ),
        (
            lambda: diagrams.draw_stack(None, 'x', nn.Linear(2, 2), (1, 1, 4, 4), 'red'),
            TypeError,
            ['model', '.net'],
        ),
    ],
)
def test_plotting_helpers_given_nothing_or_nonsense_say_so(call, err, words):
    from matplotlib import pyplot as plt

    figures = len(plt.get_fignums())
    _refused(call, err, words)
    assert len(plt.get_fignums()) == figures  # refused before a figure was made


# -- principle 5: nothing shared behind the caller's back -----------------------------------------


def test_editing_a_batch_in_place_does_not_edit_the_data_set():
    for shuffle in (False, True):
        data = d2l.FashionMNIST(batch_size=4, num_val=8)
        loader = data.get_dataloader(train=False)
        loader.shuffle = shuffle
        X, y = next(iter(loader))
        labels_before = data.val.labels.clone()
        y += 100
        X.zero_()
        assert torch.equal(data.val.labels, labels_before)
        assert torch.equal(d2l.FashionMNIST(num_val=8).val.labels, labels_before)


def test_editing_one_data_sets_tensors_leaves_every_other_instance_alone():
    first = d2l.FashionMNIST(num_train=8)
    reference = d2l.FashionMNIST(num_train=8)
    ref_images, ref_labels = reference.train.images.clone(), reference.train.labels.clone()
    first.train.images[0] = 0  # one caller's in-place edit ...
    first.train.labels[:] = 3
    assert first.train.images[0].sum() == 0
    later = d2l.FashionMNIST(num_train=8)  # ... is not seen by the others
    assert torch.equal(later.train.images, ref_images)
    assert torch.equal(later.train.labels, ref_labels)
    assert torch.equal(reference.train.images, ref_images)
    # and the edit does reach that caller's own batches
    assert set(torch.cat([y for _, y in first.get_dataloader(True)]).tolist()) == {3}


def test_load_fashion_mnist_returns_a_copy():
    tensors = d2l.load_fashion_mnist()
    first = int(tensors['val_labels'][0])
    tensors['val_labels'][0] = 99
    tensors['val_images'].zero_()
    again = d2l.load_fashion_mnist()
    assert int(again['val_labels'][0]) == first and again['val_images'].max() > 0


def test_to_float_images_leaves_its_input_alone():
    for images in (torch.full((2, 28, 28), 255, dtype=torch.uint8), torch.ones(2, 28, 28)):
        before = images.clone()
        data_mod.to_float_images(images, resize=(14, 14))
        assert torch.equal(images, before)


def test_draw_stack_does_not_materialise_the_callers_model():
    from matplotlib import pyplot as plt

    model = d2l.LeNet()
    _, ax = plt.subplots()
    diagrams.draw_stack(ax, 'LeNet', model, (1, 1, 28, 28), '#c6dbef')
    plt.close('all')
    assert any(isinstance(p, nn.parameter.UninitializedParameter) for p in model.parameters())


def test_dashboard_does_not_change_the_callers_data(profile):
    profile('full')  # no batch cap, so the sizes differ
    data = d2l.FashionMNIST(batch_size=64, num_train=32, num_val=32)
    board = training_dashboard(data=data, threaded=False)
    board._data(32)  # what a run with batch size 32 does first
    assert board.data.batch_size == 32 and data.batch_size == 64


# -- principle 6: data folders say which file is wrong --------------------------------------------


@pytest.fixture
def real_copy(monkeypatch):
    """The folder holding the real files (the Debian copy where installed), as the only
    system folder, so a broken BOOK_DATA has somewhere to fall back to."""
    monkeypatch.delenv('BOOK_DATA', raising=False)
    folder = data_mod.find_folder()
    if folder is None:
        pytest.skip('no local copy of Fashion-MNIST')
    monkeypatch.setattr(data_mod, 'SYSTEM_DIRS', [folder])
    monkeypatch.setenv('XDG_CACHE_HOME', '/nonexistent-cache-for-tests')
    return folder


def _link_files(src, dest, stems):
    dest.mkdir(exist_ok=True)
    for stem in stems:
        path = data_mod._file_in(src, stem)
        os.symlink(path, dest / path.name)
    return dest


def _no_fallback(monkeypatch, tmp_path):
    monkeypatch.setattr(data_mod, 'SYSTEM_DIRS', [tmp_path / 'no-debian'])
    monkeypatch.setattr(
        data_mod, '_download', lambda dest: (_ for _ in ()).throw(OSError('offline for the test'))
    )


def test_book_data_that_is_a_file_is_named_and_the_debian_copy_still_found(
    real_copy, monkeypatch, tmp_path
):
    bad = tmp_path / 'fashion.zip'
    bad.write_bytes(b'PK')
    monkeypatch.setenv('BOOK_DATA', str(bad))
    with pytest.warns(UserWarning, match='is a file, not a folder') as caught:
        tensors = d2l.load_fashion_mnist()
    assert str(bad) in str(caught[0].message) and str(real_copy) in str(caught[0].message)
    assert tensors['train_images'].shape == (60000, 28, 28)
    _no_fallback(monkeypatch, tmp_path)
    err = _refused(
        d2l.load_fashion_mnist, d2l.DataUnavailableError, [str(bad), 'is a file, not a folder']
    )
    assert not bad.is_dir() and bad.read_bytes() == b'PK'  # nothing was created or overwritten
    del err


def test_book_data_missing_two_files_names_them(real_copy, monkeypatch, tmp_path):
    stems = list(data_mod.FILES.values())
    half = _link_files(real_copy, tmp_path / 'half', stems[:2])
    monkeypatch.setenv('BOOK_DATA', str(half))
    with pytest.warns(UserWarning) as caught:
        d2l.load_fashion_mnist()
    message = str(caught[0].message)
    for word in [str(half), stems[2], stems[3], str(real_copy)]:
        assert word in message, word
    assert stems[0] not in message
    _no_fallback(monkeypatch, tmp_path)
    _refused(d2l.load_fashion_mnist, d2l.DataUnavailableError, [str(half), stems[2], stems[3]])


def _deny_reads(monkeypatch, folder):
    """Opening any file under ``folder`` raises PermissionError, as for a file mode 000 (which
    root could still read, so the test simulates it)."""
    import gzip

    real_gzip, real_open = gzip.open, open

    def guard(opener):
        def deny(path, *args, **kwargs):
            if str(folder) in str(path):
                raise PermissionError(13, 'Permission denied', str(path))
            return opener(path, *args, **kwargs)

        return deny

    monkeypatch.setattr(gzip, 'open', guard(real_gzip))
    monkeypatch.setattr(data_mod, 'open', guard(real_open), raising=False)


def test_unreadable_book_data_is_a_permission_error_not_a_corrupt_file(
    real_copy, monkeypatch, tmp_path
):
    locked = _link_files(real_copy, tmp_path / 'locked', data_mod.FILES.values())
    monkeypatch.setenv('BOOK_DATA', str(locked))
    _deny_reads(monkeypatch, locked)
    with pytest.warns(UserWarning, match='permission denied') as caught:
        tensors = d2l.load_fashion_mnist()  # the Debian copy is still found
    assert str(locked) in str(caught[0].message)
    assert tensors['val_labels'].shape == (10000,)
    _no_fallback(monkeypatch, tmp_path)
    err = _refused(
        d2l.load_fashion_mnist, d2l.DataUnavailableError, [str(locked), 'permission denied']
    )
    assert not isinstance(err, d2l.DataCorruptError)
    # read directly, the file itself is reported as unreadable, not corrupt
    path = data_mod._file_in(locked, data_mod.FILES['val_labels'])
    err = _refused(
        lambda: data_mod._read_idx(path, 2049, 10000, ()),
        data_mod.DataPermissionError,
        [str(path), 'permission denied', 'not corrupt'],
    )


def test_unlistable_book_data_folder_is_named(real_copy, monkeypatch, tmp_path):
    locked = _link_files(real_copy, tmp_path / 'locked', data_mod.FILES.values())
    monkeypatch.setenv('BOOK_DATA', str(locked))
    real_file_in = data_mod._file_in

    def deny(folder, stem):
        if str(locked) in str(folder):
            raise PermissionError(13, 'Permission denied', str(folder))
        return real_file_in(folder, stem)

    monkeypatch.setattr(data_mod, '_file_in', deny)
    with pytest.warns(UserWarning, match='cannot be read'):
        d2l.load_fashion_mnist()


def test_a_good_book_data_gives_no_warning(real_copy, monkeypatch, tmp_path):
    good = _link_files(real_copy, tmp_path / 'good', data_mod.FILES.values())
    monkeypatch.setenv('BOOK_DATA', str(good))
    data_mod._MEMORY.pop(str(good.resolve()), None)
    with warnings.catch_warnings():
        warnings.simplefilter('error')
        assert d2l.load_fashion_mnist()['train_labels'].shape == (60000,)
    data_mod._MEMORY.pop(str(good.resolve()), None)
