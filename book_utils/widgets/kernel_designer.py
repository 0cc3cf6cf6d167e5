"""The kernel designer: edit a 3x3 or 5x5 kernel and watch what it does to an image.

Input, kernel and output stand side by side. Output values keep their sign: a
diverging colour map centred at zero shows negative responses in blue rather
than clamping them to black, which is what an edge detector's output is about.
"""

import ipywidgets as W
import numpy as np
import torch

from ..checks import check_bool, check_choice, check_int
from ..data import TEXT_LABELS
from . import image_kernels
from .base import (
    BookWidget,
    IntSlider,
    guarded,
    image_view,
    labelled,
    name_controls,
    new_figure,
    png_of,
)
from .html_parts import json_script, uint8_image, widget_root

CUSTOM = '(custom)'
SOURCES = ('Fashion-MNIST', 'edge image (7.2)')
_ANNOTATE_UP_TO = 64  # write the numbers into cells of images this small
INDEX_MAX = 199  # the image slider's range: the first 200 images of each class
STATIC_IMAGES_PER_CLASS = 3  # Fashion-MNIST validation images per class embedded in a page


def _show(ax, values, title, signed):
    """Draw a matrix: grey for non-negative values, a zero-centred diverging map otherwise."""
    values = np.asarray(values, dtype=float)
    if signed:
        bound = max(float(np.abs(values).max()), 1e-6)
        im = ax.imshow(values, cmap='RdBu_r', vmin=-bound, vmax=bound)
    else:
        im = ax.imshow(values, cmap='gray', vmin=0, vmax=max(float(values.max()), 1e-6))
    if values.size <= _ANNOTATE_UP_TO:
        for (i, j), v in np.ndenumerate(values):
            shade = im.norm(v)
            dark = shade < 0.25 or shade > 0.75 if signed else shade < 0.5
            ax.text(
                j,
                i,
                f'{v:.2g}',
                ha='center',
                va='center',
                fontsize=8,
                color='white' if dark else 'black',
            )
    ax.set_title(title, fontsize=10)
    ax.set_xticks([])
    ax.set_yticks([])
    return im


def draw_kernel_figure(X, K, Y, source_title, kernel_title):
    """Input, kernel and output in one figure; returns the figure."""
    fig = new_figure(8.5, 3.1)
    axes = fig.subplots(1, 3, width_ratios=[1, 0.75, 1])
    _show(axes[0], X, source_title, signed=bool((X < 0).any()))
    _show(axes[1], K, kernel_title, signed=True)
    signed = bool((Y < 0).any())
    im = _show(
        axes[2],
        Y,
        f'output {Y.shape[0]}×{Y.shape[1]}' + (' (blue < 0 < red)' if signed else ' (all ≥ 0)'),
        signed=signed,
    )
    fig.colorbar(im, ax=axes[2], shrink=0.8)
    return fig


