"""The shipped base model + LoRA adapter route requests, through Python and through `muse plan`."""

import json
import subprocess
import sys

import pytest
from langchain_core.messages import AIMessage, HumanMessage, ToolMessage

from muse.settings import SHIPPED_MODELS_DIR, PlannerSettings
from tools.llm.catalog import builtin_schemas, load_catalog
from tools.llm.planner import load_local_chat_model, plan
from tools.llm.prompt import render_user

pytestmark = pytest.mark.slow
ADAPTER = str(SHIPPED_MODELS_DIR / "planner-lora")
DTYPE = PlannerSettings().dtype  # what users run by default


@pytest.fixture(scope="module")
def planner(shared_cache_dir):
    return load_local_chat_model("smollm2", ADAPTER, shared_cache_dir, 256, 0, DTYPE)


ROUTES = [
    ("draw a large red star on a white background", "generate_image", {"prompt": "a large red star on a white background"}),
    ("remember that my sister is called Ana", "remember", {"fact": "my sister is called Ana"}),
    ("write a caption for img_3f2a9c01", "caption_image", {"image": "img_3f2a9c01"}),
    ("find my pictures of blue circles", "search_images", {"query": "blue circles"}),
    ("give me three images of a blue square", "generate_image", {"prompt": "a blue square", "n": 3}),
    # the adapter also fills n with the digit; a 7 stated once grounds the digit alone
    ("draw a handwritten 7 with the VAE", "generate_digit", {"digit": 7, "model": "vae"}),
]


@pytest.mark.parametrize("request_text,name,arguments", ROUTES)
def test_shipped_planner_routes_muse_requests(planner, request_text, name, arguments):
    result = plan(planner, request_text, builtin_schemas())
    assert [call["name"] for call in result.tool_calls] == [name]
    assert result.tool_calls[0]["arguments"] == arguments


def test_shipped_planner_answers_small_talk_in_text(planner):
    result = plan(planner, "thank you, that was helpful!", builtin_schemas())
    assert not result.tool_calls and result.content


def test_shipped_planner_uses_a_tool_it_never_saw(planner):
    get_time = {"name": "get_time", "description": "The current time in a city.",
                "parameters": {"type": "object", "properties": {"city": {"type": "string", "description": "city name"}},
                               "required": ["city"]}}
    result = plan(planner, "what time is it in Tokyo?", [get_time, *builtin_schemas()])
    assert result.tool_calls == [{"name": "get_time", "arguments": {"city": "Tokyo"}}]


@pytest.mark.parametrize("request_text,offered,call", [
    ("New York weather now", ["get_pollen_count", "log_medication_taken", "get_current_weather"],
     {"name": "get_current_weather", "arguments": {"city": "New York"}}),
    ("live translate Catalan to Indonesian and back", ["start_conversation_mode", "split_bill", "check_camera"],
     {"name": "start_conversation_mode", "arguments": {"language_a": "Catalan", "language_b": "Indonesian"}}),
])
def test_shipped_planner_takes_the_held_out_tool_the_request_is_about(planner, request_text, offered, call):
    """Two tools never trained on. The adapter alone took log_medication_taken(medication="New York") and
    split_bill(total=5, people=2); leaning toward the tools nearest the request (`Decoder._leaning`) it does not."""
    _, held_out, _ = load_catalog()
    schemas = {tool.name: tool.schema for tool in held_out}
    assert plan(planner, request_text, [schemas[name] for name in offered]).tool_calls == [call]


@pytest.mark.parametrize("request_text,call", [
    ("run the robot vacuum in standard mode", {"name": "start_vacuum", "arguments": {"mode": "standard"}}),
    ("note: book recommendations from Luca", {"name": "create_note", "arguments": {"text": "book recommendations from Luca"}}),
])
def test_shipped_planner_writes_only_what_the_request_says(planner, request_text, call):
    """The adapter alone wrote `room="standard", mode="turbo"` and a title "recommendations": an enum whose
    value the request names takes it, and an optional string that only repeats another value is left out."""
    _, held_out, _ = load_catalog()
    schemas = {tool.name: tool.schema for tool in held_out}
    assert plan(planner, request_text, [schemas["start_vacuum"], schemas["create_note"]]).tool_calls == [call]


@pytest.mark.parametrize("request_text,name", [
    ("what colour is the shape in this picture?", "ask_image"),
    ("what number is written in this image?", "ask_image"),
    ("describe this picture", "caption_image"),
])
def test_shipped_planner_asks_what_it_is_asked_about_an_attached_image(planner, request_text, name):
    """Shown an image, the adapter alone captions it even when asked a question about it; weighed against
    what it would call without the request (`Decoder._name_prior`), the question decides."""
    image = "img_c0f13a969996"
    result = plan(planner, render_user(request_text, images=[image]), builtin_schemas())
    assert [call["name"] for call in result.tool_calls] == [name]
    assert result.tool_calls[0]["arguments"]["image"] == image


