"""The runner: every case in a fresh session, user and data directory, scored, summarised per suite and tag.

    import evals
    report = evals.run("routing")                                   # the shipped planner
    report = evals.run(suite, agent=functools.partial(Agent, chat_model=my_model), jobs=4)
    report.suites[0].score.accuracy, report.suites[0].met

`agent` is what builds the agent of each case: None (muse's `Agent` on the settings, sharing one
planner and one guard across cases), any callable taking `Agent`'s arguments
(`settings, extra_tools=..., extra_tool_files=...`), or an `Agent` whose planner, guard and extra
tools are reused. Every case gets its own temporary data directory, so no case sees another's
memories or images; models stay loaded between cases (they are cached per process). Drawings whose
call gives no seed take one of the case's own (unless the settings set `generation.seed`), so a run
draws the same images as the one before and scores differ only where muse does.
"""

from __future__ import annotations

import base64
import hashlib
import re
import shutil
import tempfile
import time
import uuid
import warnings
from collections.abc import Callable, Sequence
from concurrent.futures import ThreadPoolExecutor
from datetime import datetime, timezone
from functools import partial
from pathlib import Path
from typing import Any

from evals.records import CaseResult, Check, RunReport, TurnRecord, summarise_suite
from evals.scorers import ScoreContext, score
from evals.stubs import build_tools
from evals.suite import Case, Suite, load_suite
from muse.errors import MuseError
from muse.settings import Settings, get_settings

MAX_EMBEDDED_IMAGES = 8  # per turn, in the report
MAX_EMBEDDED_BYTES = 1_000_000


def run(
    suites: Suite | str | Path | Sequence[Suite | str | Path],
    *,
    agent: Any = None,
    settings: Settings | None = None,
    chat_model: Any = None,
    jobs: int | None = None,
    tags: Sequence[str] | None = None,
    progress: bool = True,
    judge: bool = True,
) -> RunReport:
    """Run suites (objects, files or built-in names) and return the scored report."""
    items = [suites] if isinstance(suites, (Suite, str, Path)) else list(suites)
    loaded = [item if isinstance(item, Suite) else load_suite(item) for item in items]
    base = settings or get_settings()
    jobs = max(1, jobs or base.evals.jobs)
    factory, backend, model = _agent_factory(agent, base, chat_model)
    context = ScoreContext(classify=_judge(base) if judge else None, grade=create_grader(base))
    selected = [(suite, suite.select(list(tags or []))) for suite in loaded]
    total = sum(len(chosen.cases) for _, chosen in selected)
    started, clock = datetime.now(timezone.utc), time.perf_counter()
    bar = _progress(total, progress)
    reports = []
    try:
        with ThreadPoolExecutor(max_workers=jobs) as pool:
            for suite, chosen in selected:
                if not chosen.cases:
                    continue

                def one(case: Case, suite: Suite = chosen) -> CaseResult:
                    result = run_case(suite, case, factory, base, context)
                    bar.update(1)
                    bar.set_postfix_str(f"{suite.name} {case.id}: {result.status}", refresh=False)
                    return result

                results = list(pool.map(one, chosen.cases))
                reports.append(summarise_suite(
                    suite.name, results, min_score=suite.min_score, description=suite.description,
                    path=str(suite.path) if suite.path else None,
                ))
    finally:
        bar.close()
    return RunReport(
        suites=reports, backend=backend, model=model, started=started.isoformat(timespec="seconds"),
        seconds=round(time.perf_counter() - clock, 1), jobs=jobs, tags=list(tags or []),
    )


