#!/bin/sh
# Run ON the device machine, from the repo root, with .bench-carry carried (see
# prepare_gpu_carry.sh). Uses the image's python3 (PyTorch, torchvision, matplotlib, pandas,
# requests, scipy are there), book_utils from this tree, D2L and the data from .bench-carry.
# Writes $OUT/benchmarks-gpu.json; copy it to book_utils/results/benchmarks-gpu.json here afterwards.
set -eu
export PYTHONPATH="$PWD:$PWD/.bench-carry" BOOK_DATA="$PWD/.bench-carry/fashion-mnist"
export PYTHONUNBUFFERED=1 MPLBACKEND=Agg
nvidia-smi --query-gpu=name,memory.total,driver_version --format=csv,noheader || true
python3 benchmarks/gpu_models.py --json "${OUT:-book_utils/results}/benchmarks-gpu.json" "$@" 2>&1 \
    | tee "${OUT:-/tmp}/gpu_models.log"