@pytest.mark.parametrize("image", ["img_da582610f9b3", "img_8c73350bcc93"])
def test_shipped_planner_goes_on_with_the_tool_a_chain_names(planner, image):
    """After the drawing the adapter alone answered "Here is your image" for some ids of the image drawn;
    the request names classify_image by its action (`tools.llm.naming`), so the turn goes on with it."""
    drawn = [HumanMessage("draw a red star and classify the result"),
             AIMessage("", tool_calls=[{"name": "generate_image", "args": {"prompt": "a red star"}, "id": "c1"}]),
             ToolMessage(f'{{"images":["{image}"]}}', tool_call_id="c1")]
    message = planner.bind_tools(builtin_schemas()).invoke(drawn)
    assert [(call["name"], call["args"]) for call in message.tool_calls] == [("classify_image", {"image": image})]


@pytest.mark.parametrize("request_text", ["generate a yellow square, then tell me what colour the background of it is",
                                          "make an orange square and then tell me if there's a square in it"])
def test_shipped_planner_asks_the_question_a_chain_puts_about_its_image(planner, request_text):
    """After the drawing the adapter alone captioned or classified it; the request asks a particular of
    the image (`tools.llm.questions`), so the turn goes on with ask_image."""
    drawn = [HumanMessage(request_text),
             AIMessage("", tool_calls=[{"name": "generate_image", "args": {"prompt": "a square"}, "id": "c1"}]),
             ToolMessage('{"images":["img_1f93b7624dce"]}', tool_call_id="c1")]
    message = planner.bind_tools(builtin_schemas()).invoke(drawn)
    assert [(call["name"], call["args"]["image"]) for call in message.tool_calls] == [("ask_image", "img_1f93b7624dce")]


def test_shipped_planner_told_which_tool_to_call_takes_a_follow_ups_detail(planner):
    """The agent plans "and in Quito?" with the tool the turn before called (`agent.tool_offer.followed_up_tool`);
    the planner, shown the earlier exchange without its call, fills the call from the follow-up."""
    weather = {"name": "get_weather", "description": "The current weather in a city.",
               "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}
    shown = [HumanMessage("what's the weather in Lima?"), AIMessage("Light rain in Lima."), HumanMessage("and in Quito?")]
    message = planner.bind_tools([*builtin_schemas(), weather], tool_choice="get_weather").invoke(shown)
    assert [(call["name"], call["args"]) for call in message.tool_calls] == [("get_weather", {"city": "Quito"})]


def test_shipped_planner_leaves_out_an_optional_number_the_request_does_not_give(planner):
    tip = {"name": "calculate_tip", "description": "Work out the tip on a bill.",
           "parameters": {"type": "object", "properties": {
               "bill": {"type": "number", "description": "bill total"},
               "percent": {"type": "number", "description": "tip percentage"}}, "required": ["bill"]}}
    assert plan(planner, "what's the tip on 1327.62?", [tip]).tool_calls == [
        {"name": "calculate_tip", "arguments": {"bill": 1327.62}}]
    assert plan(planner, "what's a 15 percent tip on 80?", [tip]).tool_calls == [
        {"name": "calculate_tip", "arguments": {"bill": 80, "percent": 15}}]


def _muse(*args, stdin=None):
    return subprocess.run([sys.executable, "-m", "muse", *args], input=stdin, capture_output=True, text=True, timeout=600)


def test_muse_plan_json():
    done = _muse("plan", "--json", "draw a small blue circle at the top")
    assert done.returncode == 0, done.stderr
    result = json.loads(done.stdout)
    assert result["tool_calls"][0]["name"] == "generate_image" and result["latency_ms"] > 0


def test_muse_plan_batch_answers_good_lines_and_flags_bad_ones(tmp_path):
    tools = [{"type": "function", "function": {"name": "get_time", "description": "The time in a city.",
              "parameters": {"type": "object", "properties": {"city": {"type": "string"}}, "required": ["city"]}}}]
    lines = [
        json.dumps({"request": "remember that I live in Oslo"}),
        "{not json",
        json.dumps({"request": "   "}),
        json.dumps({"request": "what time is it in Tokyo?", "tools": tools}),
    ]
    done = _muse("plan", "--batch", "-", stdin="\n".join(lines) + "\n")
    assert done.returncode == 2
    results = [json.loads(line) for line in done.stdout.splitlines()]
    assert len(results) == 4
    assert results[0]["tool_calls"][0]["name"] == "remember"
    assert "line 2" in results[1]["error"] and "line 3" in results[2]["error"]
    assert results[3]["tool_calls"] == [{"name": "get_time", "arguments": {"city": "Tokyo"}}]
    assert "Traceback" not in done.stderr


@pytest.mark.parametrize("args,message", [
    (["plan", ""], "the request is empty"),
    (["plan", "--tools", "missing.json", "hi"], "no such file"),
])
def test_muse_plan_bad_input_is_one_line_and_exit_code_2(args, message):
    done = _muse(*args)
    assert done.returncode == 2
    assert message in done.stderr and len(done.stderr.strip().splitlines()) == 1


def test_quick_training_writes_a_loadable_adapter(tmp_path, shared_cache_dir):
    out = tmp_path / "lora"
    done = _muse("train", "planner", "--quick", "--out", str(out))
    assert done.returncode == 0, done.stderr[-2000:]
    assert (out / "adapter_model.safetensors").exists()
    quick = load_local_chat_model("smollm2", str(out), shared_cache_dir, 32, 0, DTYPE)
    result = plan(quick, "draw a cat", builtin_schemas()[:2])
    assert isinstance(result.content, str)
