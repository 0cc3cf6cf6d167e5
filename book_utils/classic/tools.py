"""The small tools of D2L's function-style chapters: ``Accumulator``, ``Timer``,
``accuracy``, ``Animator``, ``check_shape``, ``check_len``.

Older D2L code (the 0.x releases, the Chinese edition, most published homework)
trains with loops written out by hand and these helpers; d2l 1.0.3 still ships
them. They keep D2L's names, signatures and results. Two changes: a call that
D2L would answer with a silently wrong number (an ``Accumulator`` fed too few
values, labels of the wrong shape) is refused with a message; and ``Animator``
updates one figure in place in a notebook and prints a line per point in a
script (where its pyplot figure holds the curves for ``plt.show()``), where D2L
re-plots and clears the cell output at every point.
"""

import time

from matplotlib import pyplot as plt
from matplotlib.figure import Figure

from ..checks import check_int
from ..teaching.plot import LiveFigure, in_notebook, set_axes, use_svg_display

__all__ = ['Accumulator', 'Timer', 'accuracy', 'Animator', 'check_shape', 'check_len']


class Accumulator:
    """Running sums of ``n`` numbers (say: summed loss, correct predictions, examples)."""

    def __init__(self, n):
        self.data = [0.0] * check_int(n, 'n', low=1)

    def add(self, *args):
        if len(args) != len(self.data):
            raise ValueError(
                f'Accumulator.add: this Accumulator sums {len(self.data)} values, '
                f'got {len(args)}; pass one value for each.'
            )
        self.data = [total + float(value) for total, value in zip(self.data, args)]

    def reset(self):
        self.data = [0.0 for _ in self.data]

    def __getitem__(self, idx):
        return self.data[idx]


class Timer:
    """A stopwatch that remembers every interval: ``start()``, ``stop()``, then
    ``sum()``, ``avg()`` or ``cumsum()`` of the recorded seconds."""

    def __init__(self):
        self.times = []
        self.start()

    def start(self):
        self.tik = time.perf_counter()

    def stop(self):
        self.times.append(time.perf_counter() - self.tik)
        return self.times[-1]

    def avg(self):
        if not self.times:
            raise ValueError('Timer.avg: no interval recorded yet; call stop() first.')
        return self.sum() / len(self.times)

    def sum(self):
        return sum(self.times)

    def cumsum(self):
        running, out = 0.0, []
        for t in self.times:
            running += t
            out.append(running)
        return out


def correct_count(y_hat, y):
    """How many predictions are right, as a tensor on ``y_hat``'s device (no read-back).

    ``y_hat`` holds scores (B, classes) or predicted labels (B,); ``y`` the labels.
    """
    if y_hat.dim() > 1 and y_hat.shape[1] > 1:
        y_hat = y_hat.argmax(dim=1)
    if y_hat.shape != y.shape:
        raise ValueError(
            f'accuracy: predictions of shape {tuple(y_hat.shape)} cannot be compared '
            f'with labels of shape {tuple(y.shape)}: the comparison would broadcast '
            f'and count wrong pairs. Pass labels of shape {tuple(y_hat.shape)} '
            f'(e.g. y.reshape(-1)).'
        )
    return (y_hat.type(y.dtype) == y).sum()


def accuracy(y_hat, y):
    """The number (a float, not a fraction) of correct predictions in a batch."""
    return float(correct_count(y_hat, y))


def check_shape(a, shape):
    """Fail with both shapes when tensor ``a`` does not have shape ``shape``."""
    assert a.shape == shape, f'expected a tensor of shape {tuple(shape)}, got {tuple(a.shape)}'


def check_len(a, n):
    """Fail with both lengths when ``a`` does not hold ``n`` items."""
    assert len(a) == n, f'expected {n} items, got {len(a)}'


class Animator:
    """Curves that grow point by point, for loops written by hand.

    ``add(x, y)`` appends one point to each curve (``y`` a number or one value a
    curve, ``None`` to skip a curve). In a notebook the figure is redrawn and the
    one image updated in place; in a script each call prints one line instead.
    """

    def __init__(
        self,
        xlabel=None,
        ylabel=None,
        legend=None,
        xlim=None,
        ylim=None,
        xscale='linear',
        yscale='linear',
        fmts=('-', 'm--', 'g-.', 'r:'),
        nrows=1,
        ncols=1,
        figsize=(3.5, 2.5),
    ):
        use_svg_display()
        # a notebook: not pyplot, so no second copy at the end of the cell; a script: pyplot,
        # so that plt.show() at the end shows the curves, as D2L's Animator does
        self.fig = Figure(figsize=figsize) if in_notebook() else plt.figure(figsize=figsize)
        axes = self.fig.subplots(
            check_int(nrows, 'nrows', low=1), check_int(ncols, 'ncols', low=1), squeeze=False
        )
        self.axes = list(axes.flat)
        self.legend = list(legend or [])
        self.xlabel = xlabel
        self.config_axes = lambda: set_axes(
            self.axes[0], xlabel, ylabel, xlim, ylim, xscale, yscale, self.legend
        )
        self.fmts = fmts
        self.X = self.Y = None  # one list of points per curve, made at the first add
        self._live = LiveFigure(fig=self.fig, axes=self.axes[0])

    def add(self, x, y):
        self._add(x, y, log=True)

    def _add(self, x, y, log):
        """``add``; ``log=False`` draws the point in a notebook but prints no line in a script."""
        ys = list(y) if hasattr(y, '__len__') else [y]
        xs = list(x) if hasattr(x, '__len__') else [x] * len(ys)
        if self.X is None:
            self.X, self.Y = [[] for _ in ys], [[] for _ in ys]
        if len(ys) != len(self.Y):
            raise ValueError(
                f'Animator.add: this Animator draws {len(self.Y)} curves, got '
                f'{len(ys)} values; pass one value (or None) for each curve.'
            )
        for xs_i, ys_i, a, b in zip(self.X, self.Y, xs, ys):
            if None not in (a, b):
                xs_i.append(float(a))
                ys_i.append(float(b))
        if in_notebook():
            self._draw()
        else:
            self._draw()  # into the pyplot figure: shown by plt.show(), not now
            if log:
                print(self._line(xs, ys), flush=True)

    def _draw(self):
        ax = self.axes[0]
        ax.cla()
        for xs, ys, fmt in zip(self.X, self.Y, self.fmts):
            ax.plot(xs, ys, fmt)
        self.config_axes()
        self._live.show()

    def _line(self, xs, ys):
        names = self.legend + [f'y{i}' for i in range(len(self.legend), len(ys))]
        values = ', '.join(f'{name} {float(v):.3f}' for name, v in zip(names, ys) if v is not None)
        x = next((a for a in xs if a is not None), None)
        return f'{self.xlabel or "x"} {float(x):g}: {values}' if x is not None else values
