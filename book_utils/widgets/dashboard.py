"""The training dashboard: try learning rates, optimisers and batch sizes, and compare.

Each Run trains a fresh model with the book's ``Trainer`` (so the profile caps,
the GPU and the divergence check all apply) in a background thread, which keeps
the notebook responsive: Stop asks the Trainer to stop (``request_stop``) before
its next step, a clean end that keeps the model and its history; the Trainer's
advice reaches the widget through the run's reporter (``runs.RunReporter``).
The curves of every run are overlaid in one picture that is replaced in place
(no ``clear_output``, so no flicker); a diverged run is marked; the last run's
confusion matrix is drawn when it ends.
"""

import contextlib
import copy
import dataclasses
import html
import io
import threading
import time

import ipywidgets as W
import numpy as np
from matplotlib.lines import Line2D
from matplotlib.ticker import MaxNLocator
from torch import nn

from ..checks import check_bool, check_choice, check_float, check_int
from ..data import FashionMNIST
from ..engine.devices import seed_everything
from ..engine.module import init_cnn
from ..engine.profiles import active_profile
from ..engine.train import Trainer
from . import runs
from .base import (
    BookWidget,
    BoundedIntText,
    FloatLogSlider,
    IntSlider,
    image_view,
    labelled,
    message_html,
    name_controls,
    new_figure,
    png_of,
)
from .html_parts import disabled_buttons, disabled_control, png_img

REDRAW_EVERY = 1.0  # seconds between live redraws (drawing costs the training time)
# What the controls offer: an argument outside these is refused, never clamped
# (lr=100 used to train at lr 10; epochs=100 for 30 epochs).
LR_RANGE = (1e-3, 10.0)  # the log slider: 10**-3 to 10**1
EPOCHS_RANGE = (1, 30)
BATCH_SIZES = (32, 64, 128, 256, 512)
SEED_RANGE = (0, 2**31 - 1)
BUTTONS = ('Run', 'Stop', 'Clear')
NO_KERNEL = 'Training needs a running Python kernel, which this page does not have.'
HOW_TO_LAUNCH = (
    'the launch button (the rocket) at the top of the page opens it there; run its '
    'cells, then use the controls.'
)
STATUS_COLOUR = {
    'finished': '#1b5e20',
    'stopped': '#8a4b00',
    'diverged': '#b00020',
    'failed': '#b00020',
    'running': '#1f4e9c',
}


@dataclasses.dataclass
class RunConfig:
    lr: float
    epochs: int
    batch_size: int
    optimizer: str
    seed: int
    init: bool
    model: str = ''  # the model's name, where the dashboard offers several

    def label(self):
        settings = f'lr {self.lr:.3g}, {self.optimizer}, batch {self.batch_size}'
        return f'{self.model}, {settings}' if self.model else settings


@dataclasses.dataclass
class Run:
    """One finished (or running) training run, as the dashboard shows it."""

    number: int
    config: RunConfig
    max_epochs: int = 1  # after the profile's cap
    status: str = 'running'
    curves: dict = dataclasses.field(default_factory=dict)  # label -> [(epoch, value)]
    history: list = dataclasses.field(default_factory=list)
    examples_per_sec: float = 0.0
    seconds: float = 0.0
    note: str = ''
    confusion: object = None

    def final(self, key):
        values = [h[key] for h in self.history if key in h]
        return values[-1] if values else None


def _curves_of(model):
    """The model's plotted points so far: D2L's ProgressBoard keeps them in ``board.data``."""
    board = getattr(model, 'board', None)
    return {label: list(points) for label, points in getattr(board, 'data', {}).items()}


def _loss_ceiling(runs_):
    """Top of the loss axis: fit the runs that did not diverge, so one that exploded
    leaves the chart at the top edge instead of flattening every other curve."""

    def finite_losses(selected):
        return [
            y
            for run in selected
            for key in ('train_loss', 'val_loss')
            for _, y in run.curves.get(key, [])
            if np.isfinite(y)
        ]

    values = finite_losses([r for r in runs_ if r.status != 'diverged']) or [
        min(v, 10.0) for v in finite_losses(runs_)
    ]
    return 1.1 * max(values) if values else 2.5


