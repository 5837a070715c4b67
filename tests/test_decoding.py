"""Constrained decoding on a tiny random LLaMA: whatever the weights, the output is valid."""

import itertools
import random

import jsonschema
import pytest

from tools.llm.catalog import builtin_schemas
from tools.llm.decoding import TOOL_SIMILARITY_MARGIN, Decoder, _forced_run
from tools.llm.grammar import ToolCallGrammar
from tools.llm.loading import LoadedLM
from tools.llm.prompt import CALL_OPEN, chat_messages, render_system


@pytest.fixture(scope="module")
def tiny_decoder(smollm2_tokenizer):
    import torch
    from transformers import LlamaConfig, LlamaForCausalLM

    torch.manual_seed(0)
    config = LlamaConfig(vocab_size=len(smollm2_tokenizer), hidden_size=32, intermediate_size=64,
                         num_hidden_layers=2, num_attention_heads=4, num_key_value_heads=2,
                         eos_token_id=smollm2_tokenizer.eos_token_id)
    model = LlamaForCausalLM(config).eval()
    return Decoder(LoadedLM(model=model, tokenizer=smollm2_tokenizer, name="tiny", adapter=None), max_new_tokens=40)


def _messages(tools, request):
    return chat_messages(render_system(tools), [{"role": "user", "content": request}])


@pytest.mark.parametrize("seed", range(6))
def test_random_weights_still_give_valid_calls(tiny_decoder, seed):
    tools = random.Random(seed).sample(builtin_schemas(), 4)
    decision = tiny_decoder.decide(_messages(tools, "do something"), tools, mode="required")
    by_name = {tool["name"]: tool for tool in tools}
    assert decision.calls
    for name, arguments in decision.calls:
        jsonschema.validate(arguments, by_name[name]["parameters"])
    assert decision.forced_tokens > 0  # `{"name": ` and the like were fed, not decoded


def test_tool_choice_none_answers_in_text(tiny_decoder):
    tools = builtin_schemas()
    decision = tiny_decoder.decide(_messages(tools, "hello"), tools, mode="none", max_text_tokens=5)
    assert not decision.calls and decision.generated_tokens <= 5


def test_the_prompt_cache_gives_the_same_decisions_as_a_cold_start(tiny_decoder):
    tools = builtin_schemas()[:3]
    warm = Decoder(tiny_decoder.lm, max_new_tokens=40)
    first = warm.decide(_messages(tools, "draw a cat"), tools, mode="required")
    warm.decide(_messages(tools, "something else entirely"), tools, mode="required")
    again = warm.decide(_messages(tools, "draw a cat"), tools, mode="required")
    cold = Decoder(tiny_decoder.lm, max_new_tokens=40).decide(_messages(tools, "draw a cat"), tools, mode="required")
    assert first.calls == again.calls == cold.calls
    assert len(warm._prefixes) == 1


def test_drafting_from_the_request_changes_speed_not_output(tiny_decoder):
    tools = builtin_schemas()
    for request in ["draw a red star on a white background", "remember that my sister is called Ana"]:
        messages = _messages(tools, request)
        drafted = tiny_decoder.decide(messages, tools, mode="required")
        plain = Decoder(tiny_decoder.lm, max_new_tokens=40, draft_tokens=0).decide(messages, tools, mode="required")
        assert drafted.calls == plain.calls


def test_the_quote_before_a_name_is_forced_as_the_token_the_adapter_was_trained_on(tiny_decoder):
    tools = builtin_schemas()
    opening = tiny_decoder._forced_ids(ToolCallGrammar(tools), "")
    assert opening == tiny_decoder._encode(CALL_OPEN + '{"name":"')  # `":"` is one token, not `":` then `"`


