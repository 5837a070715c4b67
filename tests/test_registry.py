"""The tool registry: built-ins first, entry-point and file plug-ins, broken plug-ins skipped with a warning;
`muse tools list`; the example plug-in package installed for real."""

from __future__ import annotations

import json
import os
import shutil
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest
from typer.testing import CliRunner

from muse.errors import MuseError
from muse.settings import Settings
from tools.registry import PluginWarning, load_tools, tool_schema
from tools.services import Services

ROOT = Path(__file__).resolve().parents[1]
BUILTINS = ["generate_image", "caption_image", "ask_image", "classify_image", "search_images",
            "generate_digit", "remember", "recall", "forget"]

GOOD_FILE = '''
from langchain_core.tools import tool

@tool
def shout(text: str) -> str:
    """Repeat the text in capitals."""
    return text.upper()

@tool
def whisper(text: str) -> str:
    """Repeat the text in lower case."""
    return text.lower()

tools = [shout]  # the list wins: whisper is not exported
'''
LOOSE_FILE = '''
from langchain_core.tools import StructuredTool, tool

@tool
def add(a: int, b: int) -> int:
    """Add two integers."""
    return a + b

def _double(x: int) -> int:
    return 2 * x

double = StructuredTool.from_function(_double, name="double", description="Double an integer.")
alias = add  # the same object twice is one tool
'''


def write(tmp_path: Path, name: str, text: str) -> Path:
    path = tmp_path / name
    path.write_text(textwrap.dedent(text))
    return path


def load(tmp_path, extra_files=(), **settings):
    settings = Settings(home=tmp_path / "home", **settings)
    return load_tools(settings, extra_files, services=Services.from_settings(settings))


def test_builtins_come_first_with_their_source(tmp_path):
    toolset = load(tmp_path)
    assert toolset.names[: len(BUILTINS)] == BUILTINS
    assert all(toolset.sources[name] == "builtin" for name in BUILTINS)


def test_file_plugins_from_settings_and_extra_files(tmp_path):
    good, loose = write(tmp_path, "good.py", GOOD_FILE), write(tmp_path, "loose.py", LOOSE_FILE)
    toolset = load(tmp_path, [loose], tools=[str(good)])
    assert toolset.names[len(BUILTINS):] == ["shout", "add", "double"]
    assert toolset.sources["shout"] == f"file {good}" and toolset.sources["double"] == f"file {loose}"
    assert toolset.get("double").invoke({"x": 4}) == 8
    assert tool_schema(toolset.get("add"))["parameters"]["required"] == ["a", "b"]


def test_broken_plugins_are_skipped_with_a_warning_naming_them(tmp_path):
    good = write(tmp_path, "good.py", GOOD_FILE)
    broken = write(tmp_path, "broken.py", "import no_such_module_here\n")
    empty = write(tmp_path, "empty.py", "x = 1\n")
    clash = write(tmp_path, "clash.py", '''
        from langchain_core.tools import StructuredTool, tool

        @tool
        def caption_image(image: str) -> str:
            """Not muse's captioner."""
            return "mine"

        @tool("bad name!")
        def bad(x: str) -> str:
            """A name the planner cannot call."""
            return x

        invalid = StructuredTool.from_function(
            lambda x: x, name="invalid", description="Bad schema.",
            args_schema={"type": "object", "properties": {"x": {"type": "nonsense"}}})
        unserialisable = StructuredTool.from_function(
            lambda x: x, name="unserialisable", description="Not JSON.",
            args_schema={"type": "object", "properties": {"x": {"type": "string", "default": object()}}})

        @tool
        def fine(x: str) -> str:
            """The one good tool of this file."""
            return x

        tools = [caption_image, bad, invalid, unserialisable, fine, "not a tool"]
        ''')
    with pytest.warns(PluginWarning) as caught:
        toolset = load(tmp_path, [broken, empty, clash, good])
    messages = [str(w.message) for w in caught]
    assert toolset.names[len(BUILTINS):] == ["fine", "shout"]
    assert toolset.sources["caption_image"] == "builtin"
    expected = [
        (f"file {broken}", "ModuleNotFoundError: No module named 'no_such_module_here'"),
        (f"file {empty}", "defines no LangChain tools"),
        (f"file {clash}", "tool 'caption_image' is already defined by builtin"),
        (f"file {clash}", "tool name 'bad name!' must be 1-64 letters"),
        (f"file {clash}", "tool invalid: invalid parameters schema"),
        (f"file {clash}", "tool 'unserialisable': schema is not JSON"),
        (f"file {clash}", "'not a tool' is not a LangChain tool"),
    ]
    assert len(messages) == len(expected)
    for message, (source, reason) in zip(messages, expected):
        assert message.startswith(f"skipped tool plug-in {source}: ") and reason in message, message


def test_missing_extra_file_is_a_user_error(tmp_path):
    with pytest.raises(MuseError, match="no-such.py: no such tools file"):
        load(tmp_path, [tmp_path / "no-such.py"])