def run_case(suite: Suite, case: Case, factory: Callable[..., Any], base: Settings, context: ScoreContext) -> CaseResult:
    """One case from a fresh data directory to its verdicts; the directory is gone afterwards."""
    started = time.perf_counter()
    home = Path(tempfile.mkdtemp(prefix="muse-eval-"))
    turns: list[TurnRecord] = []
    error = None
    agent = user = None
    try:
        settings = case_settings(base, home, suite.settings, case_seed(suite.name, case.id))
        stubs, files = build_tools(suite, [*suite.tools, *case.tools])
        agent = factory(settings, extra_tools=stubs, extra_tool_files=files)
        if not suite.builtin_tools:
            offer_only(agent, {t.name for t in stubs} | {n for n, s in agent.tool_sources.items() if s.startswith("file ")})
        user, session = f"eval-{uuid.uuid4().hex[:8]}", uuid.uuid4().hex
        for turn in case.turns:
            earlier = [image for record in turns for image in record.attached]
            turns.append(_run_turn(agent, suite, turn.text, turn.images, session, user, earlier))
        checks = [score(expectation, turns, context) for expectation in case.expect]
    except Exception as exc:  # the case could not run: counted as a failure, and said why
        error = f"{type(exc).__name__}: {exc}"
        checks = [Check(type="error", passed=False, detail=error)]
    finally:
        _clear_memory(agent, user)
        shutil.rmtree(home, ignore_errors=True)
    if error:
        status = "error"
    elif any(check.passed is False for check in checks):
        status = "failed"
    elif checks and all(check.passed is None for check in checks):
        status = "skipped"
    else:
        status = "passed"
    return CaseResult(id=case.id, tags=case.tags, status=status, checks=checks, turns=turns,
                      ms=round((time.perf_counter() - started) * 1000, 1), error=error)


def _clear_memory(agent: Any, user: str | None) -> None:
    """Leave nothing behind on a shared Chroma server (the data directory itself is deleted anyway)."""
    if agent is None or user is None or not agent.settings.memory.chroma_host:
        return
    try:
        agent.services.memory.clear(user)
    except Exception as error:  # cleaning up must not turn a verdict into an error
        warnings.warn(f"could not clear the memory of eval user {user}: {error}", stacklevel=2)


def _run_turn(agent: Any, suite: Suite, text: str, images: list[str], session: str, user: str,
              earlier: list[str]) -> TurnRecord:
    """A user error (an attachment that is not an image, an empty message) is the turn's outcome, not a crash.

    `$imageN` in the text becomes the id of the case's N-th attached image (counting earlier turns),
    `$suite` the suite's folder."""
    attached: list[str] = []
    started = time.perf_counter()
    try:
        attached = [upload(agent, suite.resolve(image), user) for image in images]
        known = [*earlier, *attached]
        text = re.sub(r"\$image(\d+)", lambda m: known[int(m[1])] if int(m[1]) < len(known) else m[0], text)
        text = text.replace("$suite", str(suite.root))
        result = agent.run(text, session_id=session, user_id=user, images=attached)
    except MuseError as error:
        return TurnRecord(text=text, attached=attached, error=f"{type(error).__name__}: {error}",
                          ms=round((time.perf_counter() - started) * 1000, 1))
    record = TurnRecord.from_result(text, attached, result)
    for image in record.images[:MAX_EMBEDDED_IMAGES]:
        image.data_url = data_url(Path(image.path))
    return record


def upload(agent: Any, path: Path, user: str) -> str:
    """Store an attachment as the terminal does (`muse run --image`), indexed for search; its id."""
    from tools.builtin import index_image
    from tools.image_store import InvalidImage

    try:
        data = path.read_bytes()
    except OSError as error:
        raise MuseError(f"{path}: {error.strerror}") from None
    try:
        record = agent.services.images.put(data, user, source="upload")
    except InvalidImage as error:
        raise InvalidImage(f"{path.name}: {error}") from None
    index_image(agent.services, user, record)
    return record.id


def data_url(path: Path) -> str | None:
    try:
        data = path.read_bytes()
    except OSError:
        return None
    if len(data) > MAX_EMBEDDED_BYTES:
        return None
    return "data:image/png;base64," + base64.b64encode(data).decode()