def draw_runs(runs_):
    """Loss (train solid, validation dashed) and validation accuracy of every run, overlaid."""
    legend_rows = (len(runs_) + 1) // 2  # the legend goes under the plots, two runs a row
    fig = new_figure(8.0, 3.0 + 0.2 * legend_rows)
    grid = fig.add_gridspec(
        2 if runs_ else 1, 2, height_ratios=[3.0, 0.2 * legend_rows] if runs_ else None
    )
    ax_loss, ax_acc = fig.add_subplot(grid[0, 0]), fig.add_subplot(grid[0, 1])
    handles = []
    top = _loss_ceiling(runs_)
    for run in runs_:
        colour = f'C{(run.number - 1) % 10}'
        tag = f'#{run.number} {run.config.label()}' + {
            'diverged': ' ✗ diverged',
            'stopped': ' (stopped)',
            'failed': ' (failed)',
        }.get(run.status, '')
        handles.append(
            Line2D(
                [], [], color=colour, label=tag, marker='x' if run.status == 'diverged' else None
            )
        )
        for key, style, ax in (
            ('train_loss', '-', ax_loss),
            ('val_loss', '--o', ax_loss),
            ('val_acc', '-o', ax_acc),
        ):
            points = run.curves.get(key)
            if not points:
                continue
            x, y = zip(*points)
            ax.plot(x, y, style, color=colour, markersize=3)
            if run.status == 'diverged':  # mark the end, at the top edge if it is off the chart
                y_end = y[-1] if ax is ax_acc or np.isfinite(y[-1]) and y[-1] <= top else top
                ax.plot(x[-1], y_end, 'x', color=colour, markersize=10, mew=2.5, clip_on=False)
    ax_loss.set_title('loss (train —, validation - -)', fontsize=10)
    ax_acc.set_title('validation accuracy', fontsize=10)
    last_epoch = max([run.max_epochs for run in runs_] + [1])
    for ax in (ax_loss, ax_acc):
        ax.set_xlabel('epoch')
        ax.set_xlim(0, last_epoch * 1.04)  # room for the last epoch's marker
        ax.xaxis.set_major_locator(MaxNLocator(integer=True))  # epochs are whole numbers
        ax.grid(alpha=0.3)
    ax_acc.set_ylim(0, 1)
    if runs_:
        ax_loss.set_ylim(0, top)
        ax_legend = fig.add_subplot(grid[1, :])  # its own row: it never hides a curve
        ax_legend.axis('off')
        ax_legend.legend(
            handles=handles, fontsize=8, loc='center', ncol=min(len(handles), 2), frameon=False
        )
    else:
        for ax in (ax_loss, ax_acc):
            ax.text(
                0.5,
                0.5,
                'Press Run: each run is\noverlaid here',
                ha='center',
                va='center',
                transform=ax.transAxes,
                fontsize=11,
                color='#666',
            )
    return fig


def draw_confusion(counts, class_names, title):
    """Counts with each row shaded by its share of that true class."""
    counts = np.asarray(counts)
    n = counts.shape[0]
    fig = new_figure(4.6, 4.2)
    ax = fig.add_subplot()
    shares = counts / np.maximum(counts.sum(axis=1, keepdims=True), 1)
    ax.imshow(shares, cmap='Blues', vmin=0, vmax=1)
    for (i, j), c in np.ndenumerate(counts):
        if c:
            ax.text(
                j,
                i,
                str(c),
                ha='center',
                va='center',
                fontsize=7,
                color='white' if shares[i, j] > 0.6 else 'black',
            )
    ax.set_xticks(range(n), class_names, rotation=60, ha='right', fontsize=8)
    ax.set_yticks(range(n), class_names, fontsize=8)
    ax.set_xlabel('predicted')
    ax.set_ylabel('true')
    ax.set_title(title, fontsize=10)
    return fig


