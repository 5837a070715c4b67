"""Step-by-step decoding for the planner: constrained tool calls or free text, on a reused prompt cache.

Each decision starts from the key/value cache of the system prompt (which holds the tool schemas), kept
per tool set, so a request only pays for its own turn. In a tool call the grammar keeps only tokens that
stay valid and the text it forces is fed in one forward pass instead of being decoded token by token.
"""

from __future__ import annotations

import copy
import json
import math
import os
import re
import threading
from collections import OrderedDict
from collections.abc import Callable, Iterator, Sequence
from dataclasses import dataclass, field
from typing import Any

from tools.llm.grammar import Status, ToolCallGrammar
from tools.llm.grounding import CallGrounding
from tools.llm.loading import LoadedLM
from tools.llm.naming import named_tools
from tools.llm.prompt import CALL_OPEN, current_turn, parse_calls, user_words, without_user_words
from tools.llm.questions import questioned_tools
from tools.llm.quoting import FACT_QUOTE, QUOTE_END, fact_to_quote

CANDIDATES = 256  # tokens tried, most likely first, before falling back to the grammar's shortest ending
# System prompts whose cache is kept. A turn's decisions see several tool sets (after a result, the memory tools and
# the tools that look at images are offered only when asked for), and each set is a system prompt of its own:
# with 4 kept, the agent benchmark's one-tool turns recomputed one at most decisions (p50 1765 ms against 1287 ms).
PREFIX_CACHE_SIZE = 16
PRIOR_CACHE_SIZE = 32  # tool priors kept, one per turn without its request (most turns share one per tool set)
DRAFT_TOKENS = 8  # tokens copied from the turn's text and verified in one forward pass
WORD_COMPLETION_MARGIN = 2.0  # nats; see Decoder._draft
TOOL_PRIOR_WEIGHT = 0.25  # share of the content-free prior taken off a call's first name token; see Decoder._name_prior
TOOL_SIMILARITY_WEIGHT = 10.0  # nats per unit of cosine a tool is further from the user's words; see Decoder._leaning
TOOL_SIMILARITY_MARGIN = 0.14  # cosine below the nearest tool within which a tool is not held back
NAMED_TOOL_LEAN = 10.0  # nats other tools' names lose after a result when the request names a tool not yet called
CALL_MARKUP = CALL_OPEN.strip()
_FIRST_NAME = re.compile(r'"name":"')

# Each (name, description) of a tool's similarity to the nearest of some texts (`tools.llm.tool_similarity`).
ToolSimilarity = Callable[[Sequence[tuple[str, str]], Sequence[str]], Sequence[float]]


@dataclass
class Decision:
    """What the model decided: tool calls, or a text answer."""

    content: str = ""
    calls: list[tuple[str, dict[str, Any]]] = field(default_factory=list)
    generated_tokens: int = 0  # tokens the model chose
    forced_tokens: int = 0  # tokens the grammar fast-forwarded


@dataclass
class _Prefix:
    cache: Any
    length: int


@dataclass
class _Prior:
    """What a call's tool prior is read from: the turn, and where its system prompt ends."""

    messages: list[dict[str, str]]
    system_text: str
    prefix_length: int