def case_settings(base: Settings, home: Path, overrides: dict[str, Any], seed: int | None = None) -> Settings:
    """The base settings in a fresh data directory (sharing the model cache), with a suite's overrides;
    drawings without a seed of their own take `seed`, unless the base or the suite sets one."""
    update: dict[str, Any] = {"home": home, "cache_dir_override": base.cache_dir}
    for section, values in overrides.items():
        current = getattr(base, section, None)
        if current is None or not hasattr(current, "model_validate") or not isinstance(values, dict):
            raise MuseError(f"suite settings: unknown section {section!r}")
        update[section] = type(current).model_validate({**current.model_dump(), **values})
    generation = update.get("generation", base.generation)
    if generation.seed is None and seed is not None:
        update["generation"] = generation.model_copy(update={"seed": seed})
    return base.model_copy(update=update)


def case_seed(suite: str, case: str) -> int:
    """The case's own drawing seed: its images are the same from run to run, whatever runs beside it."""
    return int(hashlib.sha256(f"{suite}/{case}".encode()).hexdigest()[:8], 16)


def offer_only(agent: Any, names: set[str]) -> None:
    """Rebuild the agent's graph with only these tools (suites that test a foreign tool set, like BFCL's)."""
    from agent.graph import build_graph

    agent.tools = [tool for tool in agent.tools if tool.name in names]
    agent.graph = build_graph(
        agent.chat_model, agent.tools, guard=agent.guard, memory=agent.services.memory,
        settings=agent.settings.agent, checkpointer=agent.checkpointer,
    )


def _agent_factory(agent: Any, base: Settings, chat_model: Any) -> tuple[Callable[..., Any], str, str]:
    """What builds each case's agent, and the backend and model it plans with."""
    from agent.agent import Agent

    if isinstance(agent, Agent):
        extra = [tool for tool in agent.tools if agent.tool_sources.get(tool.name) == "extra"]

        def from_template(settings: Settings, *, extra_tools: Sequence[Any] = (), extra_tool_files: Sequence[Path] = ()):
            return Agent(settings, chat_model=agent.chat_model, guard=agent.guard,
                         extra_tools=[*extra, *extra_tools], extra_tool_files=extra_tool_files)

        return from_template, _backend(agent.chat_model, base), _model_name(agent.chat_model, base)
    if agent is not None:
        return agent, "custom", getattr(agent, "__name__", type(agent).__name__)
    from agent.guard import Guard
    from tools.llm.planner import create_chat_model

    model = chat_model or create_chat_model(base)
    guard = Guard.from_settings(base)
    return partial(Agent, chat_model=model, guard=guard), _backend(model, base), _model_name(model, base)


def _backend(model: Any, base: Settings) -> str:
    llm_type = getattr(model, "_llm_type", "")
    if llm_type == "muse-local":
        return "local"
    return "openai" if "openai" in llm_type else llm_type or base.planner.backend


def _model_name(model: Any, base: Settings) -> str:
    return str(getattr(model, "model_name", None) or getattr(model, "model", None) or base.planner.model)


def _judge(base: Settings):
    def classify(paths: list[str]) -> list[dict[str, Any]]:
        from tools.judge import classify as judge_classify

        return judge_classify(paths, directory=base.vision.judge)

    return classify


def create_grader(settings: Settings):
    """The LLM-as-judge of `rubric` expectations, or None when no rubric model is configured."""
    config = settings.evals
    if not config.rubric_model:
        return None

    def grade(rubric: str, turns: list[TurnRecord]) -> tuple[bool, str]:
        from langchain_openai import ChatOpenAI

        model = ChatOpenAI(model=config.rubric_model, base_url=config.rubric_base_url,
                           api_key=config.rubric_api_key or "not-needed", temperature=0)
        transcript = "\n".join(f"User: {t.text}\nAssistant: {t.answer}" for t in turns)
        prompt = (f"Grade the assistant's part of this conversation against the rubric.\nRubric: {rubric}\n\n"
                  f"{transcript}\n\nReply with PASS or FAIL on the first line, then one sentence saying why.")
        reply = str(model.invoke(prompt).content).strip()
        return reply.upper().startswith("PASS"), reply

    return grade


def _progress(total: int, enabled: bool):
    from tqdm.auto import tqdm

    return tqdm(total=total, desc="evals", unit="case", disable=not enabled, dynamic_ncols=True)
