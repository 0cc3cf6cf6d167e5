#!/bin/sh
# Run HERE (not on the device) before a GPU session: fills .bench-carry/ (ignored through
# .git/info/exclude) with what the bare GPU image lacks and cannot download:
#   .bench-carry/d2l/            D2L 1.0.3's package, pure Python, copied from .venv
#   .bench-carry/fashion-mnist/  the four Fashion-MNIST .gz files (about 30 MB)
# Then call the device tool with carry [".bench-carry"] and the command
#   sh benchmarks/gpu_session.sh [gpu_models.py options]
set -eu
cd "$(dirname "$0")/.."
grep -qx '/.bench-carry/' .git/info/exclude 2>/dev/null || echo '/.bench-carry/' >> .git/info/exclude
mkdir -p .bench-carry/fashion-mnist
PY=${PY:-.venv/bin/python}
D2L=$("$PY" -c 'import d2l, os; print(os.path.dirname(d2l.__file__))')
rm -rf .bench-carry/d2l && cp -r "$D2L" .bench-carry/d2l
rm -rf .bench-carry/d2l/__pycache__
# Wherever book_utils finds the data here (BOOK_DATA, the cache, the Debian package):
"$PY" - <<'PY'
import shutil
from pathlib import Path
from book_utils import data
folder = next(f for _, base in data.search_paths() if base.is_dir()
              for f in [data._complete_folder(base)] if f)
for stem in data.FILES.values():
    src = data._file_in(folder, stem)
    shutil.copy(src, Path('.bench-carry/fashion-mnist') / src.name)
PY
du -sh .bench-carry