def test_only_the_signs_all_options_start_with_are_forced():
    tools = [{"name": name, "description": name, "parameters": {"type": "object", "properties": {}}}
             for name in ("generate_image", "generate_digit", "get_weather", "get_time")]
    grammar = ToolCallGrammar(tools)
    assert _forced_run(grammar, CALL_OPEN + '{"name":"generate') == "_"
    assert _forced_run(grammar, CALL_OPEN + '{"name":"get') == "_"
    assert _forced_run(grammar, CALL_OPEN + '{"name":"get_') == ""  # "weather" or "time": the model's choice
    assert _forced_run(grammar, CALL_OPEN + '{"name":"g') == ""  # never part of a word


def test_a_picked_token_and_what_the_grammar_forces_after_it_share_one_forward_pass(tiny_decoder):
    tools = [{"name": "toggle", "description": "switch the light", "parameters": {
        "type": "object", "properties": {"on": {"type": "boolean"}}, "required": ["on"]}}]
    decoder = Decoder(tiny_decoder.lm, max_new_tokens=1)
    passes = []
    forward_rows = decoder._forward_rows
    decoder._forward_rows = lambda ids, cache, keep: passes.append(ids) or forward_rows(ids, cache, keep)
    decision = decoder.decide(_messages(tools, "lights on"), tools, mode="required")
    assert [name for name, _ in decision.calls] == ["toggle"]
    turn, (picked, *forced) = passes[-2:]  # the system prompt's pass, if any, comes first
    assert len(passes) <= 3 and decoder.lm.tokenizer.decode(forced).endswith("}}\n</tool_call>")


@pytest.mark.parametrize("seed", range(4))
def test_free_form_objects_and_short_strings_always_end_in_a_valid_call(tiny_decoder, seed):
    """Keys of a free-form object and strings at their maximum length once left the decoder stuck."""
    tools = [{"name": "note", "description": "a note", "parameters": {"type": "object", "properties": {
                 "fields": {"type": "object"}}, "required": ["fields"]}},
             {"name": "tag", "description": "tag it", "parameters": {"type": "object", "properties": {
                 "label": {"type": "string", "maxLength": 2}}, "required": ["label"]}}]
    tools = tools[seed % 2:] + tools[: seed % 2]
    decision = tiny_decoder.decide(_messages(tools, f"what time is it? {seed}"), tools, mode="required")
    by_name = {tool["name"]: tool for tool in tools}
    assert decision.calls
    for name, arguments in decision.calls:
        jsonschema.validate(arguments, by_name[name]["parameters"])


def test_a_tool_without_parameters_is_called_with_no_arguments(tiny_decoder):
    tools = [{"name": "get_time", "description": "the time", "parameters": {"type": "object", "properties": {}}}]
    decision = tiny_decoder.decide(_messages(tools, "what time is it?"), tools, mode="required")
    assert decision.calls and all(arguments == {} for _, arguments in decision.calls)


def test_control_tokens_never_enter_a_call(tiny_decoder):
    """Even a model that prefers <|im_start|> and its kind above all else writes plain text into a call."""
    import torch

    tokenizer = tiny_decoder.lm.tokenizer
    control = [i for i in tokenizer.get_added_vocab().values() if i != tokenizer.eos_token_id]
    bias = torch.zeros(len(tokenizer))
    bias[control] = 100.0
    hook = tiny_decoder.lm.model.lm_head.register_forward_hook(lambda module, inputs, output: output + bias)
    try:
        tools = [{"name": "tag", "description": "tag it", "parameters": {"type": "object", "properties": {
            "label": {"type": "string"}}, "required": ["label"]}}]
        decoder = Decoder(tiny_decoder.lm, max_new_tokens=20)
        decision = decoder.decide(_messages(tools, "tag it"), tools, mode="required")
    finally:
        hook.remove()
    labels = [arguments["label"] for _, arguments in decision.calls]
    assert labels and not any(tokenizer.decode([i]) in label for label in labels for i in control)


