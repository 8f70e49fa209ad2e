# Ujuzi developer commands. `make run` and `make test` set everything up on a fresh machine.
PYTHON ?= python3
VENV   := .venv
PY     := $(VENV)/bin/python
STAMP  := $(VENV)/.installed-stamp

.PHONY: setup run test lint bench pot translations screenshot clean h5p-player dist starter-packs

$(STAMP): pyproject.toml constraints.txt packaging/install-system-deps.sh
	packaging/install-system-deps.sh
	test -x $(PY) || $(PYTHON) -m venv $(VENV)
	$(PY) -m pip install -q --upgrade "pip>=24"
	$(PY) -m pip install -q -c constraints.txt -e '.[test,dev,bench,web,dist]'
	touch $(STAMP)

setup: $(STAMP) translations h5p-player starter-packs

# The starter packs, built once here so that a first start only imports them.
starter-packs: $(STAMP)
	$(PY) -m app.starter

h5p-player:
	packaging/install-h5p-player.sh

run: setup
	$(VENV)/bin/ujuzi gui

# The whole suite; `pytest -m "not slow"` leaves out tests/integration for a quick run.
# As root the setup installs every part the tests use, so a missing part fails (strict);
# without root those tests skip and say why. UJUZI_TEST_STRICT=0 or 1 overrides.
STRICT := $(shell [ "$$(id -u)" -eq 0 ] && echo 1 || echo 0)
test: setup lint
	QT_QPA_PLATFORM=offscreen UJUZI_TEST_STRICT=$${UJUZI_TEST_STRICT:-$(STRICT)} $(PY) -m pytest

lint: $(STAMP)
	$(VENV)/bin/ruff check app tests benchmarks packaging
	$(VENV)/bin/mypy
	$(VENV)/bin/lint-imports --no-logo --no-cache

bench: setup
	$(PY) -m benchmarks

# Extract every marked string into the template that translators start from.
pot: $(STAMP)
	$(VENV)/bin/pybabel extract -F babel.cfg -k _ -k ngettext:1,2 -c Translators: --no-location \
	  --project=Ujuzi -o translations/ujuzi.pot app

# Compile the .po catalogs (if any) into the .mo files gettext loads.
translations: $(STAMP)
	@if ls translations/*/LC_MESSAGES/ujuzi.po >/dev/null 2>&1; then \
	  $(VENV)/bin/pybabel compile -d translations -D ujuzi >/dev/null; fi

# A picture of the window, without a screen.
# The pictures of the window in docs/screenshots/ (the video one under Xvfb).
screenshot: setup
	packaging/make_screenshots.sh

# The wheel and sdist and the one-folder bundles (learner, the default: no hub, no cohort
# matching, no Qt WebEngine; standard: with the hub and the matching; full: with Qt WebEngine
# too), each as a .tar.gz and a validated .deb, in dist/, with their sizes installed and
# compressed against the anchors (docs/install.md).
dist: setup
	$(PY) packaging/build_dist.py all --dist dist

clean:
	rm -rf $(VENV) build *.egg-info .pytest_cache .mypy_cache .ruff_cache
