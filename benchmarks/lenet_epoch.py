"""LeNet on Fashion-MNIST: D2L 1.0.3's Trainer + FashionMNIST against book_utils', side by side.

Both sides run D2L 7.6's recipe in one process: ``LeNet(lr=0.1)``, batch 128,
``apply_init`` with ``init_cnn``, ``Trainer(max_epochs, num_gpus=1).fit`` with
validation, on the same CPU threads, over the same number of batches. D2L's side
is D2L's code as a student runs it (its DataLoader with ``num_workers=4``, its
ProgressBoard drawing into an Agg figure); ours is ``import book_utils as d2l``
with the defaults a chapter uses. Prints examples/s of each and the ratio, and
with ``--epochs N`` the final validation accuracy of both.

    .venv/bin/python benchmarks/lenet_epoch.py --repeat 3 --floor   # 1 epoch (make bench)
    .venv/bin/python benchmarks/lenet_epoch.py --epochs 10         # + accuracy, D2L's 10 epochs
    .venv/bin/python benchmarks/lenet_epoch.py --batches 20 --no-write   # a quick check

It takes the project's CPU lock itself (as tools/execute_notebooks.py does), so
do not wrap it in ``flock`` on the same file: that would wait on itself.

Merges its record into ``book_utils/results/benchmarks-cpu.json`` (hardware, date, figures) under
``lenet_epoch`` / ``epochs=N seed=S``, unless ``--no-write``. Timings are the
fastest of ``--repeat`` runs per side, alternating which side goes first.
"""

import contextlib
import gc
import io
import os
import shutil
import statistics
import sys
from pathlib import Path

os.environ['BOOK_PROFILE'] = 'cpu'  # no smoke caps: both sides see every batch
sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (sets MPLBACKEND=Agg before matplotlib loads)
import torch  # noqa: E402

BATCH, LR = 128, 0.1


def n_examples(dataset_len, batches, epochs):
    per_epoch = dataset_len if batches is None else min(dataset_len, batches * BATCH)
    return per_epoch * epochs


def run_d2l(root, args):
    d2l_oracle = common.oracle()
    torch.manual_seed(args.seed)
    data = common.cap_batches(
        common.d2l_fashion_mnist(root, BATCH, (28, 28)), args.batches, args.val_batches
    )
    model = d2l_oracle.LeNet(lr=LR)
    model.apply_init([next(iter(data.get_dataloader(True)))[0]], d2l_oracle.init_cnn)
    trainer = d2l_oracle.Trainer(max_epochs=args.epochs, num_gpus=1)
    with contextlib.redirect_stdout(io.StringIO()):  # display() prints 'Figure(...)' in a script
        _, seconds = common.timed(lambda: trainer.fit(model, data))
    return {
        'seconds': seconds,
        'train_batches': trainer.train_batch_idx,
        'val_batches': trainer.val_batch_idx,
        'examples': n_examples(len(data.train), args.batches, args.epochs),
        'val_acc_by_epoch': common.d2l_val_acc_by_epoch(model),
        'num_workers': data.num_workers,
    }


def run_ours(args):
    import book_utils as d2l

    torch.manual_seed(args.seed)
    data = common.cap_batches(d2l.FashionMNIST(batch_size=BATCH), args.batches, args.val_batches)
    model = d2l.LeNet(lr=LR)
    model.apply_init([next(iter(data.get_dataloader(True)))[0]], d2l.init_cnn)
    trainer = d2l.Trainer(
        max_epochs=args.epochs, num_gpus=1, progress=not args.quiet, verbose=not args.quiet
    )
    _, seconds = common.timed(lambda: trainer.fit(model, data))
    return {
        'seconds': seconds,
        'train_batches': trainer.train_batch_idx,
        'val_batches': trainer.val_batch_idx,
        'examples': n_examples(len(data.train), args.batches, args.epochs),
        'val_acc_by_epoch': [h.get('val_acc') for h in trainer.history],
        'channels_last': trainer.steps.channels_last,
    }


def run_floor(args):
    """The floor: a bare loop over in-memory float tensors, no Trainer, no validation."""
    from torch.nn import functional as F

    import book_utils as d2l

    torch.manual_seed(args.seed)
    data = d2l.FashionMNIST(batch_size=BATCH)
    X_all = data.train.images.unsqueeze(1).float().div(255)
    y_all = data.train.labels
    model = d2l.LeNet(lr=LR)
    model.apply_init([X_all[:BATCH]], d2l.init_cnn)
    model.to(memory_format=torch.channels_last)
    optim = torch.optim.SGD(model.parameters(), lr=LR)
    n = n_examples(len(X_all), args.batches, 1)

    def loop():
        for _ in range(args.epochs):
            order = torch.randperm(len(X_all))[:n]
            for start in range(0, n, BATCH):
                idx = order[start : start + BATCH]
                X = X_all.index_select(0, idx).contiguous(memory_format=torch.channels_last)
                loss = F.cross_entropy(model(X), y_all.index_select(0, idx))
                optim.zero_grad(set_to_none=True)
                loss.backward()
                optim.step()
        return float(loss.detach())

    _, seconds = common.timed(loop)
    return {'seconds': seconds, 'examples': n * args.epochs, 'val_acc_by_epoch': []}


