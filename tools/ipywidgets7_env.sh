#!/bin/sh
# Put Colab's ipywidgets (7.7.1) in a folder that shadows the venv's 8.x when it
# comes first on PYTHONPATH, so the widget tests can run under both majors
# without a second venv. Only the four packages that differ are installed
# (--no-deps: the rest is reused from the venv). Run again: it does nothing.
#   usage: tools/ipywidgets7_env.sh PYTHON TARGET_DIR
set -eu
PYTHON=${1:?usage: $0 PYTHON TARGET_DIR}
TARGET=${2:?usage: $0 PYTHON TARGET_DIR}
if PYTHONPATH="$TARGET" "$PYTHON" -c 'import ipywidgets, sys; sys.exit(ipywidgets.__version__ != "7.7.1")' 2>/dev/null; then
    exit 0
fi
rm -rf "$TARGET"
"$PYTHON" -m pip install -q --disable-pip-version-check --no-deps --target "$TARGET" \
    ipywidgets==7.7.1 widgetsnbextension==3.6.1 jupyterlab_widgets==1.1.1 ipython_genutils==0.2.0
PYTHONPATH="$TARGET" "$PYTHON" -c 'import ipywidgets; print("ipywidgets", ipywidgets.__version__, "in", ipywidgets.__file__)'