class KernelDesigner(BookWidget):
    """The widget: presets, an editable grid, an image picker and the three panels."""

    def __init__(
        self,
        preset='vertical edge',
        size=3,
        source=SOURCES[0],
        label='ankle boot',
        index=0,
        normalise=False,
    ):
        # every argument checked before anything is built: a control would clamp or refuse
        # it with a traitlets error instead (index=250 used to show image 199)
        check_choice(size, 'size', image_kernels.SIZES)
        image_kernels.preset(preset if preset != CUSTOM else 'identity', size)  # clear errors first
        check_choice(source, 'source', SOURCES)
        check_choice(label, 'label', TEXT_LABELS)
        check_int(index, 'index', 0, INDEX_MAX)
        check_bool(normalise, 'normalise')
        image_kernels.fashion_image(label, index)  # the data are there
        self.result = None
        # Laid out for a book column of about 680 px: controls and grid side by side, the
        # figure below at full width.
        self.preset_picker = labelled(
            W.Dropdown(
                options=list(image_kernels.PRESETS) + [CUSTOM], value=preset, description='preset'
            ),
            '250px',
        )
        self.size_picker = W.ToggleButtons(
            options=[('3×3', 3), ('5×5', 5)],
            value=size,
            style={'button_width': '52px'},
            layout=W.Layout(width='130px'),
        )
        self.normalise_box = W.Checkbox(
            value=normalise, description='normalise', indent=False, layout=W.Layout(width='100px')
        )
        self.source_picker = labelled(
            W.Dropdown(options=SOURCES, value=source, description='image'), '250px'
        )
        self.class_picker = labelled(
            W.Dropdown(options=TEXT_LABELS, value=label, description='class'), '250px'
        )
        self.index_slider = labelled(
            IntSlider(value=index, min=0, max=INDEX_MAX, description='#', continuous_update=False),
            '250px',
        )
        self.cells = [W.FloatText(value=0.0, layout=W.Layout(width='62px')) for _ in range(25)]
        self.grid = W.GridBox(layout=W.Layout(grid_gap='2px'))
        self.figure_view = image_view()
        self.info = W.HTML()
        self.message = W.HTML()
        controls = W.VBox(
            [
                self.preset_picker,
                W.HBox([self.size_picker, self.normalise_box]),
                self.source_picker,
                self.class_picker,
                self.index_slider,
            ],
            layout=W.Layout(width='290px', flex='0 0 auto'),
        )
        weights = W.VBox(
            [W.HTML('<b>kernel weights</b> (edit any)'), self.grid],
            layout=W.Layout(flex='0 0 auto'),
        )
        super().__init__(
            children=[W.HBox([controls, weights]), self.figure_view, self.info, self.message]
        )
        # what set_values may set (checked against each control's menu or range first)
        self.controls = name_controls(
            {
                'preset': self.preset_picker,
                'size': self.size_picker,
                'normalise': self.normalise_box,
                'source': self.source_picker,
                'label': self.class_picker,
                'index': self.index_slider,
            }
        )
        self.redraw = guarded(self._redraw, self.show_message)
        self._fill_grid(image_kernels.preset(preset, size) if preset != CUSTOM else None)
        self.preset_picker.observe(self._on_preset, names='value')
        self.size_picker.observe(self._on_size, names='value')
        for cell in self.cells:
            cell.observe(self._on_cell, names='value')
        for control in (
            self.normalise_box,
            self.source_picker,
            self.class_picker,
            self.index_slider,
        ):
            control.observe(self._changed, names='value')
        self.redraw()
        self.add_static_note(
            self.figure_view,
            [
                self.preset_picker,
                self.size_picker,
                self.normalise_box,
                self.source_picker,
                self.class_picker,
                self.index_slider,
                *self.cells,
            ],
        )

    # -- the kernel grid -------------------------------------------------------
    @property
    def size(self):
        return self.size_picker.value

    def kernel(self):
        """The weights typed in the grid, as a (size, size) tensor."""
        k = self.size
        return torch.tensor(
            [[float(self.cells[i * k + j].value) for j in range(k)] for i in range(k)]
        )

    def _fill_grid(self, K=None):
        """Show a k x k grid (and write K into it): called inside ``hold``, so one redraw."""
        k = self.size
        if K is not None:
            for (i, j), v in np.ndenumerate(K.numpy()):
                self.cells[i * k + j].value = round(float(v), 4)
        self.grid.children = self.cells[: k * k]
        self.grid.layout.grid_template_columns = f'repeat({k}, 64px)'
        # An explicit width: inside a row, a grid of fixed columns was laid out 0 px wide.
        self.grid.layout.width = f'{64 * k + 2 * (k - 1)}px'

    def _on_preset(self, change):
        with self.hold():
            if change['new'] != CUSTOM:
                self._fill_grid(image_kernels.preset(change['new'], self.size))

    def _on_size(self, change):
        old, new = change['old'], change['new']
        if self.preset_picker.value != CUSTOM:
            K = image_kernels.preset(self.preset_picker.value, new)
        else:  # keep a custom kernel's centre: crop 5 -> 3, or pad 3 -> 5 with zeros
            K = image_kernels.resize(
                torch.tensor(
                    [[float(self.cells[i * old + j].value) for j in range(old)] for i in range(old)]
                ),
                new,
            )
        with self.hold():
            self._fill_grid(K)

    def _on_cell(self, change):
        if self.holding:  # the grid is being filled: one redraw follows
            return
        name = self.preset_picker.value
        if name != CUSTOM and not torch.allclose(
            self.kernel(), image_kernels.preset(name, self.size), atol=1e-4
        ):
            self.preset_picker.value = CUSTOM  # its observer redraws
        else:
            self.redraw()

    # -- the kernel-free view ------------------------------------------------------
    def static_html(self, note):
        """Settings and weights, every preset at both sizes, a few images of each class
        (more of the class shown, up to the image on display) and D2L's edge image."""
        label, index = self.class_picker.value, self.index_slider.value
        presets = {
            name: {str(k): image_kernels.preset(name, k).tolist() for k in image_kernels.SIZES}
            for name in image_kernels.PRESETS
        }
        images = {}
        for name in TEXT_LABELS:
            count = max(STATIC_IMAGES_PER_CLASS, index + 1 if name == label else 0)
            images[name] = [uint8_image(image_kernels.fashion_image(name, i)) for i in range(count)]
        config = {
            'values': {
                'preset': self.preset_picker.value,
                'size': self.size,
                'normalise': self.normalise_box.value,
                'source': self.source_picker.value,
                'label': label,
                'index': index,
            },
            'weights': self.kernel().tolist(),
            'custom': CUSTOM,
            'sources': list(SOURCES),
            'labels': list(TEXT_LABELS),
            'sizes': list(image_kernels.SIZES),
        }
        extra = (
            json_script('presets', presets)
            + json_script('images', images)
            + json_script('edge', image_kernels.edge_image().tolist())
        )
        return widget_root('kernel-designer', config, self.static_png, note, extra)

    # -- drawing -------------------------------------------------------------
    def image(self):
        """The input image and a title for it."""
        fashion = self.source_picker.value == SOURCES[0]
        self.class_picker.disabled = self.index_slider.disabled = not fashion
        if not fashion:
            return image_kernels.edge_image(), 'D2L edge image 6×8'
        X = image_kernels.fashion_image(self.class_picker.value, self.index_slider.value)
        return X, f'{self.class_picker.value} #{self.index_slider.value} (28×28)'

    def _redraw(self):
        self.show_message('')
        X, source_title = self.image()
        raw = self.kernel()
        K, divisor = image_kernels.normalise(raw) if self.normalise_box.value else (raw, 1.0)
        Y, diff = image_kernels.apply_and_check(X, K)
        name = self.preset_picker.value
        title = f'kernel: {name}' + (f' ÷ {divisor:.3g}' if divisor != 1.0 else '')
        fig = draw_kernel_figure(X, K, Y, source_title, title)
        self.figure_view.value = png_of(fig)
        (h, w), (kh, kw) = X.shape, K.shape
        self.result = {'X': X, 'K': K, 'Y': Y, 'corr2d_difference': diff}
        agree = 'agrees with' if diff < 1e-4 else 'DISAGREES with'
        self.info.value = (
            f'Input {h}×{w}, kernel {kh}×{kw} → output <b>{Y.shape[0]}×{Y.shape[1]}</b> '
            f'({h} − {kh} + 1 = {h - kh + 1}, {w} − {kw} + 1 = {w - kw + 1}). '
            f'Output values from {float(Y.min()):.3g} to {float(Y.max()):.3g}. '
            f'<code>F.conv2d</code> {agree} <code>d2l.corr2d</code> '
            f'(largest difference {diff:.1e}).'
        )


def kernel_designer(
    preset='vertical edge', size=3, source=SOURCES[0], label='ankle boot', index=0, normalise=False
):
    """An interactive kernel designer (section 7.2); returns the widget.

    ``preset`` is a name from ``image_kernels.PRESETS``, ``size`` 3 or 5, ``source``
    ``'Fashion-MNIST'`` or ``'edge image (7.2)'``. In a notebook, put it last in a
    cell; a page rendered without a kernel shows a picture of its initial state.
    """
    return KernelDesigner(
        preset=preset, size=size, source=source, label=label, index=index, normalise=normalise
    )