def test_a_call_threshold_applies_only_after_a_tool_result(tiny_decoder):
    # No values to make up: random weights would invent them, and such calls are not made after a result.
    tools = [{"name": "finish", "description": "end the job", "parameters": {"type": "object", "properties": {}}},
             {"name": "rate", "description": "rate it", "parameters": {"type": "object", "properties": {
                 "stars": {"type": "string", "enum": ["one", "two", "three"]}}, "required": ["stars"]}}]
    result = [{"role": "user", "content": "draw a star and describe it"},
              {"role": "assistant", "content": '<tool_call>\n{"name":"generate_image","arguments":{"prompt":"a star"}}\n</tool_call>'},
              {"role": "tool", "content": 'generate_image returned: {"images":["img_0123456789ab"]}'}]
    after_result = chat_messages(render_system(tools), result)
    probability, greedy = tiny_decoder.call_probability(after_result, tools)
    assert not greedy and 0 < probability < 1  # random weights answer in text
    eager = Decoder(tiny_decoder.lm, max_new_tokens=8, call_threshold_after_result=probability / 2)
    assert eager.decide(after_result, tools).calls
    request = _messages(tools, "draw a star and describe it")
    assert not tiny_decoder.call_probability(request, tools)[1]
    assert not eager.decide(request, tools, max_text_tokens=2).calls
    strict = Decoder(tiny_decoder.lm, max_new_tokens=8, call_threshold_after_result=probability * 2)
    assert not strict.decide(after_result, tools, max_text_tokens=2).calls


def test_a_call_after_a_result_with_values_nobody_gave_becomes_a_text_answer(tiny_decoder):
    tools = builtin_schemas()
    after_result = chat_messages(render_system(tools), [
        {"role": "user", "content": "draw a star"},
        {"role": "assistant", "content": '<tool_call>\n{"name":"generate_image","arguments":{"prompt":"a star"}}\n</tool_call>'},
        {"role": "tool", "content": 'generate_image returned: {"images":["img_0123456789ab"]}'}])
    probability, _ = tiny_decoder.call_probability(after_result, tools)
    eager = Decoder(tiny_decoder.lm, max_new_tokens=8, call_threshold_after_result=probability / 2)
    decision = eager.decide(after_result, tools, max_text_tokens=4)  # random weights write random values
    assert not decision.calls and decision.generated_tokens and "<tool_call>" not in decision.content


def test_a_value_cut_inside_a_word_of_the_request_is_finished_from_it(tiny_decoder):
    """"Santiago" respelt "Santiego": the rest of the word is drafted when the model ranks it within the margin."""
    import torch

    from tools.llm.grammar import ToolCallGrammar

    tools = [{"name": "find_hotel", "description": "hotels", "parameters": {"type": "object", "properties": {
        "city": {"type": "string"}}, "required": ["city"]}}]
    grammar, request = ToolCallGrammar(tools), "hotels in Santiago please"
    tokenizer = tiny_decoder.lm.tokenizer
    respelt, rest_of_word, next_word = (tiny_decoder._encode(piece)[0] for piece in ("ego", "ago", " please"))
    logits = torch.zeros(len(tokenizer))
    logits[respelt], logits[rest_of_word], logits[next_word] = 3.0, 1.5, 1.5
    strict, lenient = (Decoder(tiny_decoder.lm, word_completion_margin=m) for m in (0.0, 2.0))
    inside = '<tool_call>\n{"name":"find_hotel","arguments":{"city":"Santi'
    assert strict._draft(inside, request, tiny_decoder._encode(inside), logits, grammar) == []
    assert lenient._draft(inside, request, tiny_decoder._encode(inside), logits, grammar)[0] == rest_of_word
    whole = inside + "ago"  # a whole word: ending the value there stays the model's choice
    assert lenient._draft(whole, request, tiny_decoder._encode(whole), logits, grammar) == []