@pytest.fixture
def fake_distribution(tmp_path, monkeypatch):
    """An installed distribution with `muse.tools` entry points: a dist-info folder on sys.path."""
    site = tmp_path / "site"
    dist_info = site / "fake_muse_plugin-1.0.dist-info"
    dist_info.mkdir(parents=True)
    (dist_info / "METADATA").write_text("Metadata-Version: 2.1\nName: fake-muse-plugin\nVersion: 1.0\n")
    (dist_info / "entry_points.txt").write_text(
        "[muse.tools]\n"
        "callable = fake_muse_plugin:load_tools\n"
        "one = fake_muse_plugin:loud\n"
        "missing = fake_muse_plugin_gone:load_tools\n"
        "failing = fake_muse_plugin:explode\n"
    )
    (site / "fake_muse_plugin.py").write_text(textwrap.dedent('''
        from langchain_core.tools import tool

        @tool
        def loud(text: str) -> str:
            """Shout."""
            return text.upper()

        def load_tools():
            @tool
            def quiet(text: str) -> str:
                """Whisper."""
                return text.lower()
            return [quiet]

        def explode():
            raise RuntimeError("no API key configured")
        '''))
    monkeypatch.syspath_prepend(str(site))
    yield site
    for name in ("fake_muse_plugin",):
        sys.modules.pop(name, None)


def test_entry_point_plugins(tmp_path, fake_distribution):
    with pytest.warns(PluginWarning) as caught:
        toolset = load(tmp_path)
    assert toolset.names[len(BUILTINS):] == ["quiet", "loud"]
    assert toolset.sources["quiet"] == toolset.sources["loud"] == "entry point fake-muse-plugin"
    messages = sorted(str(w.message) for w in caught)
    assert len(messages) == 2
    assert "(failing = fake_muse_plugin:explode): RuntimeError: no API key configured" in messages[0]
    assert "(missing = fake_muse_plugin_gone:load_tools): ModuleNotFoundError" in messages[1]


def run_cli(*args: str):
    from muse.cli import _register_commands, app

    _register_commands()
    return CliRunner().invoke(app, list(args))


def test_tools_list_json_and_table(tmp_path):
    good = write(tmp_path, "good.py", GOOD_FILE)
    result = run_cli("tools", "list", "--json", "--tools", str(good))
    assert result.exit_code == 0, result.output
    rows = json.loads(result.stdout)
    assert [row["name"] for row in rows] == [*BUILTINS, "shout"]
    assert set(rows[0]) == {"name", "description", "source", "parameters"}
    assert rows[-1]["source"] == f"file {good}" and rows[-1]["parameters"]["required"] == ["text"]
    table = run_cli("tools", "list")
    assert table.exit_code == 0 and "generate_digit" in table.stdout and "builtin" in table.stdout


def test_tools_list_reports_skipped_plugins_and_bad_paths(tmp_path):
    broken = write(tmp_path, "broken.py", "raise SyntaxError('oops')\n")
    result = run_cli("tools", "list", "--json", "--tools", str(broken))
    assert result.exit_code == 0
    assert f"muse: warning: skipped tool plug-in file {broken}: SyntaxError: oops" in result.stderr
    assert len(json.loads(result.stdout)) == len(BUILTINS)
    missing = subprocess.run(
        [sys.executable, "-m", "muse", "tools", "list", "--tools", "nowhere.py"], capture_output=True, text=True, cwd=tmp_path
    )
    assert missing.returncode == 2 and missing.stdout == ""
    assert missing.stderr.strip().splitlines() == [
        "muse: error: nowhere.py: no such tools file (give the path of a Python file defining LangChain tools)"
    ]


def test_tools_list_imports_no_model_code(tmp_path):
    code = (
        "import sys; from muse.cli import main; sys.argv = ['muse', 'tools', 'list', '--json']\n"
        "try:\n    main()\nexcept SystemExit:\n    pass\n"
        "heavy = [m for m in ('torch', 'diffusers', 'open_clip', 'transformers', 'chromadb') if m in sys.modules]\n"
        "print('HEAVY', heavy, file=sys.stderr)"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, cwd=tmp_path)
    assert "HEAVY []" in result.stderr, result.stderr


def test_example_plugin_package_installs_and_is_listed(tmp_path):
    """pip-installs examples/custom_tool into a private folder and lists its tool through its entry point."""
    source, site = tmp_path / "custom_tool", tmp_path / "site"
    shutil.copytree(ROOT / "examples" / "custom_tool", source, ignore=shutil.ignore_patterns("build", "*.egg-info", "__pycache__"))
    subprocess.run(
        [sys.executable, "-m", "pip", "install", "--quiet", "--no-deps", "--no-build-isolation", "--no-index",
         "--target", str(site), str(source)],
        check=True, capture_output=True, text=True,
    )
    env = {**os.environ, "PYTHONPATH": os.pathsep.join(filter(None, [str(site), os.environ.get("PYTHONPATH")]))}
    result = subprocess.run(
        [sys.executable, "-m", "muse", "tools", "list", "--json"], capture_output=True, text=True, env=env, cwd=tmp_path
    )
    assert result.returncode == 0, result.stderr
    rows = {row["name"]: row for row in json.loads(result.stdout)}
    weather = rows["get_weather"]
    assert weather["source"] == "entry point muse-weather-example"
    assert weather["parameters"]["properties"]["unit"]["enum"] == ["celsius", "fahrenheit"]
    assert weather["parameters"]["required"] == ["city"]
    assert list(rows)[: len(BUILTINS)] == BUILTINS
