"""The usual mistakes of issue 26 and the quiet wrong results around them.

Each case failed (or went wrong without a word) before: the comment over each test
says how. Now every one either works as in D2L or stops with one sentence that
names the fix, before any training step. The maths is compared with the D2L
oracle and with torch.nn.functional.
"""

import itertools
import sys

import pytest
import torch
from test_model_contract import MODEL_NAMES, make
from torch import nn
from torch.nn import functional as F
from torch.utils._python_dispatch import TorchDispatchMode

import book_utils as d2l

# the modules behind the public names, wherever the package keeps them
ops = sys.modules[d2l.corr2d.__module__]
module = sys.modules[d2l.Module.__module__]
CheckpointError = d2l.CheckpointError
CheckpointWriteError = sys.modules[d2l.CheckpointError.__module__].CheckpointWriteError
LazyShapeError = module.LazyShapeError


class CountingData(d2l.FashionMNIST):
    """Fashion-MNIST that counts the loaders asked for: a refusal must come before them."""

    asked = 0

    def get_dataloader(self, train):
        type(self).asked += 1
        return super().get_dataloader(train)


class Steps(d2l.LeNet):
    """LeNet counting its training steps."""

    steps = 0

    def training_step(self, batch):
        type(self).steps += 1
        return super().training_step(batch)


@pytest.fixture
def data(profile):
    profile('cpu')
    CountingData.asked = Steps.steps = 0
    return CountingData(batch_size=32, num_train=96, num_val=32)  # 3 + 1 batches


def trainer(**kwargs):
    return d2l.Trainer(
        max_epochs=kwargs.pop('max_epochs', 1), progress=False, verbose=False, **kwargs
    )


# -- 1. D2L's chapter 3 optimiser with checkpoints ------------------------------------


class StudentSGD:
    """A chapter 3 style optimiser as students write it: no param_groups, no state_dict,
    and an in-place update that needs the loop's torch.no_grad()."""

    def __init__(self, params, lr):
        self.params, self.lr = list(params), lr

    def step(self):
        for param in self.params:
            param -= self.lr * param.grad

    def zero_grad(self):
        for param in self.params:
            if param.grad is not None:
                param.grad.zero_()


class ScratchSGD(d2l.LeNet):
    def configure_optimizers(self):
        return StudentSGD(self.parameters(), self.lr)


def test_d2ls_own_scratch_sgd_trains_like_torch_sgd(data, oracle):
    # before: RuntimeError: a leaf Variable that requires grad is being used in an in-place
    # operation (D2L's fit_epoch calls optim.step() under torch.no_grad(); ours did not)
    class OracleSGD(d2l.LeNet):
        def configure_optimizers(self):
            return oracle.SGD(list(self.parameters()), self.lr)

    models = []
    for make_model in (OracleSGD, d2l.LeNet):  # LeNet: torch.optim.SGD, no momentum
        torch.manual_seed(2)
        models.append(make_model())
        trainer().fit(models[-1], data)
    for p, q in zip(*(m.parameters() for m in models)):
        torch.testing.assert_close(p, q)


def test_scratch_optimizer_checkpoints_and_resumes_to_the_same_weights(tmp_path, data):
    # before: AttributeError: 'StudentSGD' object has no attribute 'param_groups' in describe_run
    torch.manual_seed(1)
    straight = ScratchSGD()
    trainer(max_epochs=2).fit(straight, data)
    torch.manual_seed(1)
    first = trainer(max_epochs=1, checkpoint_dir=tmp_path)
    first.fit(ScratchSGD(), data)
    state = torch.load(tmp_path / 'checkpoint.pt', weights_only=False)
    assert state['run']['settings']['optimizer'] == 'StudentSGD'
    assert state['run']['settings']['optimizer.lr'] == 0.1 and state['optim'] is None
    resumed = ScratchSGD()
    second = trainer(max_epochs=2, checkpoint_dir=tmp_path)
    second.fit(resumed, data)
    assert [h['epoch'] for h in second.history] == [1, 2]
    for p, q in zip(straight.parameters(), resumed.parameters()):
        torch.testing.assert_close(p, q)