def test_a_value_the_model_would_end_inside_a_word_of_the_request_is_finished_from_it(tiny_decoder):
    """"an@example.org" for "ana@example.org": however unlikely the rest of the word, a value that only
    ever starts a word of the request does not end there; where it is a word of its own, it may."""
    import torch

    from tools.llm.grammar import ToolCallGrammar

    tools = [{"name": "send", "description": "mail", "parameters": {"type": "object", "properties": {
        "to": {"type": "string"}}, "required": ["to"]}}]
    grammar, tokenizer = ToolCallGrammar(tools), tiny_decoder.lm.tokenizer
    inside = '<tool_call>\n{"name":"send","arguments":{"to":"an'
    quote, letters = (tiny_decoder._encode(piece)[0] for piece in ('"', "xyz"))
    strict = Decoder(tiny_decoder.lm, word_completion_margin=0.0)

    def draft(request, favourite):
        logits = torch.zeros(len(tokenizer))
        logits[favourite] = 10.0
        return strict._draft(inside, request, tiny_decoder._encode(inside), logits, grammar)

    request = "email ana@example.org about lunch"
    assert tokenizer.decode(draft(request, quote)).startswith("a")
    assert draft(request, letters) == []  # the model goes on with other letters: the margin decides
    assert draft(request, tiny_decoder._encode(" lunch")[0]) == []  # "an" as a word of its own
    assert draft("email an ana@example.org", quote) == []


def test_a_number_the_request_states_keeps_the_arguments_open_for_an_optional_number(tiny_decoder):
    """"make 3 pictures of a cat": a model that would close after the prompt goes on to a number parameter."""
    import torch

    from tools.llm.grammar import ToolCallGrammar
    from tools.llm.grounding import CallGrounding

    tools = [next(tool for tool in builtin_schemas() if tool["name"] == "generate_image")]
    grammar, tokenizer = ToolCallGrammar(tools), tiny_decoder.lm.tokenizer
    text = '<tool_call>\n{"name":"generate_image","arguments":{"prompt":"a cat'
    quote_brace, quote_comma = (tiny_decoder._encode(piece)[0] for piece in ('"}', '",'))
    logits = torch.zeros(len(tokenizer))
    logits[quote_brace], logits[quote_comma] = 3.0, 1.0

    def pick(request):
        grounding = CallGrounding(_messages(tools, request), tools)
        return tiny_decoder._pick(logits, tiny_decoder._encode(text), text, grammar, False, grounding)

    assert pick("make pictures of a cat") == quote_brace
    assert pick("make 3 pictures of a cat") == quote_comma
    used = text.replace("a cat", "3 cats")  # the number is already in a value
    grounding = CallGrounding(_messages(tools, "make pictures of 3 cats"), tools)
    assert tiny_decoder._pick(logits, tiny_decoder._encode(used), used, grammar, False, grounding) == quote_brace


def test_an_image_id_cut_short_is_finished_from_the_tool_result_that_returned_it(tiny_decoder):
    """Ids come from results, not from the request: drafting reads the turn's results too."""
    import torch

    from tools.llm.decoding import _turn_text
    from tools.llm.grammar import ToolCallGrammar

    tools = [next(tool for tool in builtin_schemas() if tool["name"] == "caption_image")]
    turn = [{"role": "user", "content": "draw a star and describe it"},
            {"role": "assistant", "content": '<tool_call>\n{"name":"generate_image","arguments":{"prompt":"a star"}}\n</tool_call>'},
            {"role": "tool", "content": 'generate_image returned: {"images":["img_56a5a0769a63"]}'}]
    source = _turn_text(chat_messages(render_system(tools), [{"role": "user", "content": "hello"}, *turn]))
    assert "hello" not in source and "draw a star" in source and "img_56a5a0769a63" in source
    inside = '<tool_call>\n{"name":"caption_image","arguments":{"image":"img_56a5a'
    rest = tiny_decoder._encode(source[source.index("img_56a5a") + len("img_56a5a") :])[0]
    respelt = tiny_decoder._encode("5a79a63")[0]
    logits = torch.zeros(len(tiny_decoder.lm.tokenizer))
    logits[respelt], logits[rest] = 3.0, 1.5
    lenient = Decoder(tiny_decoder.lm, word_completion_margin=2.0)
    assert lenient._draft(inside, source, tiny_decoder._encode(inside), logits, ToolCallGrammar(tools))[0] == rest