class Decoder:
    """Runs one loaded causal LM; thread-safe (one decision at a time)."""

    def __init__(self, lm: LoadedLM, max_new_tokens: int = 256, draft_tokens: int = DRAFT_TOKENS,
                 call_threshold_after_result: float | None = None, word_completion_margin: float = WORD_COMPLETION_MARGIN,
                 tool_prior_weight: float = TOOL_PRIOR_WEIGHT, tool_similarity: ToolSimilarity | None = None,
                 tool_similarity_weight: float = TOOL_SIMILARITY_WEIGHT):
        self.lm = lm
        self.tool_prior_weight = tool_prior_weight
        self.tool_similarity = tool_similarity
        self.tool_similarity_weight = tool_similarity_weight
        self._pieces: dict[int, str] = {}
        self.word_completion_margin = word_completion_margin
        # After a tool result, a call also opens when its first token is at least this likely
        # (`tools.llm.continuation`); None leaves the choice to greedy decoding.
        self.call_threshold_after_result = call_threshold_after_result
        self.max_new_tokens = max_new_tokens
        self.draft_tokens = draft_tokens
        self._prefixes: OrderedDict[str, _Prefix] = OrderedDict()
        self._priors: OrderedDict[str, Any] = OrderedDict()
        self._lock = threading.Lock()
        tokenizer = lm.tokenizer
        stop = {tokenizer.eos_token_id, tokenizer.convert_tokens_to_ids("<|im_end|>")}
        generation_eos = getattr(lm.model.generation_config, "eos_token_id", None)
        stop.update(generation_eos if isinstance(generation_eos, list) else [generation_eos])
        self.stop_ids = {token for token in stop if isinstance(token, int) and token >= 0}
        # Control tokens (<|im_start|>, <filename>, ...) never belong inside a call's JSON.
        self.control_ids = set(tokenizer.get_added_vocab().values()) - self.stop_ids

    # -- prompt ---------------------------------------------------------------------------------

    def _render(self, messages: list[dict[str, str]], generation_prompt: bool) -> str:
        return self.lm.tokenizer.apply_chat_template(messages, tokenize=False, add_generation_prompt=generation_prompt)

    def _encode(self, text: str) -> list[int]:
        return self.lm.tokenizer.encode(text, add_special_tokens=False)

    def _forward(self, ids: list[int], cache: Any) -> Any:
        """Logits of the last position and the grown cache."""
        rows, cache = self._forward_rows(ids, cache, keep=1)
        return rows[-1], cache

    def _forward_rows(self, ids: list[int], cache: Any, keep: int) -> Any:
        """Logits of the last `keep` positions, (keep, vocab), and the grown cache."""
        import torch

        output = self.lm.model(input_ids=torch.tensor([ids]), cache=cache, use_cache=True, logits_to_keep=keep)
        return output.logits[0], output.cache

    def _prefix(self, system_text: str) -> _Prefix:
        """The cache after the system prompt, computed once per distinct system prompt."""
        if system_text in self._prefixes:
            self._prefixes.move_to_end(system_text)
            return self._prefixes[system_text]
        ids = self._encode(system_text)
        _, cache = self._forward(ids, None)
        prefix = _Prefix(cache=cache, length=len(ids))
        self._prefixes[system_text] = prefix
        if len(self._prefixes) > PREFIX_CACHE_SIZE:
            self._prefixes.popitem(last=False)
        return prefix

    # -- decisions ------------------------------------------------------------------------------

    def run(
        self,
        messages: list[dict[str, str]],
        tools: list[dict[str, Any]],
        mode: str = "auto",
        max_text_tokens: int | None = None,
    ) -> Iterator[str | Decision]:
        """Yield text deltas of a text answer as they come, then the Decision.

        `messages` starts with the system message; `mode` is "auto", "required" (must call a tool)
        or "none" (must answer in text); `max_text_tokens` caps a text answer (default: max_new_tokens).
        """
        import torch

        prompt = self._render(messages, generation_prompt=True)
        system_text = self._render(messages[:1], generation_prompt=False)
        if not prompt.startswith(system_text):
            system_text = ""
        with self._lock, torch.inference_mode():
            prefix = self._prefix(system_text) if system_text else None
            cache = prefix.cache if prefix else None
            try:
                grammar = ToolCallGrammar(tools) if tools and mode != "none" else None
                # The opening of a call is fed with the turn, in the same forward pass: the first row
                # decides between a call and text, the last one goes on with the call.
                opening = self._forced_ids(grammar, "") if grammar else []
                rows, cache = self._forward_rows(self._encode(prompt[len(system_text) :]) + opening, cache,
                                                 keep=len(opening) + 1)
                turn_end = cache.get_seq_length() - len(opening)

                def answer(logits: Any) -> Iterator[str | Decision]:
                    """A text answer from the end of the turn, the opening of a call left out of the cache."""
                    _truncate(cache, turn_end)
                    return self._text(logits, cache, max_text_tokens or self.max_new_tokens, fact_to_quote(messages))

                asked = _asked_for(messages, tools) if grammar else set()
                if grammar is None or (mode == "auto" and not asked and not self._starts_call(rows[0], opening, messages)):
                    yield from answer(rows[0])
                    return
                # The opening ends where the first call's name is chosen, unless one tool forces it.
                weighed = self.tool_prior_weight and len(tools) > 1 and any(m["role"] == "user" for m in messages)
                prior = _Prior(messages, system_text, prefix.length if prefix else 0) if weighed else None
                grounding = CallGrounding(messages, tools)
                decision = self._calls(rows[-1], cache, grammar, _turn_text(messages), grounding, opening, prior,
                                       self._leaning(messages, tools, asked))
                if mode == "auto" and grounding.invents(decision.calls):
                    # A further call with values nobody gave: answer from the results instead.
                    yield from answer(_without_token(rows[0], opening[0]))
                    return
                yield decision
            finally:
                if prefix is not None:
                    _truncate(prefix.cache, prefix.length)

    def decide(self, messages: list[dict[str, str]], tools: list[dict[str, Any]], mode: str = "auto",
               max_text_tokens: int | None = None) -> Decision:
        *_, decision = self.run(messages, tools, mode, max_text_tokens)
        return decision

    def call_probability(self, messages: list[dict[str, str]], tools: list[dict[str, Any]]) -> tuple[float, bool]:
        """How likely the model opens a tool call here, and whether greedy decoding would."""
        import torch

        prompt = self._render(messages, generation_prompt=True)
        opening = self._forced_ids(ToolCallGrammar(tools), "")
        with self._lock, torch.inference_mode():
            logits, _ = self._forward(self._encode(prompt), None)
        return _probability(logits, opening[0]), self._greedy_call(logits)

    def _starts_call(self, logits: Any, opening: list[int], messages: list[dict[str, str]]) -> bool:
        if self._greedy_call(logits):
            return True
        threshold = self.call_threshold_after_result
        after_result = messages[-1]["role"] == "tool"
        return threshold is not None and after_result and _probability(logits, opening[0]) >= threshold

    def _name_prior(self, prior: _Prior, cache: Any, before_name: list[int]) -> Any:
        """Log-probabilities of a call's first name token when the request says nothing (contextual calibration).

        The planner leans to some tools whatever the request: with an image in the turn it captions it
        even when asked a question about it. Taking `tool_prior_weight` of this prior off the name's
        first token weighs each tool by how much the request itself raises it. Read only when a call is
        decoded, from a copy of the system prompt's cache; a one-line request with no memories, images
        or results leaves the same turn whatever it says, so its prior is computed once per tool set.
        """
        import torch

        prompt = self._render(_without_request(prior.messages), generation_prompt=True)
        if prompt in self._priors:
            self._priors.move_to_end(prompt)
            return self._priors[prompt]
        base = None
        if prior.prefix_length:
            base = copy.deepcopy(cache)
            _truncate(base, prior.prefix_length)
        logits, _ = self._forward(self._encode(prompt[len(prior.system_text) :]) + before_name, base)
        self._priors[prompt] = torch.log_softmax(logits.float(), dim=-1)
        if len(self._priors) > PRIOR_CACHE_SIZE:
            self._priors.popitem(last=False)
        return self._priors[prompt]

    def _leaning(self, messages: list[dict[str, str]], tools: list[dict[str, Any]], asked: set[str]) -> dict[str, float]:
        """What a turn's first call adds to each tool's name: nothing for a tool near the user's words (the
        request's, or all the conversation's) as the nearest tool is, give or take `TOOL_SIMILARITY_MARGIN`;
        less the further a tool is beyond that. After a result, `NAMED_TOOL_LEAN` less for every tool but
        those the request `asked` for (`_asked_for`).

        The small planner sometimes takes a tool the request has nothing to do with ("New York weather now"
        → log_medication_taken, "live translate Catalan to Indonesian" → split_bill), most often a tool
        it was never trained on. The margin keeps a near tool MiniLM ranks a little lower: "what colour is
        the shape in this picture?" is nearer classify_image than ask_image ("Answer a question about an
        image"). Only before the turn's first result: a chain's request is nearest the tool it starts with
        ("draw a red star and tell me what you drew"), not the one that follows.
        """
        if asked:
            return {tool["name"]: 0.0 if tool["name"] in asked else -NAMED_TOOL_LEAN for tool in tools}
        request, *since = current_turn(messages) or [None]
        if request is None or since or len(tools) < 2 or not (self.tool_similarity and self.tool_similarity_weight):
            return {}
        said = [user_words(message["content"]) for message in messages if message["role"] == "user"]
        similarity = self.tool_similarity([(tool["name"], tool.get("description") or "") for tool in tools],
                                          [said[-1], "\n".join(said)])
        nearest = max(map(float, similarity))
        return {tool["name"]: self.tool_similarity_weight * min(0.0, float(value) - nearest + TOOL_SIMILARITY_MARGIN)
                for tool, value in zip(tools, similarity)}

    def _leaned(self, scores: Any, name: str, leaning: dict[str, float]) -> Any:
        """The likeliest tokens of a call's name so far `name`, each shifted by the leaning (zero or less) of
        the tools whose name it still spells, the least held back of them; every other token is out."""
        import torch

        leaned = torch.full_like(scores, -math.inf, dtype=torch.float)
        for token in scores.topk(CANDIDATES).indices.tolist():
            spelt, closes, _ = (name + self._piece(token)).partition('"')
            leans = [lean for tool, lean in leaning.items() if (tool == spelt if closes else tool.startswith(spelt))]
            if leans:
                leaned[token] = scores[token] + max(leans)
        return leaned

    def _piece(self, token: int) -> str:
        if token not in self._pieces:
            self._pieces[token] = self.lm.tokenizer.decode([token])
        return self._pieces[token]

    def _calibrated(self, logits: Any, prior: Any) -> Any:
        """The model's own likeliest tokens, reranked by how much more likely the request makes them than
        the prior does; every other token is out (a token the prior never expects is not thereby likely)."""
        import torch

        top = logits.topk(CANDIDATES).indices
        scores = torch.full_like(logits, -math.inf, dtype=torch.float)
        scores[top] = torch.log_softmax(logits.float(), dim=-1)[top] - self.tool_prior_weight * prior[top]
        return scores

    def _greedy_call(self, logits: Any) -> bool:
        piece = self.lm.tokenizer.decode([int(logits.argmax())])
        return bool(piece) and (CALL_OPEN.startswith(piece) or piece.startswith(CALL_OPEN.strip()))

    def _forced_ids(self, grammar: ToolCallGrammar, text: str) -> list[int]:
        """The tokens of all the text the grammar forces after `text`."""
        run = _forced_run(grammar, text)
        forced = self._encode(run)
        if run.endswith((" ", "\n")):
            # The model picks a trailing space itself, so it may merge it with what follows the
            # way its tokenizer would (` ` then `"` is one token ` "`).
            forced = forced[:-1]
        return forced

    def _calls(self, logits: Any, cache: Any, grammar: ToolCallGrammar, source: str, grounding: CallGrounding,
               opening: list[int], prior: _Prior | None = None, leaning: dict[str, float] | None = None) -> Decision:
        """Calls decoded under the grammar; `opening` (forced text) is already in the cache; `prior`, the
        turn the first call's name is weighed against (`_name_prior`); `leaning`, what the first call's name
        tokens gain for each tool (`_leaning`)."""
        decode = self.lm.tokenizer.decode
        ids = list(opening)
        text, valid_text, decision = decode(ids), "", Decision(forced_tokens=len(opening))
        before_name = opening if prior else None
        while True:
            status = grammar.check(text)
            if not status.valid:
                # Tokens decoded together can read differently from one at a time (a backslash
                # before a quote): close the last valid prefix with the grammar's shortest ending.
                text = grammar.complete(valid_text)
                break
            valid_text = text
            if decision.generated_tokens >= self.max_new_tokens:
                text = grammar.complete(text)
                break
            forced = self._forced_ids(grammar, text)
            if forced:
                logits, cache = self._feed(forced, cache, decision)
                ids += forced
                text = decode(ids)
                continue
            draft = self._draft(text, source, ids, logits, grammar) if status.free else []
            if draft:
                logits, cache = self._verify(draft, ids, cache, grammar, decision)
                text = decode(ids)
                continue
            scores = logits
            if prior is not None and ids == before_name:
                scores = self._calibrated(logits, self._name_prior(prior, cache, before_name))
            if leaning and (name := _first_name_so_far(text)) is not None:
                scores = self._leaned(scores, name, leaning)
            token = self._pick(scores, ids, text, grammar, status.complete, grounding)
            if token is None and status.complete:
                break
            if token is None:  # nothing likely is valid: take the grammar's own next step
                chosen = self._encode(status.options[0])
                decision.forced_tokens += len(chosen)
            else:
                chosen = [token]
                decision.generated_tokens += 1
            # What the grammar forces after it goes into the same forward pass.
            forced = self._forced_ids(grammar, decode([*ids, *chosen]))
            logits, cache = self._forward([*chosen, *forced], cache)
            ids += [*chosen, *forced]
            decision.forced_tokens += len(forced)
            text = decode(ids)
        decision.calls = [(name, grounding.arguments(name, arguments)) for name, arguments in parse_calls(text)]
        return decision

    def _draft(self, text: str, source: str, ids: list[int], logits: Any, grammar: ToolCallGrammar) -> list[int]:
        """Tokens a string argument may copy from the turn's text (prompt-lookup drafting).

        Argument values are mostly the user's own words or what a tool returned (an image id): once the
        value so far is found in the request or a result of the turn (`source`), what follows it there
        is checked by the model in one forward pass, not one per token. A value inside a word there is
        finished from it: always where the model would close the value or write a sign and the value never
        ends a word there ("Santi" for "Santiago", "an@example.org" for "ana@example.org"); where it goes
        on with other letters, when it ranks the word's own within `word_completion_margin` nats of its
        pick ("img_56a5a5a79a63" for "img_56a5a0769a63").
        """
        value = text[text.rfind('"') + 1 :]
        if not value or not self.draft_tokens:
            return []
        follows = dict.fromkeys(source[i + len(value) :] for i in _word_starts(value, source))
        drafts = [self._encode(rest[:64])[: self.draft_tokens] for rest in follows if rest]
        drafts = [draft for draft in drafts if draft]
        if not drafts:
            return []
        draft = max(drafts, key=lambda d: float(logits[d[0]]))
        rest = self.lm.tokenizer.decode(draft)
        inside_word = value[-1].isalnum() and rest[:1].isalnum()
        cut_short = inside_word and all(follow[:1].isalnum() for follow in follows) and self._cuts_word(logits)
        margin = math.inf if cut_short else self.word_completion_margin if inside_word else 0.0
        if float(logits[draft[0]]) < float(logits.max()) - margin or not self._valid(ids + draft[:1], text, grammar):
            return []
        return draft

    def _cuts_word(self, logits: Any) -> bool:
        """Whether the model's own pick ends the word it is in without starting another: a quote or a sign,
        not a letter (another spelling) nor a space (a word of its own, "a" in "a green square")."""
        first = self.lm.tokenizer.decode([int(logits.argmax())])[:1]
        return not first.isalnum() and not first.isspace()

    def _verify(self, draft: list[int], ids: list[int], cache: Any, grammar: ToolCallGrammar, decision: Decision):
        """Keep the longest prefix of the draft that greedy decoding would have produced itself."""
        all_logits, cache = self._forward_rows(draft, cache, keep=len(draft))
        accepted = 1  # the first draft token was already checked against the previous logits
        while accepted < len(draft) and int(all_logits[accepted - 1].argmax()) == draft[accepted]:
            if not self._valid(ids + draft[: accepted + 1], None, grammar):
                break
            accepted += 1
        _truncate(cache, cache.get_seq_length() - (len(draft) - accepted))
        ids += draft[:accepted]
        decision.generated_tokens += accepted
        return all_logits[accepted - 1], cache

    def _valid(self, ids: list[int], text: str | None, grammar: ToolCallGrammar) -> bool:
        candidate = self.lm.tokenizer.decode(ids)
        return "\ufffd" not in candidate and (text is None or candidate.startswith(text)) and grammar.check(candidate).valid

    def _feed(self, ids: list[int], cache: Any, decision: Decision) -> tuple[Any, Any]:
        decision.forced_tokens += len(ids)
        return self._forward(ids, cache)

    def _pick(self, logits: Any, ids: list[int], text: str, grammar: ToolCallGrammar, complete: bool,
              grounding: CallGrounding) -> int | None:
        """The most likely token that keeps the output valid and closes no arguments `grounding` keeps
        open; None to stop here."""
        decode = self.lm.tokenizer.decode
        for token in logits.topk(CANDIDATES).indices.tolist():
            if token in self.stop_ids:
                if complete:
                    return None
                continue
            if token in self.control_ids:
                continue
            candidate = decode(ids + [token])
            if len(candidate) <= len(text) or not candidate.startswith(text) or "\ufffd" in candidate:
                continue
            piece = candidate[len(text) :]
            if not grounding.may_write(text, piece):
                continue
            if not grounding.may_choose(text, piece):
                continue
            if not grounding.may_end_string(text, piece):
                continue
            if "}" in piece and not grounding.may_close(candidate[: len(text) + piece.index("}")], grammar):
                continue
            if grammar.check(candidate).valid:
                return token
        return None

    def _text(self, logits: Any, cache: Any, max_tokens: int, fact: str | None) -> Iterator[str | Decision]:
        """A text answer, streamed. It ends where the model opens a tool call inside it: after a result
        the model sometimes "answers" by writing out a call ("Here is the result:\n<tool_call>..."), markup
        no user should see. A tail that may still turn out to start it is held back from the stream.
        A quotation of what the user told quotes `fact`, the turn's most relevant one (`tools.llm.quoting`)."""
        decode = self.lm.tokenizer.decode
        ids: list[int] = []
        quote: list[int] = []
        text = shown = ""
        for _ in range(max_tokens):
            token = int(logits.argmax())
            if token in self.stop_ids:
                break
            ids.append(token)
            text = decode(ids, skip_special_tokens=True)
            if CALL_MARKUP in text:
                text = text[: text.index(CALL_MARKUP)]
                break
            visible = _streamable(text)
            if len(visible) > len(shown) and not visible.endswith("\ufffd"):
                yield visible[len(shown) :]
                shown = visible
            logits, cache = self._forward([token], cache)
            if fact and text.endswith(FACT_QUOTE):
                quote, fact = self._encode(fact + QUOTE_END), None
                ids += quote
                text = decode(ids, skip_special_tokens=True)
                logits, cache = self._forward(quote, cache)
        if len(text) > len(shown):
            yield text[len(shown) :]
        yield Decision(content=text.strip(), generated_tokens=len(ids) - len(quote), forced_tokens=len(quote))