# -- 2. a model that cannot be trained: refused before the data is touched -----------


class NoLR(d2l.Classifier):
    def __init__(self, lr=0.1):
        super().__init__()
        self.net = nn.Sequential(nn.Flatten(), nn.LazyLinear(10))


class NoSuper(d2l.Classifier):
    def __init__(self, lr=0.1):
        self.lr = lr


class NoNet(d2l.Classifier):
    def __init__(self, lr=0.1):
        super().__init__()
        self.save_hyperparameters()


class NoWeights(d2l.Classifier):
    def __init__(self, lr=0.1):
        super().__init__()
        self.save_hyperparameters()
        self.net = nn.Sequential(nn.Flatten())


@pytest.mark.parametrize(
    'model, error, words',
    [
        # before: AttributeError: 'NoLR' object has no attribute 'lr'
        (NoLR, AttributeError, ['self.lr', 'self.save_hyperparameters()']),
        # before: AttributeError: 'NoSuper' object has no attribute 'board'
        (NoSuper, TypeError, ['did not call super().__init__()', 'first line of __init__']),
        # before: ValueError: optimizer got an empty parameter list
        (NoNet, NotImplementedError, ['has no network', 'self.net']),
        (NoWeights, ValueError, ['no parameters to train', 'self.net']),
    ],
)
def test_a_model_that_cannot_train_is_named_before_any_work(data, model, error, words):
    with pytest.raises(error) as info:
        trainer().fit(model(), data)
    for needle in words + [model.__name__]:
        assert needle in str(info.value), str(info.value)
    assert CountingData.asked == 0


def test_a_model_class_without_parentheses_changes_nothing(data, oracle):
    # before: AttributeError after setting LeNet.trainer, which every later LeNet() carried
    with pytest.raises(
        TypeError, match=r'class LeNet, not a model.*trainer\.fit\(LeNet\(\), data\)'
    ):
        trainer().fit(d2l.LeNet, data)
    assert 'trainer' not in vars(d2l.LeNet) and not hasattr(d2l.LeNet(), 'trainer')
    assert CountingData.asked == 0
    with pytest.raises(TypeError, match='add the parentheses'):
        trainer().fit(d2l.LeNet(), CountingData)


# -- 2. checkpoints edited by hand, and a disk that fills ---------------------------


def _edit(folder, change):
    path = folder / 'checkpoint.pt'
    state = torch.load(path, weights_only=False)
    change(state)
    torch.save(state, path)


@pytest.mark.parametrize(
    'change, words',
    [
        # before: KeyError: 'settings'
        (lambda s: s['run'].pop('settings'), ["lacks the run's 'settings'"]),
        # before: trained epochs -4, -3, ..., 1
        (lambda s: s.update(epoch=-5), ['epoch=-5', 'epoch >= 1']),
        (lambda s: s.update(epoch=3), ['epoch=3', 'holds 1 finished epochs']),
        (lambda s: s.pop('history'), ["lacks 'history'"]),
        (lambda s: s.update(epoch='1'), ["epoch='1' where a whole number belongs"]),
    ],
)
def test_a_hand_edited_checkpoint_is_refused_before_any_step(tmp_path, data, change, words):
    trainer(checkpoint_dir=tmp_path).fit(Steps(), data)
    _edit(tmp_path, change)
    Steps.steps = 0
    with pytest.raises(CheckpointError) as info:
        trainer(max_epochs=2, checkpoint_dir=tmp_path).fit(Steps(), data)
    for needle in words + ['edited or damaged', 'Delete it']:
        assert needle in str(info.value), str(info.value)
    assert Steps.steps == 0