def _scripted_answer(decoder, script, fact=None):
    """The deltas and the decision of a text answer from a model that writes `script`, token by token,
    in a turn whose most relevant fact is `fact`."""
    import torch

    tokens = itertools.chain(decoder._encode(script), itertools.repeat(decoder.lm.tokenizer.eos_token_id))

    def next_logits():
        logits = torch.zeros(len(decoder.lm.tokenizer))
        logits[next(tokens)] = 1.0
        return logits

    scripted = Decoder(decoder.lm)
    scripted._forward = lambda ids, cache: (next_logits(), cache)
    *deltas, decision = scripted._text(next_logits(), None, 200, fact)
    return "".join(deltas), decision


def test_a_call_written_inside_a_text_answer_ends_it_and_no_markup_is_streamed(tiny_decoder):
    script = 'Here is the result:\n<tool_call>\n{"name":"set_timer","arguments":{"minutes":10}}\n</tool_call>'
    streamed, decision = _scripted_answer(tiny_decoder, script)
    assert decision.content == "Here is the result:" and streamed.strip() == decision.content


def test_a_colon_or_an_angle_bracket_in_a_text_answer_is_streamed_once_it_opens_no_call(tiny_decoder):
    script = "Here are the facts:\n1. 3 < 4\n2. <b> is bold"
    streamed, decision = _scripted_answer(tiny_decoder, script)
    assert streamed == script and decision.content == script


def test_a_quotation_of_what_the_user_told_is_the_turns_most_relevant_fact_word_for_word(tiny_decoder):
    fact = "my favourite band is Portishead"
    streamed, decision = _scripted_answer(tiny_decoder, 'You told me: "', fact)
    assert decision.content == f'You told me: "{fact}".' and streamed == decision.content
    assert decision.generated_tokens == len(tiny_decoder._encode('You told me: "'))
    _, unquoted = _scripted_answer(tiny_decoder, "You told me about Portishead.", fact)
    assert unquoted.content == "You told me about Portishead."


def test_the_tool_prior_reranks_only_the_models_own_likeliest_tokens(tiny_decoder):
    """A name the model favours whatever the request loses to one the request itself raises; a token the
    model never considers stays out, however little the prior expects it."""
    import math

    import torch

    favoured, raised, junk = (tiny_decoder._encode(piece)[0] for piece in ("caption", "ask", "zzz"))
    logits = torch.zeros(len(tiny_decoder.lm.tokenizer))
    logits[favoured], logits[raised], logits[junk] = 3.0, 2.5, -20.0
    prior = torch.zeros_like(logits)
    prior[favoured], prior[raised], prior[junk] = -0.1, -6.0, -80.0
    calibrated = Decoder(tiny_decoder.lm, tool_prior_weight=0.25)._calibrated(logits, prior)
    assert int(calibrated.argmax()) == raised and calibrated[junk] == -math.inf
    assert int(Decoder(tiny_decoder.lm, tool_prior_weight=0.0)._calibrated(logits, prior).argmax()) == favoured


def test_the_prior_is_read_from_the_turn_without_the_requests_own_words():
    """Memories, the attached image, earlier exchanges and the turn's results stay; the request goes."""
    from tools.llm.decoding import _without_request
    from tools.llm.prompt import render_user

    request = render_user("what colour is the shape?", ["I like green"], ["img_000000000001"])
    messages = chat_messages("system", [{"role": "user", "content": "hi"}, {"role": "assistant", "content": "Hello!"},
                                        {"role": "user", "content": request},
                                        {"role": "tool", "content": 'caption_image returned: {"caption":"a star"}'}])
    blank = _without_request(messages)
    assert blank[3]["content"] == "Memory: I like green\n\nAttached: img_000000000001"
    assert blank[:3] == messages[:3] and blank[4] == messages[4]


