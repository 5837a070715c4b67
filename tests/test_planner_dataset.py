"""The function-calling dataset: seeded, split by tool, and every expected call valid for its tools."""

import re

import jsonschema
import pytest

from evals.suite import load_suite
from tools.builtin import ASKS_FOR_MEMORY_TOOL
from tools.image_store import IMAGE_REFERENCE
from tools.llm.continuation import AfterResultSet, calibrate
from tools.llm.conversations import DROP_REQUESTS, KEEP_REQUESTS, STORE_REQUESTS, TOLD_QUESTIONS
from tools.llm.dataset import SPLITS, DatasetBuilder, is_unseen
from tools.llm.prompt import ATTACHED_PREFIX, MEMORY_PREFIX, parse_calls, render_user, tool_result_name, user_words
from tools.llm.grammar import ToolCallGrammar


@pytest.fixture(scope="module")
def splits():
    builder = DatasetBuilder(seed=0)
    return {split: list(builder.build(split)) for split in SPLITS}


def test_same_seed_same_data_and_another_seed_draws_other_data_on_the_same_split(splits):
    again = list(DatasetBuilder(seed=0).build("test_unseen"))
    assert [e.to_json() for e in again] == [e.to_json() for e in splits["test_unseen"]]
    other = DatasetBuilder(seed=5)
    unseen = list(other.build("test_unseen"))
    assert [e.to_json() for e in unseen] != [e.to_json() for e in again]
    # the held-out tools and no-tool requests stay held out whatever seed a training run takes
    assert {e.calls[0]["name"] for e in unseen} == {e.calls[0]["name"] for e in again}
    assert {e.turns[-1]["content"] for e in other.build("test_no_tool")} == {e.turns[-1]["content"] for e in splits["test_no_tool"]}
    offered_in_training = {tool["name"] for e in other.build("train") for tool in e.tools}
    assert not {e.calls[0]["name"] for e in again} & offered_in_training


def test_unseen_tools_never_appear_in_training(splits):
    unseen = {e.calls[0]["name"] for e in splits["test_unseen"]}
    assert len(unseen) >= 30
    assert all(is_unseen(name) for name in unseen)
    offered_in_training = {tool["name"] for e in splits["train"] for tool in e.tools}
    assert not unseen & offered_in_training


def test_held_out_requests_are_not_training_requests(splits):
    train_requests = {e.turns[-1]["content"] for e in splits["train"]}
    for split in ("test_no_tool",):
        assert not {e.turns[-1]["content"] for e in splits[split]} & train_requests
    builtin = {e.turns[-1]["content"] for e in splits["test_builtin"]}
    assert len(builtin & train_requests) < 0.1 * len(builtin)


def test_the_training_set_covers_every_kind_of_turn(splits):
    kinds = {e.kind for e in splits["train"]}
    assert kinds == {"call", "multi", "no_tool", "agent"}
    assert len(splits["train"]) > 2000
    assert len({tool["name"] for e in splits["train"] for tool in e.tools}) > 200


@pytest.mark.parametrize("split", SPLITS)
def test_every_expected_call_is_offered_valid_and_parses_back(splits, split):
    for example in splits[split]:
        assert 1 <= len(example.tools) <= 12
        by_name = {tool["name"]: tool for tool in example.tools}
        if example.kind == "no_tool":
            assert not example.calls and example.reply is None
            continue
        for call in example.calls:
            jsonschema.validate(call["arguments"], by_name[call["name"]]["parameters"])
        if example.reply.startswith("<tool_call>"):
            assert ToolCallGrammar(example.tools).check(example.reply).complete, example.reply
            parsed = [{"name": n, "arguments": a} for n, a in parse_calls(example.reply)]
            assert parsed == example.calls


def test_a_store_or_drop_request_is_served_even_with_memories_recalled(splits):
    updates = [e for e in splits["train"] if e.kind == "agent" and e.turns[-1]["content"].startswith(MEMORY_PREFIX)
               and e.calls and e.calls[0]["name"] in ("remember", "forget")]
    assert {e.calls[0]["name"] for e in updates} == {"remember", "forget"}
    for example in updates:
        memories, request = example.turns[-1]["content"].split("\n", 1)
        argument = next(iter(example.calls[0]["arguments"].values()))
        assert argument in request and argument not in memories.removeprefix(MEMORY_PREFIX).split(" | ")
    # asked for in the memory tools' own words as well as in the store and drop requests
    templates = [re.compile(re.escape(t).replace(r"\{f\}", ".+").replace(r"\{q\}", ".+") + "$")
                 for t in STORE_REQUESTS + DROP_REQUESTS]
    requests = [e.turns[-1]["content"].split("\n", 1)[1] for e in updates]
    assert sum(any(t.match(r) for t in templates) for r in requests) < 0.8 * len(requests)


def test_an_image_sent_to_be_kept_is_answered_in_words_with_its_id(splits):
    kept = [e for e in splits["train"] if e.kind == "agent" and not e.calls
            and e.turns[-1]["content"].split("\n")[0] in KEEP_REQUESTS]
    assert kept
    for example in kept:
        image = example.turns[-1]["content"].removeprefix(example.turns[-1]["content"].split("\n")[0]).split(ATTACHED_PREFIX)[1]
        assert image in example.reply


def test_no_eval_suite_request_is_a_training_request(splits):
    """The eval suites measure behaviour on requests the planner never saw."""
    # a user turn may carry recalled memories above the request and attached images below it
    train_requests = {line for e in splits["train"] for turn in e.turns if turn["role"] == "user"
                      for line in turn["content"].split("\n")}
    suite_requests = {turn.text for name in ("routing", "chains", "memory", "custom_tools", "vision", "safety")
                      for case in load_suite(name).cases for turn in case.turns}
    assert not suite_requests & train_requests, sorted(suite_requests & train_requests)[:5]