def main(argv=None):
    parser = common.cpu_timing_parser(__doc__.split('\n\n')[0], train_batches=469)
    parser.add_argument(
        '--val-batches',
        type=int,
        default=None,
        help='validation batches per epoch (default: all 79)',
    )
    parser.add_argument(
        '--floor',
        action='store_true',
        help='also time a bare loop over in-memory tensors (no Trainer, no validation)',
    )
    parser.add_argument('--only', choices=['d2l', 'ours'], help='run one side (for profiling)')
    parser.add_argument('--quiet', action='store_true', help='no progress bar or epoch lines')
    args = parser.parse_args(argv)

    common.warm_up()
    root = common.d2l_data_root()
    sides = {'d2l': lambda: run_d2l(root, args), 'ours': lambda: run_ours(args)}
    if args.only:
        sides = {args.only: sides[args.only]}
    if args.floor:
        sides['floor'] = lambda: run_floor(args)
    tries = {name: [] for name in sides}
    try:
        with common.cpu_lock(not args.no_lock):
            for r in range(args.repeat):
                for name in list(sides) if r % 2 == 0 else list(sides)[::-1]:
                    gc.collect()
                    tries[name].append(sides[name]())
                    print(
                        f'  [{name} run {len(tries[name])}: {tries[name][-1]["seconds"]:.2f} s]',
                        flush=True,
                    )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    runs = {}
    for name, results in tries.items():  # the fastest run counts (repeats share the seed)
        runs[name] = dict(
            min(results, key=lambda r: r['seconds']),
            all_seconds=[round(r['seconds'], 3) for r in results],
        )
        runs[name]['val_acc'] = (runs[name]['val_acc_by_epoch'] or [None])[-1]

    env = common.environment()
    first = runs[next(iter(tries))]
    print(
        f'\nLeNet, batch {BATCH}, lr {LR}, {args.epochs} epoch(s) of '
        f'{first["train_batches"] // args.epochs} training + '
        f'{first["val_batches"] // args.epochs} validation batches, best of {args.repeat}; '
        f'{env["hardware"]}, torch {env["torch"]}'
    )
    for name, r in runs.items():
        r['examples_per_sec'] = r['examples'] / r['seconds']
        acc = f', final val_acc {r["val_acc"]:.4f}' if r.get('val_acc') is not None else ''
        print(f'  {name:5s} {r["seconds"]:7.2f} s  {r["examples_per_sec"]:8,.0f} examples/s{acc}')
    record = dict(
        env,
        benchmark='lenet_epoch',
        model='LeNet',
        batch_size=BATCH,
        lr=LR,
        epochs=args.epochs,
        batches=args.batches,
        val_batches=args.val_batches,
        runs=runs,
        command='python benchmarks/lenet_epoch.py ' + ' '.join(argv or sys.argv[1:]),
    )
    if 'd2l' in runs and 'ours' in runs:
        d, o = runs['d2l'], runs['ours']
        if (d['train_batches'], d['val_batches']) != (o['train_batches'], o['val_batches']):
            raise SystemExit(f'batch counts differ: D2L {d}, ours {o}')
        record['speedup'] = o['examples_per_sec'] / d['examples_per_sec']
        record['speedup_of_medians'] = statistics.median(d['all_seconds']) / statistics.median(
            o['all_seconds']
        )
        print(
            f'  ratio ours / D2L: {record["speedup"]:.2f}x (fastest runs), '
            f'{record["speedup_of_medians"]:.2f}x (medians of {args.repeat})'
        )
        if d['val_acc'] is not None and o['val_acc'] is not None:
            record['val_acc_difference'] = o['val_acc'] - d['val_acc']
            print(f'  val_acc difference (ours - D2L): {record["val_acc_difference"]:+.4f}')
            if args.epochs > 1:
                for name in ('d2l', 'ours'):
                    print(
                        f'  val_acc by epoch, {name:4s}: '
                        + ' '.join(f'{a:.3f}' for a in runs[name]['val_acc_by_epoch'])
                    )
    if 'floor' in runs:
        record['floor_over_ours'] = (
            runs['floor']['examples_per_sec'] / runs['ours']['examples_per_sec']
        )
        print(f'  a bare loop (no Trainer, no validation) is {record["floor_over_ours"]:.2f}x ours')
    if not args.no_write and 'speedup' in record:
        key = (
            f'epochs={args.epochs} seed={args.seed}'
            + (f' batches={args.batches}' if args.batches else '')
            + (f' val_batches={args.val_batches}' if args.val_batches else '')
        )
        common.merge_json(args.json, 'lenet_epoch', key, record)
    return record


if __name__ == '__main__':
    main()