def test_a_turn_decided_with_the_tool_prior_still_gives_valid_calls(tiny_decoder):
    """The prior, read from a copy of the system prompt's cache, leaves the cache reused by the next decision as it was."""
    tools = builtin_schemas()[:4]
    calibrated = Decoder(tiny_decoder.lm, tool_prior_weight=0.25)
    first = calibrated.decide(_messages(tools, "do something"), tools, mode="required")
    again = calibrated.decide(_messages(tools, "do something"), tools, mode="required")
    assert first.calls and first.calls == again.calls
    assert {name for name, _ in first.calls} <= {tool["name"] for tool in tools}


def test_a_turns_first_call_leans_toward_the_tools_nearest_the_users_words(tiny_decoder):
    """A name token the model likes less wins when its tool is far nearer the request; a tool nearly as near
    is not held back; a token that spells no offered tool is out. After a result nothing leans: a chain's
    request is nearest the tool it starts with."""
    import math

    import torch

    tools = builtin_schemas()[:4]
    caption, ask, junk = (tiny_decoder._encode(piece)[0] for piece in ("caption", "ask", "zzz"))
    similarity = {"ask_image": 0.9, "classify_image": 0.85}

    def nearer(pairs, texts):
        return [similarity.get(name, 0.5) for name, _ in pairs]

    decoder = Decoder(tiny_decoder.lm, tool_similarity=nearer, tool_similarity_weight=6.0)
    leaning = decoder._leaning(_messages(tools, "what colour is it?"), tools, set())
    assert leaning["ask_image"] == leaning["classify_image"] == 0.0
    assert leaning["caption_image"] == pytest.approx(6.0 * (0.5 - 0.9 + TOOL_SIMILARITY_MARGIN))
    logits = torch.zeros(len(tiny_decoder.lm.tokenizer))
    logits[caption], logits[ask], logits[junk] = 4.0, 3.0, 9.0
    leaned = decoder._leaned(logits, "", leaning)
    assert int(leaned.argmax()) == ask and leaned[junk] == -math.inf
    after_result = [*_messages(tools, "what colour is it?"), {"role": "assistant", "content": "<tool_call>\n{}\n</tool_call>"},
                    {"role": "tool", "content": "done"}]
    assert decoder._leaning(after_result, tools, set()) == {}


def test_after_a_result_a_tool_the_request_names_and_the_turn_has_not_called_is_called(tiny_decoder):
    """"draw a star and classify it": after the drawing the turn goes on with the tool named, though the
    model would answer; the other tools' names are held back. Once it is called, the turn may end."""
    tools = [{"name": name, "description": name.replace("_", " "), "parameters": {"type": "object", "properties": {}}}
             for name in ("caption_it", "generate_image", "classify_it")]
    drawn = [{"role": "user", "content": "draw a star and classify it"},
             {"role": "assistant", "content": '<tool_call>\n{"name":"generate_image","arguments":{"prompt":"a star"}}\n</tool_call>'},
             {"role": "tool", "content": 'generate_image returned: {"images":["img_0123456789ab"]}'}]
    strict = Decoder(tiny_decoder.lm, max_new_tokens=8, call_threshold_after_result=1.1)
    assert strict._leaning(chat_messages(render_system(tools), drawn), tools, {"classify_it"})["caption_it"] < 0
    decision = strict.decide(chat_messages(render_system(tools), drawn), tools, max_text_tokens=2)
    assert [name for name, _ in decision.calls] == ["classify_it"]
    classified = [*drawn, {"role": "assistant", "content": '<tool_call>\n{"name":"classify_it","arguments":{}}\n</tool_call>'},
                  {"role": "tool", "content": "classify_it returned: a star"}]
    assert not strict.decide(chat_messages(render_system(tools), classified), tools, max_text_tokens=2).calls
    assert not strict.decide(_messages(tools, "draw a star and classify it"), tools, max_text_tokens=2).calls
