# Gradient-descent assignments on otter-grader.  `make grade` and `make test` build
# everything they need, starting from a machine with only Python 3.10+.

PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
STAMP := $(VENV)/.installed
MASTERS := $(wildcard solutions/*.ipynb)
NAMES := $(basename $(notdir $(MASTERS)))
ASSIGN_STAMP := autograder/dist/.assigned
ZIPS := $(addprefix autograder/dist/,$(addsuffix .zip,$(NAMES)))

SUBMISSIONS ?= examples/submissions
ASSIGNMENT ?=
OUT ?= grades
GRADE_FLAGS ?=
BENCH_FLAGS ?=  # e.g. --before <commit>: also time the harness at that commit

.PHONY: env sandbox assign autograder upload-steps grade test lint bench release clean

env: $(STAMP)

$(STAMP): requirements.txt pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -r requirements.txt
	$(PY) -m pip install --quiet --no-deps --no-build-isolation -e .
	$(PY) -m ipykernel install --sys-prefix --name python3 >/dev/null
	touch $@

# Student code runs under bubblewrap; install it where we can (root with apt).
sandbox:
	@command -v bwrap >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ] && command -v apt-get >/dev/null 2>&1; then \
	    apt-get update -qq >/dev/null && apt-get install -y -qq bubblewrap >/dev/null; \
	  else \
	    echo "bubblewrap (bwrap) is required to sandbox student code: sudo apt-get install bubblewrap" >&2; exit 1; \
	  fi; }

assign: $(ASSIGN_STAMP)

$(ASSIGN_STAMP): $(STAMP) $(MASTERS) autograder/build.py autograder/public_checks.py
	$(PY) -m autograder.build assign
	touch $@

# A Gradescope zip holds the assignment built from its master, every file of the harness and
# the pins: it is rebuilt (and the upload steps printed) only when one of them changed.
HARNESS := $(shell find autograder -type f -not -path 'autograder/dist/*' -not -path '*/__pycache__/*' -not -name '*.pyc')
$(ZIPS) &: $(ASSIGN_STAMP) $(HARNESS) requirements.txt
	$(PY) -m autograder.build zip

autograder: $(ZIPS)

upload-steps: $(ZIPS)
	@$(PY) -m autograder.build steps

# Exit status 1 (README, "Exit status") means the class was graded and its outputs written, but
# some submissions need attention: the summary's last lines list them. make counts that as done;
# any other failure stops make with grading's own status.
grade: $(ZIPS) sandbox
	@status=0; $(PY) -m autograder grade $(SUBMISSIONS) $(if $(ASSIGNMENT),--assignment $(ASSIGNMENT)) \
	  --out $(OUT) $(GRADE_FLAGS) || status=$$?; [ $$status -ne 1 ] || status=0; exit $$status

# Precision and recall of the named mistakes over the labelled corpora of tests/corpus.
.PHONY: diagnosis-report
diagnosis-report: env sandbox
	$(PY) -m autograder.diagnosis_report

# The test files run in parallel, one worker per CPU (at most 4); a file's tests share a worker.
# TEST_FLAGS="-n 0" runs them one at a time, TEST_FLAGS="tests/test_x.py" one file.
TEST_FLAGS ?=
test: env sandbox
	$(PY) -m ruff check .
	$(PY) -m pytest -q -n auto --maxprocesses 4 --dist loadfile --durations 15 $(TEST_FLAGS)

lint: env
	$(PY) -m ruff check .

bench: $(ZIPS) sandbox
	$(PY) bench/grade_throughput.py $(BENCH_FLAGS)

release: $(ASSIGN_STAMP)
	$(PY) -m autograder.build release

clean:
	rm -rf autograder/dist grades release .pytest_cache
	find . -name __pycache__ -not -path './$(VENV)/*' -prune -exec rm -rf {} +