def test_a_disk_that_fills_mid_run_keeps_the_last_checkpoint_and_says_so(
    tmp_path, data, monkeypatch
):
    # before: RuntimeError: [enforce fail at inline_container.cc:...] unexpected pos ...
    real_save, saves = torch.save, []

    def fills_on_the_second(obj, f, *args, **kwargs):
        saves.append(obj['epoch'])
        if len(saves) == 2:
            f.write(b'x' * 100)
            raise RuntimeError('[enforce fail at inline_container.cc:603] . unexpected pos 64 vs 0')
        return real_save(obj, f, *args, **kwargs)

    monkeypatch.setattr(torch, 'save', fills_on_the_second)
    with pytest.raises(
        CheckpointWriteError,
        match=r'epoch 2 .*disk is probably full.*previous '
        r'checkpoint\.pt is intact.*fit again',
    ):
        trainer(max_epochs=3, checkpoint_dir=tmp_path).fit(Steps(), data)
    monkeypatch.setattr(torch, 'save', real_save)
    assert torch.load(tmp_path / 'checkpoint.pt', weights_only=False)['epoch'] == 1
    assert sorted(p.name for p in tmp_path.iterdir()) == ['checkpoint.lock', 'checkpoint.pt']
    again = trainer(max_epochs=3, checkpoint_dir=tmp_path)
    again.fit(Steps(), data)  # resumes after epoch 1: the lock was released
    assert [h['epoch'] for h in again.history] == [1, 2, 3]


# -- 3. a checkpoint of another network under the same class name -------------------


def lenet_variant(activation, pool):
    """A cell that redefines ``LeNet`` with other activations or pooling."""

    class LeNet(d2l.Classifier):
        def __init__(self, lr=0.1, num_classes=10):
            super().__init__()
            self.save_hyperparameters()
            self.net = nn.Sequential(
                nn.LazyConv2d(6, kernel_size=5, padding=2),
                activation(),
                pool(2, 2),
                nn.LazyConv2d(16, kernel_size=5),
                activation(),
                pool(2, 2),
                nn.Flatten(),
                nn.LazyLinear(120),
                activation(),
                nn.LazyLinear(84),
                activation(),
                nn.LazyLinear(num_classes),
            )

    return LeNet


def test_a_checkpoint_of_another_network_with_the_same_name_is_refused(tmp_path, data):
    # before: "resumed ... after epoch 1", and the history mixed two architectures
    trainer(checkpoint_dir=tmp_path).fit(lenet_variant(nn.Sigmoid, nn.AvgPool2d)(), data)
    with pytest.raises(CheckpointError) as info:
        trainer(max_epochs=2, checkpoint_dir=tmp_path).fit(
            lenet_variant(nn.ReLU, nn.MaxPool2d)(), data
        )
    message = str(info.value)
    for needle in (
        'another architecture',
        'net.1 is Sigmoid() there, ReLU() here',
        'AvgPool2d(kernel_size=2',
        'more differences',
        'Delete it',
    ):
        assert needle in message, message
    wider = lenet_variant(nn.Sigmoid, nn.AvgPool2d)
    original = wider()
    original.net[7] = nn.LazyLinear(100)  # a parameter shape differs too
    with pytest.raises(
        CheckpointError,
        match=r'parameter net\.7\.weight is \[120, 400\] there, '
        r'\[100, 400\] here',
    ):
        trainer(max_epochs=2, checkpoint_dir=tmp_path).fit(original, data)
    same = trainer(max_epochs=2, checkpoint_dir=tmp_path)
    same.fit(lenet_variant(nn.Sigmoid, nn.AvgPool2d)(), data)
    assert [h['epoch'] for h in same.history] == [1, 2]


def test_an_older_checkpoint_without_the_architecture_resumes_and_says_what_was_checked(
    tmp_path, data
):
    trainer(checkpoint_dir=tmp_path).fit(d2l.LeNet(), data)
    _edit(tmp_path, lambda s: s['run'].pop('architecture'))
    resumed = trainer(max_epochs=2, checkpoint_dir=tmp_path)
    resumed.fit(d2l.LeNet(), data)
    notices = [e.message for e in resumed.events if e.kind == 'notice']
    assert any('after epoch 1' in m and "only the weights' names and shapes" in m for m in notices)
    assert [h['epoch'] for h in resumed.history] == [1, 2]