def _runs_table(runs_):
    if not runs_:
        return ''
    named = any(r.config.model for r in runs_)
    head = (
        '<tr><th>#</th>'
        + ('<th>model</th>' if named else '')
        + '<th>lr</th><th>optimizer</th><th>batch</th><th>epochs</th>'
        '<th>seed</th><th>status</th><th>val acc</th><th>examples/s</th><th>time</th></tr>'
    )
    rows = []
    for r in runs_:
        acc = r.final('val_acc')
        c = r.config
        rows.append(
            f'<tr><td>{r.number}</td>'
            + (f'<td>{html.escape(c.model)}</td>' if named else '')
            + f'<td>{c.lr:.3g}</td><td>{html.escape(c.optimizer)}</td>'
            f'<td>{c.batch_size}</td><td>{len(r.history)}/{r.max_epochs}</td><td>{c.seed}</td>'
            f'<td style="color:{STATUS_COLOUR.get(r.status, "black")}"><b>{r.status}</b></td>'
            f'<td>{"" if acc is None else f"{acc:.3f}"}</td>'
            f'<td>{r.examples_per_sec:,.0f}</td><td>{runs.format_seconds(r.seconds)}</td></tr>'
        )
    return (
        '<table style="border-collapse:collapse;font-size:90%" cellpadding="3">'
        + head
        + ''.join(rows)
        + '</table>'
    )


