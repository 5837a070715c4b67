"""muse's eval harness: suites of cases (dataset), the agent (solver), expectations (scorers).

    import evals
    report = evals.run("routing")                    # a built-in suite, a suite file, or a Suite
    report = evals.run(suite, agent=my_agent_factory, jobs=4, tags=["memory"])
    print(evals.render_table(report))

See `evals/suite.py` for the suite format, `evals/scorers.py` for the expectations.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from evals.bfcl import import_bfcl
    from evals.records import RunReport
    from evals.report import render_html, render_table, write_json
    from evals.runner import run
    from evals.suite import Case, Suite, load_suite

__all__ = ["Case", "RunReport", "Suite", "import_bfcl", "load_suite", "render_html", "render_table", "run", "write_json"]

_HOMES = {
    "run": "evals.runner", "load_suite": "evals.suite", "Suite": "evals.suite", "Case": "evals.suite",
    "RunReport": "evals.records", "import_bfcl": "evals.bfcl", "render_table": "evals.report",
    "render_html": "evals.report", "write_json": "evals.report",
}


def __getattr__(name: str):
    """Import on first use, so `import evals` (and `muse --help`) stays light."""
    if name in _HOMES:
        import importlib

        return getattr(importlib.import_module(_HOMES[name]), name)
    raise AttributeError(f"module 'evals' has no attribute {name!r}")