# -- 5. device='meta' ----------------------------------------------------------------


def test_the_meta_device_is_refused_and_the_weights_stay(data):
    # before: fit moved the model to 'meta' (its weights gone), then an IndexError
    model = d2l.LeNet()
    model(torch.zeros(1, 1, 28, 28))
    before = [p.clone() for p in model.parameters()]
    with pytest.raises(ValueError, match=r"device='meta' holds shapes but no numbers.*cpu"):
        trainer(device='meta').fit(model, data)
    with pytest.raises(ValueError, match="device='meta'"):
        d2l.train_ch6(model, [], [], 1, 0.1, 'meta')
    assert all(torch.equal(p, q) for p, q in zip(model.parameters(), before))


# -- 6. a NaN loss at its real step ----------------------------------------------------


class NaNFromStep3(d2l.LeNet):
    def training_step(self, batch):
        loss = super().training_step(batch)
        return loss * float('nan') if self.trainer.train_batch_idx >= 2 else loss


def test_a_nan_loss_is_named_at_its_step_and_the_nan_weights_are_reported(profile):
    # before: "diverged in epoch 1, batch 10" (the first read-back), weights not mentioned
    profile('cpu')
    data = d2l.FashionMNIST(batch_size=32, num_train=320, num_val=32)  # 10 batches
    run = trainer()
    with pytest.warns(d2l.DivergenceWarning) as record:
        run.fit(NaNFromStep3(), data)
    message = str(record[0].message)
    assert 'epoch 1, batch 3: loss nan' in message, message
    assert 'weights of NaNFromStep3 are now NaN' in message and 'create the model again' in message
    assert run.stop_reason == 'diverged'
    assert not all(torch.isfinite(p).all() for p in run.model.parameters())


def test_an_exploding_but_finite_loss_names_its_first_bad_batch_and_keeps_the_advice(profile):
    profile('cpu')
    data = d2l.FashionMNIST(batch_size=32, num_train=320, num_val=32)

    class Explodes(d2l.LeNet):
        def training_step(self, batch):
            loss = super().training_step(batch)
            return loss * 1e3 if self.trainer.train_batch_idx >= 4 else loss

    with pytest.warns(d2l.DivergenceWarning) as record:
        trainer(log_every=8).fit(Explodes(), data)
    message = str(record[0].message)
    assert 'batch 5: loss' in message and 'learning rate 0.1' in message, message
    assert 'now NaN' not in message and 'smaller' in message


# -- 7. a (B, 28, 28) batch ---------------------------------------------------------


@pytest.mark.parametrize('name', MODEL_NAMES)
def test_the_three_axis_hints_name_the_axis_that_is_missing(name):
    # before: "Add a batch axis with X.unsqueeze(0)" for a batch of four images
    model = make(name)
    _, c, h, w = model.input_spec.example
    batch = torch.rand(4, h, w)
    with pytest.raises(ValueError, match=r'batch of 4 one-channel images.*X\.unsqueeze\(1\)'):
        model(batch)
    with pytest.raises(ValueError, match=r'one image.*X\.unsqueeze\(0\)'):
        model(torch.rand(c, h, w))
    model.input_spec.check(batch.unsqueeze(1), name)  # the advice works
    model.input_spec.check(torch.rand(c, h, w).unsqueeze(0), name)


def test_a_hint_without_known_channels_names_both_fixes():
    spec = d2l.InputSpec(min_size=2)
    with pytest.raises(ValueError, match=r'unsqueeze\(0\).*unsqueeze\(1\)'):
        spec.check(torch.rand(4, 8, 8), 'Net')


# -- 8. corr2d on a large image --------------------------------------------------------