class TrainingDashboard(BookWidget):
    """The widget: settings, Run / Stop / Clear, live curves, a runs table, a confusion matrix."""

    def __init__(
        self,
        model_fn=None,
        data=None,
        *,
        lr=0.1,
        epochs=10,
        batch_size=128,
        optimizer='SGD',
        seed=0,
        init=True,
        threaded=True,
        log_every=1,
    ):
        if model_fn is None:
            from ..models.lenet import LeNet

            model_fn = LeNet
        self.model_fns = _model_choices(model_fn)
        if optimizer not in runs.OPTIMIZERS:
            raise ValueError(
                f'Unknown optimizer {optimizer!r}; choose one of {", ".join(runs.OPTIMIZERS)}.'
            )
        check_float(lr, 'lr', *LR_RANGE)
        check_int(epochs, 'epochs', *EPOCHS_RANGE)
        check_choice(batch_size, 'batch_size', BATCH_SIZES)
        check_int(seed, 'seed', *SEED_RANGE)
        check_bool(init, 'init')
        check_bool(threaded, 'threaded')
        if data is not None and not (
            hasattr(data, 'train_dataloader') and hasattr(data, 'val_dataloader')
        ):
            raise TypeError(
                f'data must be a data module such as d2l.FashionMNIST(batch_size=128) '
                '(with train_dataloader and val_dataloader), got '
                f'{type(data).__name__}.'
            )
        # a shallow copy (the tensors are shared): each run sets its batch size on it,
        # never on the caller's object
        data = copy.copy(data) if data is not None else None
        self.data, self.threaded, self.log_every = data, threaded, log_every
        self.runs, self.model, self.trainer = [], None, None
        self._stop, self._thread, self._last_draw = False, None, 0.0
        # Laid out for a book column of about 680 px.
        self.lr_slider = labelled(
            FloatLogSlider(
                value=lr,
                base=10,
                min=np.log10(LR_RANGE[0]),
                max=np.log10(LR_RANGE[1]),
                step=0.05,
                description='learning rate',
                readout_format='.3g',
                continuous_update=False,
            ),
            '340px',
        )
        self.epochs_slider = labelled(
            IntSlider(
                value=epochs,
                min=EPOCHS_RANGE[0],
                max=EPOCHS_RANGE[1],
                description='epochs',
                continuous_update=False,
            ),
            '290px',
        )
        self.optimizer_picker = labelled(
            W.Dropdown(options=list(runs.OPTIMIZERS), value=optimizer, description='optimizer'),
            '240px',
        )
        self.batch_picker = labelled(
            W.Dropdown(options=list(BATCH_SIZES), value=batch_size, description='batch size'),
            '160px',
        )
        self.seed_box = labelled(
            BoundedIntText(value=seed, min=SEED_RANGE[0], max=SEED_RANGE[1], description='seed'),
            '140px',
        )
        names = list(self.model_fns)
        self.model_picker = labelled(
            W.Dropdown(options=names, value=names[0], description='model'), '300px'
        )
        self.init_box = W.Checkbox(
            value=init,
            description='Xavier init (init_cnn)',
            indent=False,
            layout=W.Layout(width='190px'),
        )
        self.run_button = W.Button(
            description='Run', button_style='success', icon='play', layout=W.Layout(width='80px')
        )
        self.stop_button = W.Button(
            description='Stop',
            button_style='danger',
            icon='stop',
            disabled=True,
            layout=W.Layout(width='80px'),
        )
        self.clear_button = W.Button(
            description='Clear',
            icon='trash',
            tooltip='forget all runs',
            layout=W.Layout(width='80px'),
        )
        self.progress = W.IntProgress(value=0, min=0, max=1, layout=W.Layout(width='200px'))
        self.status = W.HTML()
        self.figure_view = image_view()
        self.confusion_view = image_view('360px')  # joins the results row once a run ends
        self.table = W.HTML()
        self.results = W.VBox([self.table])
        self.message = W.HTML()
        super().__init__(
            children=([self.model_picker] if len(names) > 1 else [])
            + [
                W.HBox([self.lr_slider, self.epochs_slider]),
                W.HBox([self.optimizer_picker, self.batch_picker, self.seed_box]),
                W.HBox([self.run_button, self.stop_button, self.clear_button, self.init_box]),
                W.HBox([self.progress, self.status]),
                self.figure_view,
                self.message,
                self.results,
            ]
        )
        self.controls = name_controls(
            {
                'lr': self.lr_slider,
                'epochs': self.epochs_slider,
                'batch_size': self.batch_picker,
                'optimizer': self.optimizer_picker,
                'seed': self.seed_box,
                'init': self.init_box,
                'model': self.model_picker,
            }
        )
        self.run_button.on_click(lambda _: self.start())
        self.stop_button.on_click(lambda _: self.stop())
        self.clear_button.on_click(lambda _: self.clear())
        self.redraw()
        self.status.value = message_html(f"profile '{active_profile().name}': press Run to train")
        self.add_static_note(
            self.figure_view,
            self.controls.values(),
            [self.run_button, self.stop_button, self.clear_button],
        )

    # -- the buttons ---------------------------------------------------------
    def config(self):
        return RunConfig(
            lr=float(self.lr_slider.value),
            epochs=int(self.epochs_slider.value),
            batch_size=int(self.batch_picker.value),
            optimizer=self.optimizer_picker.value,
            seed=int(self.seed_box.value),
            init=bool(self.init_box.value),
            model=self.model_picker.value if len(self.model_fns) > 1 else '',
        )

    def running(self):
        return self._thread is not None and self._thread.is_alive()

    def start(self):
        """What Run does: train one model with the current settings (in a thread if threaded)."""
        if self.running():
            self.show_message('A run is in progress: press Stop first.', 'warning')
            return
        self._stop = False
        self.show_message('')
        self.progress.value = 0
        run = Run(number=len(self.runs) + 1, config=self.config())
        self.runs.append(run)
        self.run_button.disabled, self.stop_button.disabled = True, False
        if self.threaded:
            self._thread = threading.Thread(target=self._train, args=(run,), daemon=True)
            self._thread.start()
        else:
            self._train(run)

    def run(self, wait=True, **settings):
        """Set controls by name (``lr``, ``epochs``, ``batch_size``, ``optimizer``,
        ``seed``, ``init``, ``model``) and press Run; returns the ``Run``.

        A page can so open with runs to compare already drawn (they are the
        picture a reader without a kernel sees), and a script can drive the
        dashboard. Like ``set_values``, it is not the reader's touch.
        """
        self.set_values(**settings)
        self.start()
        if wait:
            self.wait()
        return self.runs[-1]

    def stop(self):
        """What Stop does: ask the running Trainer to stop before its next step."""
        self._stop = True  # also read by the run's reporter, should the Trainer not exist yet
        if self.running() and self.trainer is not None:
            self.trainer.request_stop('interrupted')

    def wait(self, timeout=None):
        """Block until the current run ends (for scripts and tests)."""
        if self._thread is not None:
            self._thread.join(timeout)
        return not self.running()

    def clear(self):
        if self.running():
            self.show_message('Stop the current run before clearing.', 'warning')
            return
        self.runs = []
        self.redraw()
        self.table.value = ''
        self.results.children = [self.table]

    # -- one run -------------------------------------------------------------
    def _data(self, batch_size):
        if self.data is None:
            self.data = FashionMNIST(batch_size=batch_size)
        self.data.batch_size = active_profile().capped_batch_size(batch_size)
        return self.data

    def _build_model(self, config):
        seed_everything(config.seed)
        model_fn = self.model_fns[config.model or next(iter(self.model_fns))]
        built = copy.deepcopy(model_fn) if isinstance(model_fn, nn.Module) else model_fn()
        model = runs.as_trainable(built, config.lr)
        if config.init:  # lazy layers get it once their shapes are known; keep its notice quiet
            with contextlib.redirect_stdout(io.StringIO()):
                model.apply(init_cnn)
        model.configure_optimizers = lambda: runs.make_optimizer(
            config.optimizer, model.parameters(), config.lr
        )
        model.board.display = False  # the dashboard draws, not the board
        model.plot_train_per_epoch = max(getattr(model, 'plot_train_per_epoch', 2), 10)
        return model

    def _train(self, run):
        started = time.perf_counter()
        try:
            data = self._data(run.config.batch_size)
            self.model = model = self._build_model(run.config)
            speed = runs.Speedometer(total_batches=1)
            reporter = runs.RunReporter(lambda: self._stop, lambda examples: on_batch(examples))
            self.trainer = trainer = Trainer(
                max_epochs=run.config.epochs,
                num_gpus=1,
                progress=False,
                verbose=False,
                log_every=self.log_every,
                reporter=reporter,
            )
            run.max_epochs = trainer.max_epochs
            run.config.batch_size = data.batch_size  # what the profile allowed

            def on_batch(examples):
                if speed.batches == 0:  # the Trainer knows the batch count by now
                    speed.total_batches = trainer.max_epochs * trainer.num_train_batches
                    self.progress.max = max(speed.total_batches, 1)
                speed.update(examples)
                run.curves = _curves_of(model)
                run.examples_per_sec = speed.examples_per_sec
                if time.perf_counter() - self._last_draw >= REDRAW_EVERY:
                    self._live_update(run, speed, trainer)

            trainer.fit(model, data)
            run.history = list(trainer.history)
            run.curves = _curves_of(model)
            run.status = {'diverged': 'diverged', 'interrupted': 'stopped'}.get(
                trainer.stop_reason, 'finished'
            )
            run.note = reporter.advice[0] if reporter.advice else ''
            run.seconds = time.perf_counter() - started
            self._live_update(run, speed, trainer)
            self._confusion(run, model, trainer, data)
            if run.status == 'diverged':
                self.show_message(run.note, 'warning')
        except Exception as err:  # the reader's model may not fit the data: say so, keep going
            run.status, run.note = 'failed', f'{type(err).__name__}: {err}'
            run.seconds = time.perf_counter() - started
            self.show_message(f'Run {run.number} failed: {run.note}', 'error')
            self.status.value = message_html(f'run {run.number} failed', 'error')
        finally:
            self.run_button.disabled, self.stop_button.disabled = False, True
            self.redraw()
            self.table.value = _runs_table(self.runs)

    def _live_update(self, run, speed, trainer):
        self._last_draw = time.perf_counter()
        self.progress.value = min(speed.batches, self.progress.max)
        epoch = min(getattr(trainer, 'epoch', 0) + 1, trainer.max_epochs)
        self.status.value = message_html(
            f'run {run.number} on {trainer.device}: epoch {epoch}/{trainer.max_epochs}, '
            f'{speed.examples_per_sec:,.0f} examples/s, '
            f'{runs.format_seconds(speed.eta)} left'
            if run.status == 'running'
            else f'run {run.number} {run.status} after {runs.format_seconds(speed.elapsed)} '
            f'on {trainer.device} ({speed.examples_per_sec:,.0f} examples/s)'
        )
        self.redraw()
        self.table.value = _runs_table(self.runs)

    def redraw(self):
        """The picture of every run so far (also what ``set_values`` redraws)."""
        self.figure_view.value = png_of(draw_runs(self.runs))

    def _confusion(self, run, model, trainer, data):
        max_batches = active_profile().max_val_batches
        y, y_hat = runs.predict(model, data.val_dataloader(), trainer.prepare_batch, max_batches)
        if not len(y):
            return
        classes = int(max(y.max(), y_hat.max())) + 1
        classes = 10 if classes <= 10 and hasattr(data, 'text_labels') else classes
        run.confusion = runs.confusion_matrix(y, y_hat, classes)
        names = (
            data.text_labels(range(classes))
            if hasattr(data, 'text_labels')
            else [str(i) for i in range(classes)]
        )
        accuracy = float(run.confusion.diag().sum()) / len(y)
        self.results.children = [self.table, self.confusion_view]
        self.confusion_view.value = png_of(
            draw_confusion(
                run.confusion,
                names,
                f'run {run.number}: {len(y):,} validation images, accuracy {accuracy:.1%}',
            )
        )

    # -- the kernel-free view ------------------------------------------------------
    def static_html(self, note):
        """The saved runs as a picture, the settings shown disabled, and how to train on Colab."""
        shown = {
            'model': self.model_picker.value,
            'learning rate': f'{self.lr_slider.value:.3g}',
            'epochs': self.epochs_slider.value,
            'optimizer': self.optimizer_picker.value,
            'batch size': self.batch_picker.value,
            'seed': self.seed_box.value,
            'Xavier init': 'yes' if self.init_box.value else 'no',
        }
        controls = ''.join(disabled_control(k, v) for k, v in shown.items())
        count = len(self.runs)
        saved = (
            f'{count} run{"s" if count != 1 else ""} saved with this page'
            if count
            else 'No runs were saved with this page'
        )
        return (
            '<div class="book-widget book-widget-static" '
            'data-book-widget="training-dashboard">'
            f'<p class="book-widget-notice" role="note"><strong>{html.escape(saved)}.</strong> '
            f'{html.escape(NO_KERNEL)} {html.escape(note.rstrip("."))}: '
            f'{html.escape(HOW_TO_LAUNCH)}</p>'
            f'<div class="book-widget-controls">{controls}{disabled_buttons(BUTTONS)}</div>'
            f'{png_img(self.static_png, "the runs saved with this page")}'
            f'{self.table.value}</div>'
        )


