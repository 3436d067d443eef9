# Two commands matter: `make run` and `make test`. Everything else supports them.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
STAMP := $(VENV)/.installed
# The project's catalogue plus one per app (tadamun/<app>/locale/), so each app owns its texts.
PO_FILES := $(wildcard tadamun/locale/*/LC_MESSAGES/django.po tadamun/*/locale/*/LC_MESSAGES/django.po)
MO_FILES := $(PO_FILES:.po=.mo)

.PHONY: run test lint typecheck unit browser bench bench-platform setup clean messages compile-messages

$(STAMP): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/pip install --quiet --upgrade pip==25.3
	$(BIN)/pip install --quiet -e '.[dev]'
	touch $(STAMP)

# Translations: Django's compilemessages when GNU gettext is installed, else Babel (a Python
# dependency), so a fresh machine needs no system package.
$(MO_FILES) &: $(PO_FILES) $(STAMP)
	@if command -v msgfmt >/dev/null 2>&1; then \
		cd tadamun && ../$(BIN)/tadamun compilemessages --ignore=rules --verbosity 0; \
	else \
		for dir in tadamun/locale tadamun/*/locale; do \
			$(BIN)/python -m babel.messages.frontend compile --statistics -d $$dir -D django || exit 1; \
		done; \
	fi
	@touch $(MO_FILES)

compile-messages: $(MO_FILES)

setup: $(STAMP) $(MO_FILES)

# Extract the texts to translate into the .po files (needs GNU gettext's xgettext).
messages: $(STAMP)
	cd tadamun && ../$(BIN)/tadamun makemessages -l fr -l ar --no-location -i rules -i '*/migrations/*'

# The platform on SQLite under var/, with demo data, at http://127.0.0.1:8000/
run: export TADAMUN_DEBUG ?= 1
run: setup
	$(BIN)/tadamun rules check
	$(BIN)/tadamun rules compute dz-cnas --base 45000.00 --period 2026-01
	$(BIN)/tadamun migrate --noinput
	$(BIN)/tadamun seed_demo
	$(BIN)/tadamun runserver 127.0.0.1:8000

lint: $(STAMP)
	$(BIN)/ruff check .
	$(BIN)/ruff format --check .

typecheck: $(STAMP)
	$(BIN)/mypy

unit: setup
	bash .ci/pytest.sh

# The browser tests (tests/browser/, Playwright for Python) drive Debian's Chromium, never a
# browser downloaded by Playwright: install it from the distribution when it is missing. The PDF
# tests render receipts to images with poppler's pdftoppm: installed in the same apt-get call.
CHROMIUM := /usr/bin/chromium
browser:
	@packages=""; \
	[ -x $(CHROMIUM) ] || packages="chromium fonts-dejavu-core"; \
	command -v pdftoppm >/dev/null 2>&1 || packages="$$packages poppler-utils"; \
	if [ -z "$$packages" ]; then :; \
	elif [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
		echo "Installing" $$packages "(apt-get) for the browser and PDF tests"; \
		apt-get update && DEBIAN_FRONTEND=noninteractive apt-get install -y $$packages; \
	elif [ ! -x $(CHROMIUM) ]; then \
		echo "The browser tests need Chromium at $(CHROMIUM): install it as root with" >&2; \
		echo "  apt-get update && apt-get install -y chromium fonts-dejavu-core poppler-utils" >&2; \
		exit 1; \
	else \
		echo "pdftoppm is missing: the PDF rendering tests will be skipped" >&2; \
		echo "  (install it as root with: apt-get install -y poppler-utils)" >&2; \
	fi

test: lint typecheck browser unit

bench: $(STAMP)
	$(BIN)/python benchmarks/rules_contributions.py

# National-scale pages: needs DATABASE_URL (PostgreSQL); fills it once, then times the pages.
bench-platform: setup
	$(BIN)/python benchmarks/platform_dataset.py
	$(BIN)/python benchmarks/platform_pages.py

clean:
	rm -rf $(VENV) var .pytest_cache .mypy_cache .ruff_cache .hypothesis $(MO_FILES)