class LargestTensor(TorchDispatchMode):
    """The most elements any torch operation allocated while active (views count their
    storage, which they share)."""

    def __init__(self):
        super().__init__()
        self.most = 0

    def __torch_dispatch__(self, func, types, args=(), kwargs=None):
        out = func(*args, **(kwargs or {}))
        for t in out if isinstance(out, (tuple, list)) else [out]:
            if isinstance(t, torch.Tensor):  # a view such as unfold's shares its storage
                self.most = max(self.most, t.untyped_storage().nbytes() // t.element_size())
        return out


def test_corr2d_memory_is_bounded_on_a_large_image():
    # before: one product of every window: 370 * 370 * 31 * 31 floats (526 MB) here, and
    # 14.9 GB for a 2000x2000 image
    X, K = torch.rand(400, 400), torch.rand(31, 31)
    with LargestTensor() as seen:
        Y = d2l.corr2d(X, K)
    assert seen.most <= ops._PRODUCT_BUDGET < 370 * 370 * 31 * 31 // 30
    torch.testing.assert_close(
        Y, F.conv2d(X[None, None], K[None, None])[0, 0], rtol=1e-4, atol=1e-3
    )


@pytest.mark.parametrize('budget', [2**22, 200, 1])  # one product, bands of rows, pieces of rows
def test_corr2d_equals_d2l_in_value_and_type_however_it_is_split(oracle, monkeypatch, budget):
    monkeypatch.setattr(ops, '_PRODUCT_BUDGET', budget)
    gen = torch.Generator().manual_seed(0)
    for trial in range(12):
        H, W = torch.randint(6, 30, (2,), generator=gen).tolist()
        kh, kw = torch.randint(1, 6, (2,), generator=gen).tolist()
        dtype = (torch.float32, torch.float64, torch.int64, torch.float16)[trial % 4]
        X = (torch.rand(H, W, generator=gen) * 8 - 4).to(dtype)
        K = (torch.rand(kh, kw, generator=gen) * 8 - 4).to(dtype)
        ours, ref = d2l.corr2d(X, K), oracle.corr2d(X, K)
        assert ours.dtype == ref.dtype == torch.float32  # D2L's Y is torch.zeros: float32
        assert torch.equal(ours, ref), (H, W, kh, kw, dtype)


def test_corr2d_still_learns_a_kernel_when_split(monkeypatch):
    monkeypatch.setattr(ops, '_PRODUCT_BUDGET', 10)
    X = torch.rand(6, 8)
    K = torch.rand(1, 2, requires_grad=True)
    d2l.corr2d(X, K).sum().backward()
    torch.testing.assert_close(K.grad, torch.stack([X[:, :-1].sum(), X[:, 1:].sum()])[None])


# -- 9. pool2d refuses what the layers refuse ------------------------------------------


def test_pool2d_refuses_exactly_what_the_pooling_layers_refuse():
    # before: d2l.pool2d(X, 2, padding=2, stride=1) returned rows of -inf
    X = torch.rand(7, 8)
    for k, p, s in itertools.product(range(1, 5), range(0, 4), range(1, 4)):
        for mode, layer in (('max', F.max_pool2d), ('avg', F.avg_pool2d)):
            try:
                expected = layer(X[None, None], k, s, p)[0, 0]
            except RuntimeError:
                with pytest.raises(
                    ValueError, match='padding must be at most half the pooling window'
                ):
                    d2l.pool2d(X, k, mode, padding=p, stride=s)
                continue
            torch.testing.assert_close(d2l.pool2d(X, k, mode, padding=p, stride=s), expected)


def test_pool2d_checks_each_axis_of_the_padding():
    with pytest.raises(ValueError, match=r'up to \(1, 0\), got \(1, 1\)'):
        d2l.pool2d(torch.rand(5, 5), (3, 1), padding=(1, 1))
    with pytest.raises(RuntimeError):
        nn.MaxPool2d((3, 1), padding=(1, 1))(torch.rand(1, 1, 5, 5))


# -- 10. lazy layers built for another input size --------------------------------------


def test_layer_summary_after_lazy_layers_were_built_for_another_size():
    # before: RuntimeError: mat1 and mat2 shapes cannot be multiplied (1x576 and 400x120)
    model = d2l.LeNet()
    model.layer_summary((1, 1, 28, 28))
    with pytest.raises(LazyShapeError) as info:
        model.layer_summary((1, 1, 32, 32))
    message = str(info.value)
    for needle in (
        'built for inputs of shape (batch, 1, 28, 28)',
        'net.7 (Linear) expects 400 features',
        '(1, 1, 32, 32) gives it 576',
        'new model (e.g. LeNet())',
    ):
        assert needle in message, message
    assert isinstance(info.value, RuntimeError) and 'mat1 and mat2' in str(info.value.__cause__)
    with pytest.raises(LazyShapeError, match='built for inputs of shape'):
        model(torch.rand(2, 1, 32, 32))  # the forward says the same
    d2l.LeNet().layer_summary((1, 1, 32, 32))  # a new model is built for the new size


def test_nin_with_a_lazy_dense_end_explains_the_size_it_was_built_for():
    # section 8.3's exercise: global pooling swapped for a dense layer fixes the input size
    dense_end = d2l.NiN()
    dense_end.net[-2] = nn.Identity()
    dense_end.net.append(nn.LazyLinear(10))
    dense_end(torch.zeros(1, 1, 224, 224))
    with pytest.raises(
        LazyShapeError,
        match=r'\(batch, 1, 224, 224\).*Linear\) expects 250 features '
        r'and an input of shape \(1, 1, 96, 96\) gives it 10',
    ):
        dense_end(torch.zeros(1, 1, 96, 96))


def test_a_network_without_lazy_layers_keeps_torchs_error():
    class Eager(d2l.Classifier):
        def __init__(self):
            super().__init__()
            self.net = nn.Sequential(nn.Flatten(), nn.Linear(784, 10))

    model = Eager()
    model(torch.zeros(1, 1, 28, 28))
    with pytest.raises(RuntimeError, match='mat1 and mat2') as info:
        model(torch.zeros(1, 1, 32, 32))
    assert not isinstance(info.value, LazyShapeError)


# -- 11. probes around these cases -------------------------------------------------------


class NaNData(d2l.DataModule):
    """A student's own data set with one NaN pixel."""

    def __init__(self):
        super().__init__()
        self.X, self.y = torch.rand(64, 1, 28, 28), torch.randint(0, 10, (64,))
        self.X[0, 0, 0, 0] = float('nan')

    def get_dataloader(self, train):
        return torch.utils.data.DataLoader(
            torch.utils.data.TensorDataset(self.X, self.y), batch_size=32
        )


def test_a_first_loss_that_is_nan_points_at_the_data_not_the_learning_rate(profile):
    # before: "Try a learning rate 3-10x smaller", which cannot help a NaN in the data
    profile('cpu')
    with pytest.warns(
        d2l.DivergenceWarning,
        match=r'batch 1: loss nan.*very first loss.*'
        r'torch\.isfinite\(X\)\.all\(\)',
    ):
        trainer().fit(d2l.LeNet(), NaNData())


def test_divergence_with_an_optimiser_that_has_no_lr_says_no_none(data):
    # before: "... at learning rate None."
    class Wild(d2l.LeNet):
        def configure_optimizers(self):
            class Step:
                def __init__(self, params):
                    self.params = list(params)

                def zero_grad(self):
                    for p in self.params:
                        p.grad = None

                def step(self):
                    for p in self.params:
                        p -= 100 * p.grad

            return Step(self.parameters())

    with pytest.warns(d2l.DivergenceWarning) as record:
        trainer().fit(Wild(), data)
    assert 'None' not in str(record[0].message) and 'smaller' in str(record[0].message)


def test_another_lr_in_a_second_parameter_group_is_not_resumed_silently(tmp_path, data):
    # before: resumed, and the saved optimiser state put the old lr back without a word
    class Groups(d2l.LeNet):
        def __init__(self, head_lr=0.1):
            super().__init__()
            self.head_lr = head_lr

        def configure_optimizers(self):
            return torch.optim.SGD(
                [
                    {'params': self.net[:6].parameters()},
                    {'params': self.net[6:].parameters(), 'lr': self.head_lr},
                ],
                lr=self.lr,
            )

    trainer(checkpoint_dir=tmp_path).fit(Groups(), data)
    with pytest.raises(CheckpointError, match=r'optimizer\[1\]\.lr 0\.1 there, 0\.5 here'):
        trainer(max_epochs=2, checkpoint_dir=tmp_path).fit(Groups(head_lr=0.5), data)


def test_a_model_whose_weights_are_on_meta_is_refused(data):
    # before: NotImplementedError: Cannot copy out of meta tensor (and a hint at to_empty(),
    # which gives uninitialised weights)
    model = d2l.LeNet()
    model(torch.zeros(1, 1, 28, 28))
    with pytest.raises(ValueError, match=r"weights are on the 'meta' device.*LeNet\(\)"):
        trainer().fit(model.to('meta'), data)
    assert CountingData.asked == 0


def test_a_compiled_model_is_not_mistaken_for_a_missing_super_init():
    # before this round's fix of the check: "OptimizedModule.__init__ did not call super()..."
    module.check_trainable(
        torch.compile(d2l.LeNet()), d2l.FashionMNIST(batch_size=32, num_train=32)
    )


@pytest.mark.parametrize(
    'second, words',
    [
        (lambda data: data.train_dataloader(), 'TensorLoader: pass the data module itself'),
        (lambda data: d2l.LeNet(), 'LeNet: the arguments go fit(model, data)'),
        (lambda data: 128, 'int: build one'),
    ],
)
def test_a_second_argument_that_is_no_data_module_is_named(data, second, words):
    # before: AttributeError: 'TensorLoader' object has no attribute 'train_dataloader', after
    # the model had been given a trainer
    model = d2l.LeNet()
    with pytest.raises(TypeError) as info:
        trainer().fit(model, second(data))
    assert words in str(info.value) and not hasattr(model, 'trainer')


def test_a_plain_nn_module_is_told_to_become_a_d2l_module(data, oracle):
    # before: "Sequential.__init__ did not call super().__init__()" (this round's first check);
    # D2L itself fails with AttributeError: 'Sequential' object has no attribute 'board'
    net = nn.Sequential(nn.Flatten(), nn.LazyLinear(10))
    with pytest.raises(AttributeError, match='board'):
        oracle.Trainer(max_epochs=1).fit(net, data)
    with pytest.raises(TypeError, match=r'plain nn\.Module.*Subclass d2l\.Classifier'):
        trainer().fit(nn.Sequential(nn.Flatten(), nn.LazyLinear(10)), data)


class Apply(nn.Module):
    """A layer that holds a function: its repr shows the function's address."""

    def __init__(self, fn):
        super().__init__()
        self.fn = fn

    def forward(self, X):
        return self.fn(X)

    def extra_repr(self):
        return repr(self.fn)


def test_a_layer_repr_with_a_memory_address_still_resumes(tmp_path, data):
    # before this round's fix: every new session's address differed, so no resume was allowed
    def model():
        net = d2l.LeNet()
        net.net.insert(0, Apply(lambda X: X * 1.0))
        return net

    first = model()
    assert ' at 0x' in repr(first.net[0])
    trainer(checkpoint_dir=tmp_path).fit(first, data)
    again = trainer(max_epochs=2, checkpoint_dir=tmp_path)
    again.fit(model(), data)
    assert [h['epoch'] for h in again.history] == [1, 2]


def test_a_model_from_d2l_itself_trains_on_this_trainer(data, oracle, monkeypatch):
    # before: AttributeError: 'ProgressBoard' object has no attribute 'clear' (D2L's board)
    monkeypatch.setattr(oracle.ProgressBoard, 'draw', lambda self, *args, **kwargs: None)
    run = trainer()
    run.fit(oracle.LeNet(), data)
    # D2L's plot does not report to the trainer, so only the loop's own loss is recorded
    assert run.train_batch_idx == 3 and run.val_batch_idx == 1 and run.history[-1]['train_loss'] > 0