def _model_choices(model_fn):
    """``{name: builder}``: one model, or a dict of them to pick from (e.g. with and
    without batch normalization), each checked before the widget is drawn."""
    if isinstance(model_fn, dict):
        if not model_fn:
            raise ValueError(
                'model_fn is an empty dict: give at least one name -> model, '
                "e.g. {'LeNet': d2l.LeNet}."
            )
        choices = {str(name): fn for name, fn in model_fn.items()}
    else:
        choices = {getattr(model_fn, '__name__', type(model_fn).__name__): model_fn}
    for name, fn in choices.items():
        if not (callable(fn) or isinstance(fn, nn.Module)):
            raise TypeError(
                'model_fn must build a model (a class such as d2l.LeNet, or a '
                f'function returning an nn.Module); {name!r} is a {type(fn).__name__}.'
            )
    return choices


def training_dashboard(model_fn=None, data=None, **settings):
    """An interactive training dashboard (section 7.6 and chapter 8); returns the widget.

    ``model_fn`` builds a fresh model for every run: a class such as ``d2l.LeNet``,
    a function returning any ``nn.Module`` (a plain one is trained as a
    classifier with cross-entropy loss), or a model instance (copied for each
    run). A dict ``{name: model_fn}`` adds a menu to compare models, e.g. LeNet
    with and without batch normalization. ``data`` is a ``d2l.FashionMNIST``
    (default: 28x28 images). Keywords set the initial ``lr``, ``epochs``,
    ``batch_size``, ``optimizer``, ``seed`` and ``init``; ``threaded=False``
    trains in the calling thread (scripts, tests).
    """
    return TrainingDashboard(model_fn, data, **settings)
