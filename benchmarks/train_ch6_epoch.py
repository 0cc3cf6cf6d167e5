"""Old-style LeNet: D2L 1.0.3's ``load_data_fashion_mnist`` + ``train_ch6`` against ours.

The program most CNN homework runs (D2L's chapter 6 recipe, batch 256, lr 0.9):
a plain ``nn.Sequential`` LeNet, ``train_iter, test_iter =
load_data_fashion_mnist(256)``, ``train_ch6(net, train_iter, test_iter,
num_epochs, 0.9, device)``. D2L's side is d2l.torch's own functions (its
DataLoaders with ``num_workers=4``, its Animator drawing into an Agg figure);
ours is ``import book_utils as d2l``. Both nets start from the same seed, in one
process, on the same CPU threads. The time is the whole ``train_ch6`` call
(training and the test pass of each epoch); each side also prints its own
examples/sec line, which D2L computes from training steps only.

    .venv/bin/python benchmarks/train_ch6_epoch.py --repeat 3   # 1 epoch
    .venv/bin/python benchmarks/train_ch6_epoch.py --batches 20 --no-write   # a quick check

Takes the project's CPU lock itself. Merges its record into
``book_utils/results/benchmarks-cpu.json`` under ``train_ch6_epoch`` unless ``--no-write``.
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
from torch import nn  # noqa: E402

BATCH, LR = 256, 0.9


def lenet():
    """LeNet-5 as chapter-6 homework writes it: explicit input sizes, sigmoid, average pooling."""
    return nn.Sequential(
        nn.Conv2d(1, 6, kernel_size=5, padding=2),
        nn.Sigmoid(),
        nn.AvgPool2d(2, stride=2),
        nn.Conv2d(6, 16, kernel_size=5),
        nn.Sigmoid(),
        nn.AvgPool2d(2, stride=2),
        nn.Flatten(),
        nn.Linear(16 * 5 * 5, 120),
        nn.Sigmoid(),
        nn.Linear(120, 84),
        nn.Sigmoid(),
        nn.Linear(84, 10),
    )


def d2l_loaders(root):
    """D2L's ``load_data_fashion_mnist(BATCH)``, run from ``root/work`` (its data are ../data)."""
    here = os.getcwd()
    os.chdir(root / 'work')
    try:
        return common.oracle().load_data_fashion_mnist(BATCH)
    finally:
        os.chdir(here)


def run_side(name, root, args):
    from book_utils.engine.placement import CappedLoader

    lib = common.oracle() if name == 'd2l' else __import__('book_utils')
    torch.manual_seed(args.seed)
    train_iter, test_iter = (
        d2l_loaders(root) if name == 'd2l' else lib.load_data_fashion_mnist(BATCH)
    )
    if args.batches:
        train_iter = CappedLoader(train_iter, args.batches)
    net = lenet()
    out = io.StringIO()
    with contextlib.redirect_stdout(out):  # D2L's display() prints 'Figure(...)' in a script
        _, seconds = common.timed(
            lambda: lib.train_ch6(net, train_iter, test_iter, args.epochs, LR, torch.device('cpu'))
        )
    lines = [
        line
        for line in out.getvalue().splitlines()
        if line.startswith(('loss ', 'training on')) or 'examples/sec' in line
    ]
    n = len(train_iter.loader if args.batches else train_iter)
    examples = min(n * BATCH, 60_000) * args.epochs
    return {'seconds': seconds, 'examples': examples, 'printed': lines}


def main(argv=None):
    parser = common.cpu_timing_parser(__doc__.split('\n\n')[0], train_batches=235)
    args = parser.parse_args(argv)

    common.warm_up()
    root = common.d2l_data_root()
    tries = {'d2l': [], 'ours': []}
    try:
        with common.cpu_lock(not args.no_lock):
            for r in range(args.repeat):
                for name in ['d2l', 'ours'] if r % 2 == 0 else ['ours', 'd2l']:
                    gc.collect()
                    tries[name].append(run_side(name, root, args))
                    print(
                        f'  [{name} run {len(tries[name])}: {tries[name][-1]["seconds"]:.2f} s]',
                        flush=True,
                    )
    finally:
        shutil.rmtree(root, ignore_errors=True)
    runs = {
        name: dict(
            min(results, key=lambda r: r['seconds']),
            all_seconds=[round(r['seconds'], 3) for r in results],
        )
        for name, results in tries.items()
    }
    env = common.environment()
    batches = f'{args.batches} training batches' if args.batches else 'all 235 training batches'
    print(
        f'\ntrain_ch6 LeNet, batch {BATCH}, lr {LR}, {args.epochs} epoch(s) of {batches} + the '
        f'test set, best of {args.repeat}; {env["hardware"]}, torch {env["torch"]}'
    )
    for name, r in runs.items():
        r['examples_per_sec'] = r['examples'] / r['seconds']
        print(
            f'  {name:5s} {r["seconds"]:7.2f} s  {r["examples_per_sec"]:8,.0f} examples/s   '
            f'it printed: {" | ".join(r["printed"][1:])}'
        )
    d, o = runs['d2l'], runs['ours']
    record = dict(
        env,
        benchmark='train_ch6_epoch',
        model='LeNet (nn.Sequential)',
        batch_size=BATCH,
        lr=LR,
        epochs=args.epochs,
        batches=args.batches,
        runs=runs,
        speedup=o['examples_per_sec'] / d['examples_per_sec'],
        speedup_of_medians=statistics.median(d['all_seconds'])
        / statistics.median(o['all_seconds']),
        command='python benchmarks/train_ch6_epoch.py ' + ' '.join(argv or sys.argv[1:]),
    )
    print(
        f'  ratio ours / D2L: {record["speedup"]:.2f}x (fastest runs), '
        f'{record["speedup_of_medians"]:.2f}x (medians of {args.repeat})'
    )
    if not args.no_write:
        key = f'epochs={args.epochs} seed={args.seed}' + (
            f' batches={args.batches}' if args.batches else ''
        )
        common.merge_json(args.json, 'train_ch6_epoch', key, record)
    return record


if __name__ == '__main__':
    main()
