"""Figures: D2L's plotting helpers and a live ``ProgressBoard`` that does not flicker.

D2L's board re-plots every line from scratch and calls ``clear_output`` at each
point, which flickers, wipes the cell's other output and (because it converts
each value to NumPy) waits for the GPU at every step. This board keeps values
on the device until it needs an average, moves existing lines instead of
drawing new ones, and updates one displayed image in place. Outside a notebook the Trainer prints a
text log, and the board keeps its curves in one pyplot figure (as D2L's does), so a
script's ``plt.show()`` after ``fit`` shows them.
"""

import collections
import io

import torch
from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from ..checks import check_int
from ..hparams import HyperParameters


def in_notebook():
    """True inside a Jupyter/IPython kernel (Jupyter, JupyterLab, VS Code, Colab)."""
    try:
        from IPython import get_ipython
    except ImportError:
        return False
    shell = get_ipython()
    return shell is not None and getattr(shell, 'kernel', None) is not None


def use_svg_display():
    """Show inline figures as SVG (sharp at any zoom), as D2L does."""
    if in_notebook():
        from matplotlib_inline import backend_inline

        backend_inline.set_matplotlib_formats('svg')


def set_figsize(figsize=(3.5, 2.5)):
    """Set the default figure size for matplotlib."""
    use_svg_display()
    plt.rcParams['figure.figsize'] = figsize


def set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend):
    """Set labels, limits, scales and legend of a matplotlib axes."""
    axes.set_xlabel(xlabel), axes.set_ylabel(ylabel)
    axes.set_xscale(xscale), axes.set_yscale(yscale)
    axes.set_xlim(xlim), axes.set_ylim(ylim)
    if legend:
        axes.legend(legend)
    axes.grid()


def plot(
    X,
    Y=None,
    xlabel=None,
    ylabel=None,
    legend=None,
    xlim=None,
    ylim=None,
    xscale='linear',
    yscale='linear',
    fmts=('-', 'm--', 'g-.', 'r:'),
    figsize=(3.5, 2.5),
    axes=None,
):
    """Plot one or several curves (D2L's ``plot``): X and Y may be lists, arrays or tensors."""

    def has_one_axis(X):
        return (
            hasattr(X, 'ndim')
            and X.ndim == 1
            or isinstance(X, list)
            and not hasattr(X[0], '__len__')
        )

    def as_numpy(v):
        return v.detach().cpu().numpy() if isinstance(v, torch.Tensor) else v

    for name, values in (('X', X), ('Y', Y)):  # an empty curve would be an IndexError below
        if values is not None and (not hasattr(values, '__len__') or len(values) == 0):
            raise ValueError(
                f'plot needs values to draw: {name} is {values!r}. Pass a list, '
                f'array or tensor with at least one value.'
            )
    if has_one_axis(X):
        X = [X]
    if Y is None:
        X, Y = [[]] * len(X), X
    elif has_one_axis(Y):
        Y = [Y]
    if len(X) != len(Y):
        X = X * len(Y)
    for x, y in zip(X, Y):
        if len(x) and len(x) != len(y):
            raise ValueError(f'plot needs one x per y: X has {len(x)} values but Y has {len(y)}.')
    set_figsize(figsize)
    if axes is None:
        axes = plt.gca()
    axes.cla()
    for x, y, fmt in zip(X, Y, fmts):
        axes.plot(as_numpy(x), as_numpy(y), fmt) if len(x) else axes.plot(as_numpy(y), fmt)
    set_axes(axes, xlabel, ylabel, xlim, ylim, xscale, yscale, legend or [])


def show_images(imgs, num_rows, num_cols, titles=None, scale=1.5, cmap='gray'):
    """Show a grid of images; (H, W) and (C, H, W) tensors or arrays are accepted.

    As in D2L, the grid shows the first ``num_rows * num_cols`` images and ignores
    the rest (``visualize`` passes a whole batch); it needs a title for each shown.
    """
    num_rows, num_cols = (
        check_int(num_rows, 'num_rows', low=1),
        check_int(num_cols, 'num_cols', low=1),
    )
    if imgs is None or len(imgs) == 0:
        raise ValueError(f'show_images needs at least one image, got {imgs!r}.')
    shown = min(len(imgs), num_rows * num_cols)
    if titles and len(titles) < shown:
        raise ValueError(
            f'titles has {len(titles)} entries for {shown} images shown; give '
            f'one title per image, or titles=None.'
        )
    figsize = (num_cols * scale, num_rows * scale)
    _, axes = plt.subplots(num_rows, num_cols, figsize=figsize, squeeze=False)
    axes = axes.flatten()
    for i, (ax, img) in enumerate(zip(axes, imgs)):
        if isinstance(img, torch.Tensor):
            img = img.detach().cpu()
            if img.dim() == 3:
                img = img.squeeze(0) if img.shape[0] == 1 else img.permute(1, 2, 0)
            img = img.numpy()
        ax.imshow(img, cmap=cmap if img.ndim == 2 else None)
        ax.axes.get_xaxis().set_visible(False)
        ax.axes.get_yaxis().set_visible(False)
        if titles:
            ax.set_title(titles[i])
    return axes


