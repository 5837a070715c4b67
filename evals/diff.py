"""Two runs compared: which cases regressed, which improved, and how every suite's score moved."""

from __future__ import annotations

from dataclasses import dataclass, field

from evals.records import RunReport


@dataclass
class SuiteDiff:
    name: str
    before: float | None  # accuracy; None when the suite is only in one run
    after: float | None
    regressed: list[str] = field(default_factory=list)  # passed before, not now
    improved: list[str] = field(default_factory=list)  # did not pass before, does now
    added: list[str] = field(default_factory=list)
    removed: list[str] = field(default_factory=list)


def diff_reports(before: RunReport, after: RunReport) -> list[SuiteDiff]:
    names = list(dict.fromkeys([s.name for s in before.suites] + [s.name for s in after.suites]))
    old = {s.name: s for s in before.suites}
    new = {s.name: s for s in after.suites}
    diffs = []
    for name in names:
        a, b = old.get(name), new.get(name)
        result = SuiteDiff(name, a.score.accuracy if a else None, b.score.accuracy if b else None)
        was = {c.id: c.status for c in a.cases} if a else {}
        now = {c.id: c.status for c in b.cases} if b else {}
        for case_id in dict.fromkeys([*was, *now]):
            if case_id not in was:
                result.added.append(case_id)
            elif case_id not in now:
                result.removed.append(case_id)
            elif was[case_id] == "passed" and now[case_id] in ("failed", "error"):
                result.regressed.append(case_id)
            elif was[case_id] in ("failed", "error") and now[case_id] == "passed":
                result.improved.append(case_id)
        diffs.append(result)
    return diffs


def render_diff(diffs: list[SuiteDiff]) -> str:
    lines = []
    for d in diffs:
        score = " → ".join("–" if v is None else f"{100 * v:.1f}%" for v in (d.before, d.after))
        lines.append(f"{d.name}: {score}; {len(d.regressed)} regressed, {len(d.improved)} improved"
                     + (f", {len(d.added)} new, {len(d.removed)} gone" if d.added or d.removed else ""))
        lines += [f"  - regressed: {case_id}" for case_id in d.regressed]
        lines += [f"  + improved:  {case_id}" for case_id in d.improved]
    return "\n".join(lines)