def _streamable(text: str) -> str:
    """What of a text answer so far may be streamed: not a tail that may be the start of call markup."""
    held = next((k for k in range(min(len(text), len(CALL_MARKUP) - 1), 0, -1) if CALL_MARKUP.startswith(text[-k:])), 0)
    return text[: len(text) - held]


def _asked_for(messages: list[dict[str, str]], tools: list[dict[str, Any]]) -> set[str]:
    """After a result, the tools the request names by their action (`tools.llm.naming`) that the turn has
    not called, or else those that answer the particular question it asks of an image the result shows
    (`tools.llm.questions`): the turn goes on with one of them, whatever the model's leaning to answer."""
    request, *since = current_turn(messages) or [None]
    if request is None or not since or since[-1]["role"] != "tool":
        return set()
    calls = [call for message in since if message["role"] == "assistant" for call in parse_calls(message["content"])]
    called = {name for name, _ in calls}
    said = user_words(request["content"])
    named = named_tools(said, [tool["name"] for tool in tools], [arguments for _, arguments in calls]) - called
    return named or questioned_tools(said, since[-1]["content"], tools, called)


def _without_request(messages: list[dict[str, str]]) -> list[dict[str, str]]:
    """The conversation with the last request's own words left out (its memories and attachments kept)."""
    request, *since = current_turn(messages)
    before = messages[: len(messages) - len(since) - 1]
    return [*before, {**request, "content": without_user_words(request["content"])}, *since]