def figure_png(fig, dpi=110):
    """Render a figure to PNG bytes (works for figures pyplot does not know about)."""
    buf = io.BytesIO()
    fig.savefig(buf, format='png', dpi=dpi, bbox_inches='tight')
    return buf.getvalue()


class LiveFigure:
    """One figure shown in a notebook and updated in place through a display handle.

    The figure is built with ``matplotlib.figure.Figure`` rather than pyplot, so
    the inline backend does not print a second copy when the cell ends.
    """

    def __init__(self, figsize=(3.5, 2.5), fig=None, axes=None):
        self.fig = fig if fig is not None else Figure(figsize=figsize)
        self.axes = axes if axes is not None else self.fig.add_subplot()
        self._handle = None

    def show(self):
        if not in_notebook():
            return
        from IPython.display import Image, display

        image = Image(data=figure_png(self.fig), format='png')
        if self._handle is None:
            self._handle = display(image, display_id=True)
        else:
            self._handle.update(image)


def _mean(values):
    """Average a list of numbers or device tensors with a single synchronisation."""
    if any(isinstance(v, torch.Tensor) for v in values):
        return (
            torch.stack(
                [
                    torch.as_tensor(v)
                    .detach()
                    .float()
                    .reshape(())
                    .to(values[0].device if isinstance(values[0], torch.Tensor) else 'cpu')
                    for v in values
                ]
            )
            .mean()
            .item()
        )
    return float(sum(float(v) for v in values) / len(values))


class ProgressBoard(HyperParameters):
    """The board that plots data points in animation (D2L's signature and averaging).

    ``draw(x, y, label, every_n)`` collects points and, once ``every_n`` of a
    label have arrived, plots their mean. ``y`` may be a tensor on the GPU: it is
    only read back when the mean is taken.
    """

    def __init__(
        self,
        xlabel=None,
        ylabel=None,
        xlim=None,
        ylim=None,
        xscale='linear',
        yscale='linear',
        ls=('-', '--', '-.', ':'),
        colors=('C0', 'C1', 'C2', 'C3'),
        fig=None,
        axes=None,
        figsize=(3.5, 2.5),
        display=True,
    ):
        self.save_hyperparameters()
        self.raw_points = collections.OrderedDict()
        self.data = collections.OrderedDict()
        self._live = None
        self._script_figure = None  # outside a notebook: one pyplot figure per board
        self._lines = {}

    def draw(self, x, y, label, every_n=1):
        every_n = max(1, int(every_n))
        points = self.raw_points.setdefault(label, [])
        line = self.data.setdefault(label, [])
        points.append((x, y))
        if len(points) < every_n:
            return
        line.append((_mean([p[0] for p in points]), _mean([p[1] for p in points])))
        points.clear()
        if not self.display:
            return
        if not in_notebook() and self._script_figure is None and self.fig is None:
            # a script: a pyplot figure, as D2L's board makes, so that plt.show() after fit
            # shows the curves; nothing is drawn on screen until then
            fig = plt.figure(figsize=self.figsize)
            self._script_figure = LiveFigure(fig=fig, axes=fig.add_subplot())
        self.render()

    def render(self):
        """Move each line to its current data and refresh the displayed image."""
        if self._live is None:
            self._live = self._script_figure or LiveFigure(self.figsize, self.fig, self.axes)
        ax = self._live.axes
        for i, (label, pts) in enumerate(self.data.items()):
            if label not in self._lines:
                (self._lines[label],) = ax.plot(
                    [],
                    [],
                    linestyle=self.ls[i % len(self.ls)],
                    color=self.colors[i % len(self.colors)],
                    label=label,
                )
            self._lines[label].set_data([p[0] for p in pts], [p[1] for p in pts])
        ax.relim()
        ax.autoscale_view()
        if self.xlim:
            ax.set_xlim(self.xlim)
        if self.ylim:
            ax.set_ylim(self.ylim)
        ax.set_xlabel(self.xlabel or 'x')
        if self.ylabel:
            ax.set_ylabel(self.ylabel)
        ax.set_xscale(self.xscale)
        ax.set_yscale(self.yscale)
        ax.legend(loc='best', fontsize='small')
        self._live.show()

    def clear(self):
        """Forget all points (a new ``fit`` starts a new picture)."""
        self.raw_points.clear()
        self.data.clear()
        self._lines = {}
        self._live = None
        if getattr(self, '_script_figure', None) is not None:  # the same figure, redrawn
            self._script_figure.axes.cla()
