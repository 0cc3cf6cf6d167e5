"""AlexNet and VGG at 224, ResNet-18 at 96: D2L 1.0.3's Trainer + FashionMNIST against ours.

Prepared for a GPU session: one run measures each model over the same fixed
number of batches, both sides in one process, and writes
``book_utils/results/benchmarks-gpu.json`` with the hardware and the date.

D2L's side is what a student runs from chapters 8.1, 8.2 and 8.6: its
``FashionMNIST(batch_size=128, resize)`` (PIL resize in 4 DataLoader workers,
each batch copied to the GPU), its ``Trainer(num_gpus=1)``, and its
``Classifier``, whose ``plot`` copies every loss to the CPU (a GPU sync per
step) for its ``ProgressBoard``. D2L 1.0.3's library has no AlexNet, VGG or
ResNet class (the chapters define them), so both sides build the network with
``book_utils.models``; on D2L's side that network sits inside a D2L
``Classifier``, so everything around the network is D2L's. Ours is
``import book_utils as d2l`` with its defaults: data resident on the GPU,
resized there, bf16 autocast and channels-last.

    .venv/bin/python benchmarks/gpu_models.py                      # the GPU run (~5 min on one H100)
    .venv/bin/python benchmarks/gpu_models.py --accuracy-epochs 10 # + ours' full-profile accuracy
    .venv/bin/python benchmarks/gpu_models.py --cudnn-benchmark    # + ours with cudnn.benchmark
    .venv/bin/python benchmarks/gpu_models.py --dry-run            # tiny sizes, on the CPU, writes nothing
"""

import argparse
import contextlib
import gc
import io
import os
import shutil
import sys
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent))
import common  # noqa: E402  (sets MPLBACKEND=Agg before matplotlib loads)
import torch  # noqa: E402

# name -> (settings key, how to build ours from the run settings)
MODELS = {
    'alexnet': ('alexnet', lambda models, run: models.AlexNet(lr=run.lr)),
    'vgg': ('vgg', lambda models, run: models.VGG(arch=run.arch, lr=run.lr)),
    'resnet18': ('resnet18', lambda models, run: models.ResNet18(lr=run.lr)),
}


def build(name, run):
    """Our model class for ``name`` from ``book_utils.models``, imported only now (None if absent)."""
    import importlib

    models = importlib.import_module('book_utils.models')
    try:
        return MODELS[name][1](models, run)
    except AttributeError as err:
        print(f'  skipping {name}: book_utils.models has no such class yet ({err})')
        return None


def d2l_classifier(net, lr):
    """A D2L 1.0.3 ``Classifier`` around ``net``: D2L's forward, loss, plot and optimiser."""
    d2l_oracle = common.oracle()

    class Model(d2l_oracle.Classifier):
        def __init__(self, net, lr):
            super().__init__()
            self.save_hyperparameters(ignore=['net'])
            self.net = net

    return Model(net, lr)


def settings_for(name, args):
    from book_utils import chapter_runs

    run = chapter_runs.settings(MODELS[name][0], verbose=False)
    if args.dry_run:  # the cpu profile's sizes, tiny batches
        run = chapter_runs.RunSettings(**dict(vars(run), batch_size=args.batch_size or 8))
    elif args.batch_size:
        run = chapter_runs.RunSettings(**dict(vars(run), batch_size=args.batch_size))
    return run


def run_d2l(name, run, root, args):
    d2l_oracle = common.oracle()
    torch.manual_seed(args.seed)
    net = build(name, run)
    if net is None:
        return None
    data = common.cap_batches(
        common.d2l_fashion_mnist(root, run.batch_size, run.resize), args.batches, args.val_batches
    )
    model = d2l_classifier(net.net, run.lr)
    model.apply_init([next(iter(data.get_dataloader(True)))[0]], d2l_oracle.init_cnn)
    trainer = d2l_oracle.Trainer(max_epochs=1, num_gpus=1)
    with contextlib.redirect_stdout(io.StringIO()):  # display() prints 'Figure(...)' in a script
        _, seconds = common.timed(lambda: trainer.fit(model, data))
    acc = common.d2l_val_acc_by_epoch(model)
    return {
        'seconds': seconds,
        'train_batches': trainer.train_batch_idx,
        'val_batches': trainer.val_batch_idx,
        'num_workers': data.num_workers,
        'val_acc': acc[-1] if acc else None,
    }