def _first_name_so_far(text: str) -> str | None:
    """The first call's name as far as `text` writes it; None before it opens or once it is closed."""
    opened = _FIRST_NAME.search(text)
    if opened is None or '"' in text[opened.end() :]:
        return None
    return text[opened.end() :]


def _turn_text(messages: list[dict[str, str]]) -> str:
    """The request and the tool results that came back since, one a line: what calls copy from."""
    return "\n".join(m["content"] for m in current_turn(messages) if m["role"] in ("user", "tool"))


def _word_starts(value: str, text: str) -> Iterator[int]:
    """Where `value` occurs in `text` at the start of a word."""
    return (m.start() for m in re.finditer(re.escape(value), text) if m.start() == 0 or not text[m.start() - 1].isalnum())


def _without_token(logits: Any, token: int) -> Any:
    masked = logits.clone()
    masked[token] = -math.inf
    return masked


def _probability(logits: Any, token: int) -> float:
    import torch

    return float(torch.softmax(logits.float(), dim=-1)[token])


def _forced_run(grammar: ToolCallGrammar, text: str) -> str:
    """All the text the grammar forces from here on, across as many pieces as it forces in a row."""
    forced = ""
    while step := _forced_step(grammar.check(text + forced)):
        forced += step
    return forced


def _forced_step(status: Status) -> str:
    """What the grammar forces next, or else the signs every option starts with: the quote before a
    tool's name or an enum value, the "_" after "generate". The tokenizer never joins a sign to a letter
    or a digit, so writing them does not split a word the model would write in one token; and the quote
    goes with the forced `":` before it as the one token `":"` the adapter was trained on."""
    if status.forced or status.free or status.complete or not status.options:
        return status.forced
    shared = os.path.commonprefix(status.options)
    return shared[: next((i for i, char in enumerate(shared) if char.isalnum() or char.isspace()), len(shared))]


def _truncate(cache: Any, length: int) -> None:
    """Cut a key/value cache back to its first `length` positions, for reuse by the next request."""
    extra = cache.get_seq_length() - length
    if extra > 0:
        cache.crop(-extra)
