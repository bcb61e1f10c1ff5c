# Two commands do all the set-up on a fresh machine with Python 3.11+ and make:
#   make run    creates .venv, installs the locked dependencies, migrates, loads demo data, serves :8000
#   make test   the whole test suite (real PostgreSQL: DATABASE_URL, or the embedded one; the browser
#               tests need Debian's chromium package, which .ci/run installs); PYTEST_ARGS to narrow it
#   make bench           the benchmark suite against the practical limit (bench/README.md); BENCH_ARGS to tune
#   make bench-sharing   the sharing-at-scale benchmark (bench/README.md); BENCH_ARGS="--scale 0.1" to shrink it
#   make bench-report    the area outcomes report over 10,000 families (issue 20's goal: under 200 ms)
#   make bench-notifications   the notification burst over two instances: against its baseline, on escalations
#                              and action assignments, then again killing one
#   make bench-import    importing 10,000 historic families through caseImport (issue 20; bench/results/import.md)
PYTHON ?= python3
CHROMIUM ?= /usr/bin/chromium
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed-$(shell cksum < requirements.lock | cut -d' ' -f1)

.PHONY: run test fuzz lint format lock schema clean check-chromium bench bench-sharing bench-notifications bench-report bench-import

$(STAMP): requirements.lock
	@$(PYTHON) -c 'import sys; sys.exit(0 if sys.version_info >= (3, 11) else "TAF needs Python 3.11 or newer; found " + sys.version.split()[0])'
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.lock
	rm -f $(VENV)/.installed-*
	touch $(STAMP)

run: $(STAMP)
	$(PY) -m server run

# Two pytest-xdist workers, a test file each at a time (a file's tests share their fixtures), the files marked long
# first, in the order tests/conftest.py puts them; then, alone, the tests that stop PostgreSQL (every connection is
# cut, the other worker's too) or compare response times.
# The second run finding none of those among PYTEST_ARGS (pytest's status 5) is not a failure.
# TEST_WORKERS=0 runs the first part in one process.
TEST_WORKERS ?= 2
test: check-chromium $(STAMP)
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest -n $(TEST_WORKERS) --dist loadfile --no-loadscope-reorder -m "not (restarts_postgres or serial)" $(PYTEST_ARGS)
	CHROMIUM=$(CHROMIUM) $(PY) -m pytest -m "restarts_postgres or serial" $(PYTEST_ARGS) || [ $$? -eq 5 ]

# The browser tests never skip: without Chromium, say what is missing and how to get it, and stop.
check-chromium:
	@test -x "$(CHROMIUM)" || { \
	  echo "make test: Chromium is missing ($(CHROMIUM)); the browser tests in tests/e2e need it."; \
	  echo "Install it with: sudo apt-get install -y chromium   (Debian or Ubuntu; .ci/run does this)"; \
	  echo "or point at another build: make test CHROMIUM=/path/to/chromium"; \
	  exit 1; }

# A longer fuzzing campaign than the one in the suite (TAF_FUZZ_EXAMPLES cases per operation).
fuzz: $(STAMP)
	TAF_FUZZ_EXAMPLES=$${TAF_FUZZ_EXAMPLES:-100} $(PY) -m pytest tests/security/test_fuzz.py -q

# matplotlib (the chart) and pyinstrument (bench/profile_family.py) are the bench extra, in requirements.lock.
# The suite (bench/results/bench.{md,json}, chart), then the notification burst of issue 5 (printed; figures
# kept in bench/results/notifications.md). NOTIFY_ARGS go to the burst, BENCH_ARGS to the suite.
bench: $(STAMP)
	$(PY) -m bench.suite $(BENCH_ARGS)
	$(MAKE) --no-print-directory bench-notifications BENCH_ARGS="$(NOTIFY_ARGS)"
	$(MAKE) --no-print-directory bench-report
	$(MAKE) --no-print-directory bench-import BENCH_ARGS="$(IMPORT_ARGS)"

# The manager's OutcomesReport over 10,000 families (bench/results/area-report.json); REPORT_ARGS="--reuse".
bench-report: $(STAMP)
	$(PY) -m bench.area_report $(REPORT_ARGS)

# Issue 20: importing 10,000 historic families through caseImport, goal 500 a second with memory flat
# (bench/results/import.md). IMPORT_ARGS go to it from `make bench`.
bench-import: $(STAMP)
	$(PY) -m bench.import_cases $(BENCH_ARGS)

bench-sharing: $(STAMP)
	$(PY) -m bench.sharing_scale $(BENCH_ARGS)

# The first run is the app against its baseline (bench/notifications_baseline.py) with the ratios, on team
# member additions (what the baseline implements); then the app alone on the issue's burst of escalations
# and action assignments, and that burst again killing B halfway. BENCH_ARGS="--subscribers 200 --mutations
# 100" to shrink them; "--profile FILE --py-spy PATH" to profile B.
bench-notifications: $(STAMP)
	$(PY) bench/notifications_burst.py --subscribers 1000 --mutations 100 --concurrency 5 --compare $(BENCH_ARGS)
	$(PY) bench/notifications_burst.py --subscribers 1000 --mutations 100 --concurrency 5 --mix risk $(BENCH_ARGS)
	$(PY) bench/notifications_burst.py --subscribers 1000 --mutations 200 --concurrency 5 --mix risk --kill $(BENCH_ARGS)

lint: $(STAMP)
	$(VENV)/bin/ruff check .
	$(VENV)/bin/ruff format --check .

format: $(STAMP)
	$(VENV)/bin/ruff format .
	$(VENV)/bin/ruff check --fix .

lock: $(STAMP)
	$(PY) -m pip install --quiet -e '.[dev,bench]' && $(PY) -m pip uninstall --quiet -y taf
	( echo "# Exact versions of every package (direct and transitive) for reproducible installs."; \
	  echo "# Regenerate: make lock (after editing the direct pins in pyproject.toml)."; \
	  $(PY) -m pip freeze --exclude-editable ) > requirements.lock

schema: $(STAMP)
	$(PY) -m server export-schema

clean:
	rm -rf $(VENV) .pytest_cache .ruff_cache