def run_ours(name, run, args, epochs=1, capped=True):
    import book_utils as d2l
    from book_utils.engine.devices import autocast

    torch.manual_seed(args.seed)
    model = build(name, run)
    if model is None:
        return None
    data = d2l.FashionMNIST(**run.data_kwargs())
    if capped:
        common.cap_batches(data, args.batches, args.val_batches)
    model.apply_init([next(iter(data.get_dataloader(True)))[0]], d2l.init_cnn)
    trainer = d2l.Trainer(max_epochs=epochs, num_gpus=1, progress=False, verbose=not capped)
    _, seconds = common.timed(lambda: trainer.fit(model, data))
    return {
        'seconds': seconds,
        'train_batches': trainer.train_batch_idx,
        'val_batches': trainer.val_batch_idx,
        'device': str(trainer.device),
        'amp': autocast(trainer.device, trainer.amp).__class__.__name__ != 'nullcontext',
        'channels_last': trainer.steps.channels_last,
        'val_acc': trainer.history[-1].get('val_acc') if trainer.history else None,
        'val_acc_by_epoch': [h.get('val_acc') for h in trainer.history],
        'train_examples_per_sec': [h['examples_per_sec'] for h in trainer.history],
    }


def bench_model(name, root, args, device, started):
    """D2L, then ours, on one model over the same batches; the record for the JSON (or None)."""
    run = settings_for(name, args)
    print(
        f'{name}: {run.resize[0]}x{run.resize[1]}, batch {run.batch_size}, lr {run.lr}, '
        f'{args.batches} training + {args.val_batches} validation batches',
        flush=True,
    )
    gc.collect()
    d = run_d2l(name, run, root, args)
    gc.collect()
    if device.type == 'cuda':
        torch.cuda.empty_cache()
    o = run_ours(name, run, args)
    if d is None or o is None:
        return None
    if (d['train_batches'], d['val_batches']) != (o['train_batches'], o['val_batches']):
        raise SystemExit(f'{name}: batch counts differ: D2L {d}, ours {o}')
    examples = min(args.batches * run.batch_size, 60_000)
    for r in (d, o):
        r['examples_per_sec'] = examples / r['seconds']
    record = {
        'resize': list(run.resize),
        'batch_size': run.batch_size,
        'lr': run.lr,
        'arch': [list(b) for b in run.arch] if run.arch else None,
        'train_batches': args.batches,
        'val_batches': args.val_batches,
        'd2l': d,
        'ours': o,
        'speedup': o['examples_per_sec'] / d['examples_per_sec'],
    }
    print(
        f'  d2l  {d["seconds"]:7.2f} s  {d["examples_per_sec"]:8,.0f} examples/s\n'
        f'  ours {o["seconds"]:7.2f} s  {o["examples_per_sec"]:8,.0f} examples/s  '
        f'(amp {o["amp"]}, channels_last {o["channels_last"]})\n'
        f'  ratio ours / D2L: {record["speedup"]:.2f}x',
        flush=True,
    )
    if args.cudnn_benchmark:
        gc.collect()
        torch.backends.cudnn.benchmark = True
        try:
            b = run_ours(name, run, args)
        finally:
            torch.backends.cudnn.benchmark = False
        b['examples_per_sec'] = examples / b['seconds']
        record['ours_cudnn_benchmark'] = b
        print(
            f'  ours with cudnn.benchmark: {b["examples_per_sec"]:8,.0f} examples/s '
            f'({b["examples_per_sec"] / d["examples_per_sec"]:.2f}x D2L)',
            flush=True,
        )
    est = (
        args.accuracy_epochs * (60_000 + 10_000) / o['examples_per_sec'] * 1.2
        if args.accuracy_epochs and not args.dry_run
        else 0
    )
    if args.accuracy_epochs and time.perf_counter() - started + est > args.time_limit:
        print(
            f'  skipping the accuracy run: about {est:.0f} s more would pass '
            f'--time-limit {args.time_limit:.0f}',
            flush=True,
        )
        record['accuracy'] = {'skipped': f'estimated {est:.0f} s, over --time-limit'}
    elif args.accuracy_epochs:
        gc.collect()
        full = run_ours(name, run, args, epochs=args.accuracy_epochs, capped=args.dry_run)
        record['accuracy'] = {
            'epochs': args.accuracy_epochs,
            'seconds': full['seconds'],
            'val_acc_by_epoch': full['val_acc_by_epoch'],
        }
        print(
            f'  ours, {args.accuracy_epochs} epochs: val_acc {full["val_acc"]:.4f} '
            f'in {full["seconds"]:.0f} s',
            flush=True,
        )
    return record


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.split('\n\n')[0])
    parser.add_argument('--models', nargs='+', default=list(MODELS), choices=list(MODELS))
    parser.add_argument(
        '--batches',
        type=int,
        default=None,
        help='training batches per run (default 200; 2 with --dry-run)',
    )
    parser.add_argument(
        '--val-batches',
        type=int,
        default=None,
        help='validation batches per run (default 20; 1 with --dry-run)',
    )
    parser.add_argument('--batch-size', type=int, default=None, help="default: D2L's 128 (8 dry)")
    parser.add_argument('--seed', type=int, default=0)
    parser.add_argument(
        '--accuracy-epochs',
        type=int,
        default=0,
        help="then train ours on the whole data set for N epochs (D2L's 10) "
        'and record the validation accuracy (capped batches with --dry-run)',
    )
    parser.add_argument(
        '--time-limit',
        type=float,
        default=480,
        help='seconds: skip an accuracy run whose estimated end (from the speed '
        'measured just before) falls past this (default 480)',
    )
    parser.add_argument(
        '--cudnn-benchmark',
        action='store_true',
        help='also time ours with torch.backends.cudnn.benchmark on (a candidate '
        'default for the Trainer on CUDA; D2L leaves it off)',
    )
    parser.add_argument(
        '--dry-run',
        action='store_true',
        help="tiny sizes (the cpu profile's image sizes and VGG, batch 8, "
        '2+1 batches): checks the script works; writes nothing unless --json',
    )
    parser.add_argument(
        '--no-lock', action='store_true', help="with --dry-run: do not take the project's CPU lock"
    )
    parser.add_argument(
        '--json',
        default=None,
        help='default: book_utils/results/benchmarks-gpu.json (nothing with --dry-run)',
    )
    args = parser.parse_args(argv)
    if args.batches is None:
        args.batches = 2 if args.dry_run else 200
    if args.val_batches is None:
        args.val_batches = 1 if args.dry_run else 20
    json_path = args.json or (None if args.dry_run else str(common.RESULTS / 'benchmarks-gpu.json'))
    # full: D2L's settings (224/224/96, batch 128, lr 0.01); cpu: the small sizes for --dry-run
    os.environ['BOOK_PROFILE'] = 'cpu' if args.dry_run else 'full'
    if not torch.cuda.is_available() and not args.dry_run:
        raise SystemExit('No CUDA GPU here: run with --dry-run to check the script on the CPU.')

    device = torch.device('cuda' if torch.cuda.is_available() else 'cpu')
    common.warm_up()
    if device.type == 'cuda':
        torch.zeros(1, device=device)  # create the CUDA context before any clock starts
    root = common.d2l_data_root()
    started = time.perf_counter()
    results = {}
    try:
        # on the CPU (--dry-run) take the project's CPU lock like every heavy run here
        with common.cpu_lock(device.type == 'cpu' and not args.no_lock):
            for name in args.models:
                record = bench_model(name, root, args, device, started)
                if record is not None:
                    results[name] = record
    finally:
        shutil.rmtree(root, ignore_errors=True)

    env = common.environment(device)
    env.update(
        device=str(device),
        cuda=torch.version.cuda,
        dry_run=args.dry_run,
        command='python benchmarks/gpu_models.py ' + ' '.join(argv or sys.argv[1:]),
        seconds=round(time.perf_counter() - started, 1),
    )
    print(f'\n{env["hardware"]}, torch {env["torch"]}, {env["seconds"]:.0f} s in all')
    for name, r in results.items():
        print(
            f'  {name:9s} D2L {r["d2l"]["examples_per_sec"]:8,.0f}  ours '
            f'{r["ours"]["examples_per_sec"]:8,.0f} examples/s  ratio {r["speedup"]:.2f}x'
        )
    if json_path and results:
        for name, r in results.items():
            common.merge_json(json_path, 'gpu_models', name, dict(env, **r))
    return results


if __name__ == '__main__':
    main()