def test_chains_go_on_from_a_result_to_each_tool_that_inspects_images(splits):
    made_or_found = ("generate_image returned", "generate_digit returned", "search_images returned")
    next_calls = {e.calls[0]["name"] for e in splits["train"] if e.kind == "agent" and e.calls
                  and e.turns[-1]["content"].startswith(made_or_found)}
    assert {"caption_image", "classify_image", "ask_image"} <= next_calls


def test_an_image_question_told_as_a_clause_is_asked_as_it_is_said(splits):
    asked = [([t for t in e.turns if t["role"] == "user"][-1]["content"], call["arguments"]["question"])
             for e in splits["train"] if e.kind == "agent" for call in e.calls if call["name"] == "ask_image"]
    told = [(request, question) for request, question in asked if question in TOLD_QUESTIONS]
    assert told and len(told) < len(asked)
    assert all(question in request for request, question in told)


def test_agent_turns_offer_tools_that_take_an_image_only_once_one_is_shown(splits):
    agent = [e for e in splits["train"] if e.kind == "agent"]
    offered = [(any(IMAGE_REFERENCE.search(t["content"]) for t in e.turns), {t["name"] for t in e.tools}) for e in agent]
    assert all("caption_image" not in names for shown, names in offered if not shown)
    assert any("caption_image" in names for shown, names in offered if shown)


def test_agent_turns_offer_remember_and_forget_after_a_result_only_when_asked(splits):
    agent = [e for e in splits["train"] if e.kind == "agent"]
    offered = [(any(t["role"] == "tool" for t in e.turns), _request(e), {t["name"] for t in e.tools}) for e in agent]
    for name, words in ASKS_FOR_MEMORY_TOOL.items():
        assert not [names for after, request, names in offered if after and not words.search(request) and name in names]
        assert any(name in names for after, request, names in offered if not after)
    assert any("remember" in names for after, request, names in offered if after and "remember" in request)


def _request(example) -> str:
    """The user's own words in the example's last request, as the agent's tool offer reads them."""
    return user_words(next(t["content"] for t in reversed(example.turns) if t["role"] == "user")).lower()


def test_the_history_shown_never_holds_an_exchange_that_stored_or_dropped_a_fact(splits):
    """As in the agent, which leaves those exchanges to memory: the planner learns to use a recalled
    fact, never to copy a store or a forget from the history."""
    with_history = [e for e in splits["train"] if e.kind == "agent"
                    and [turn["role"] for turn in e.turns[:3]] == ["user", "assistant", "user"]]
    earlier = [e.turns[1]["content"] for e in with_history]
    assert len(earlier) > 5
    assert not [text for text in earlier if "I'll remember" in text or "I forgot" in text or "nothing stored" in text]


def test_a_plug_in_result_is_answered_in_words_with_the_plug_in_offered(splits):
    builtin = {tool["name"] for e in splits["test_builtin"] for tool in e.tools}
    answered = [e for e in splits["train"] if e.kind == "agent" and e.turns[-1]["role"] == "tool"
                and tool_result_name(e.turns[-1]["content"]) not in builtin]
    assert answered and all(not e.calls for e in answered)
    plain = [e for e in answered if not e.turns[-1]["content"].split(" returned: ", 1)[1].startswith("{")]
    assert plain, "some plug-ins answer in plain text, as a LangChain tool returning a string does"
    assert all(tool_result_name(e.turns[-1]["content"]) in {t["name"] for t in e.tools} for e in answered)


def test_the_users_words_leave_out_recalled_memories_and_attachments():
    """The tool offer reads what the user asked, not a recalled "forget ..." fact above it."""
    rendered = render_user("what's the weather in Oslo?", ["I always forget my umbrella"], ["img_000000000001"])
    assert user_words(rendered) == "what's the weather in Oslo?"


def test_after_result_decisions_are_held_out_and_offer_what_comes_next(splits):
    train_requests = {user_words(turn["content"]) for e in splits["train"] for turn in e.turns if turn["role"] == "user"}
    decisions = AfterResultSet(seed=0).build(chains=40, single=30)
    assert sum(d.goes_on for d in decisions) == 40 and len(decisions) == 110
    chain_requests = {d.turns[0]["content"] for d in decisions if d.goes_on}
    assert not chain_requests & train_requests
    for decision in decisions:
        assert decision.turns[-1]["role"] == "tool"
        if decision.goes_on:
            offered = {tool["name"] for tool in decision.tools}
            assert {"caption_image", "classify_image", "ask_image"} <= offered  # the result shows an image id
    assert AfterResultSet(seed=0).build(5, 5)[3].turns == decisions[3].turns


def test_calibration_takes_the_threshold_with_the_fewest_wrong_decisions():
    probabilities = [0.9, 0.4, 0.3, 0.05, 0.25, 0.1, 0.02, 0.01]
    goes_on = [True, True, True, True, False, False, False, False]
    greedy = [True, False, False, False, False, False, False, False]
    chosen = calibrate(probabilities, goes_on, greedy)
    assert chosen.threshold == 0.3  # lower, 0.05 would go on but 0.25 and 0.1 would call too
    assert (chosen.go_on, chosen.answer) == (0.75, 1.0)
    assert (chosen.greedy_go_on, chosen.greedy_answer) == (0.25, 1.0)
    assert calibrate([0.9, 0.1], [False, True], [False, False]).threshold == float("inf")  # a tie: greedy decoding
