"""The grammar of tool calls, driven by the offered tools' JSON schemas.

`check(text)` parses a partial output and says whether it can still become valid calls, whether it is
complete, and what may come next. The decoder uses it to keep only tokens that stay valid (so the tool
name is always an offered one and the arguments always validate) and to fast-forward text the schema
forces (`{"name": "`, a unique key, the rest of a tool name). `complete(text)` closes any valid prefix
with the shortest valid ending, for when the token budget runs out.

The JSON layout is fixed (compact separators, keys in schema order), as in `prompt.render_call`.
"""

from __future__ import annotations

import json
import math
import re
from dataclasses import dataclass
from typing import Any

from tools.llm.prompt import CALL_CLOSE, CALL_OPEN, CALL_SEPARATOR

MAX_STRING = 300
MAX_ITEMS = 16
MAX_CALLS = 8
_NUMBER_PREFIX = re.compile(r"-?((0|[1-9]\d*)(\.\d*)?([eE][+-]?\d*)?)?")
_INTEGER = re.compile(r"-?(0|[1-9]\d*)")
_INTEGER_PREFIX = re.compile(r"-?(0|[1-9]\d*)?")
_NUMBER = re.compile(r"-?(0|[1-9]\d*)(\.\d+)?([eE][+-]?\d+)?")
_NUMBER_CHARS = set("-0123456789.eE+")


class Invalid(Exception):
    """The text can never become valid calls."""


class Incomplete(Exception):
    """The text ended early. `options` are continuations the grammar knows (the first one closes
    soonest); `free` means other text may come too (inside a string or a number)."""

    def __init__(self, options: tuple[str, ...], free: bool = False):
        super().__init__(options)
        self.options = options
        self.free = free


@dataclass(frozen=True)
class Status:
    valid: bool
    complete: bool = False
    options: tuple[str, ...] = ()
    free: bool = False

    @property
    def forced(self) -> str:
        """Text that must come next whatever the model prefers ('' when it has a choice)."""
        return self.options[0] if len(self.options) == 1 and not self.free and not self.complete else ""


class _Cursor:
    def __init__(self, text: str):
        self.text = text
        self.pos = 0
        self.open_number = False  # the text ended right after digits that may go on

    def at_end(self) -> bool:
        return self.pos >= len(self.text)

    def incomplete(self, options: tuple[str, ...], free: bool = False) -> Incomplete:
        return Incomplete(options, free or self.open_number)

    def literal(self, expected: str) -> None:
        for i, char in enumerate(expected):
            if self.at_end():
                raise self.incomplete((expected[i:],))
            if self.text[self.pos] != char:
                raise Invalid
            self.pos += 1

    def choice(self, options: list[str]) -> str:
        """Read one of `options`, the longest that matches."""
        rest = self.text[self.pos :]
        full = [option for option in options if rest.startswith(option)]
        if full:
            best = max(full, key=len)
            self.pos += len(best)
            return best
        partial = tuple(option[len(rest) :] for option in options if option.startswith(rest))
        if partial:
            self.pos = len(self.text)
            raise self.incomplete(partial)
        raise Invalid


class ToolCallGrammar:
    """Valid outputs: one or more `<tool_call>` blocks calling the given tools with valid arguments."""

    def __init__(self, tools: list[dict[str, Any]]):
        if not tools:
            raise ValueError("a tool-call grammar needs at least one tool")
        self.parameters = {tool["name"]: tool.get("parameters") or {"type": "object", "properties": {}} for tool in tools}
        self.name_options = [json.dumps(name, ensure_ascii=False) for name in self.parameters]

    def check(self, text: str) -> Status:
        cursor = _Cursor(text)
        try:
            self._output(cursor)
        except Incomplete as incomplete:
            return Status(valid=True, options=incomplete.options, free=incomplete.free)
        except Invalid:
            return Status(valid=False)
        return Status(valid=True, complete=True, options=(CALL_SEPARATOR + CALL_OPEN,))

    def complete(self, text: str) -> str:
        """Close a valid prefix with the shortest ending the grammar allows."""
        for _ in range(10_000):
            status = self.check(text)
            if not status.valid:
                raise ValueError(f"not a valid prefix: {text!r}")
            if status.complete:
                return text
            text += status.options[0]
        raise RuntimeError("tool-call completion did not terminate")

    def _output(self, c: _Cursor) -> None:
        for index in range(MAX_CALLS):
            if index:
                c.literal(CALL_SEPARATOR)
            c.literal(CALL_OPEN)
            self._call(c)
            c.literal(CALL_CLOSE)
            if c.at_end():
                return
        raise Invalid

    def _call(self, c: _Cursor) -> None:
        c.literal('{"name":')
        name = json.loads(c.choice(self.name_options))
        c.literal(',"arguments":')
        _value(c, self.parameters[name])
        c.literal("}")


def _value(c: _Cursor, schema: dict[str, Any]) -> None:
    if "enum" in schema or "const" in schema:
        values = schema["enum"] if "enum" in schema else [schema["const"]]
        c.choice([json.dumps(value, ensure_ascii=False) for value in values])
        return
    alternatives = schema.get("anyOf") or schema.get("oneOf")
    kind = schema.get("type")
    if isinstance(kind, list):
        alternatives = [{**schema, "type": each} for each in kind]
    if alternatives:
        _alternatives(c, alternatives)
        return
    parse = _PARSERS.get(kind, _any)
    parse(c, schema)


def _alternatives(c: _Cursor, alternatives: list[dict[str, Any]]) -> None:
    """The first alternative that parses wins; if none does, merge what they would accept next."""
    start, options, free = c.pos, [], False
    for schema in alternatives:
        c.pos, c.open_number = start, False
        try:
            _value(c, schema)
            return
        except Incomplete as incomplete:
            options.extend(option for option in incomplete.options if option not in options)
            free = free or incomplete.free
        except Invalid:
            continue
    if options or free:
        c.pos = len(c.text)
        raise Incomplete(tuple(options), free)
    raise Invalid


def _string(c: _Cursor, schema: dict[str, Any]) -> None:
    c.literal('"')
    min_length = schema.get("minLength", 1)  # an empty argument is never what a user asked for
    max_length = min(schema.get("maxLength", MAX_STRING), MAX_STRING)
    length = 0
    while True:
        if c.at_end():
            # at the maximum length the closing quote is forced: a longer value would be invalid
            raise c.incomplete(('"',) if length >= min_length else ("x",), free=length < max_length)
        char = c.text[c.pos]
        if char == '"':
            if length < min_length:
                raise Invalid
            c.pos += 1
            return
        if char == "\\":
            _escape(c)
        elif char < " ":
            raise Invalid
        else:
            c.pos += 1
        length += 1
        if length > max_length:
            raise Invalid


def _escape(c: _Cursor) -> None:
    c.pos += 1
    if c.at_end():
        raise c.incomplete(('"',), free=True)
    char = c.text[c.pos]
    if char == "u":
        digits = c.text[c.pos + 1 : c.pos + 5]
        if not all(d in "0123456789abcdefABCDEF" for d in digits):
            raise Invalid
        if len(digits) < 4:
            c.pos = len(c.text)
            raise c.incomplete(("0" * (4 - len(digits)),), free=True)
        c.pos += 5
    elif char in '"\\/bfnrt':
        c.pos += 1
    else:
        raise Invalid


def _number(c: _Cursor, schema: dict[str, Any]) -> None:
    integer = schema.get("type") == "integer"
    end = c.pos
    while end < len(c.text) and c.text[end] in _NUMBER_CHARS:
        end += 1
    token = c.text[c.pos : end]
    pattern = _INTEGER if integer else _NUMBER
    if end < len(c.text):  # the number is followed by something: it is finished
        if not pattern.fullmatch(token) or not in_bounds(float(token), schema):
            raise Invalid
        c.pos = end
        return
    prefix = _INTEGER_PREFIX if integer else _NUMBER_PREFIX
    if not prefix.fullmatch(token) or not _reachable(token, schema, integer):
        raise Invalid
    c.pos = end
    if pattern.fullmatch(token) and in_bounds(float(token), schema):
        c.open_number = True
        return
    step = next(s for s in "0123456789." if prefix.fullmatch(token + s) and _reachable(token + s, schema, integer))
    raise c.incomplete((step,), free=True)


def in_bounds(value: float, schema: dict[str, Any]) -> bool:
    low, high = schema.get("minimum"), schema.get("maximum")
    return (low is None or value >= low) and (high is None or value <= high)


def _reachable(token: str, schema: dict[str, Any], integer: bool) -> bool:
    """Whether more digits can still bring a partial number inside its bounds (exponents: assume so)."""
    if "e" in token.lower():
        return True
    negative = token.startswith("-")
    whole, _, fraction = token.lstrip("-").partition(".")
    low = schema.get("minimum", -math.inf)
    high = schema.get("maximum", math.inf)
    if negative:
        low, high = -high, -low  # reason about the magnitude
    if not whole:
        return high >= 0
    if "." in token:
        base = float(f"{whole}.{fraction or 0}")
        return base <= high and base + 10 ** -len(fraction) > low
    value = int(whole)
    if low <= value <= high or (not integer and value <= high and value + 1 > low):  # as is, or with decimals
        return True
    # More digits: [value·10^k, (value+1)·10^k); a leading 0 takes none.
    return whole != "0" and any(value * 10**k <= high and (value + 1) * 10**k > low for k in range(1, 20))


def _boolean(c: _Cursor, schema: dict[str, Any]) -> None:
    c.choice(["false", "true"])


def _null(c: _Cursor, schema: dict[str, Any]) -> None:
    c.literal("null")


def _array(c: _Cursor, schema: dict[str, Any]) -> None:
    c.literal("[")
    items = schema.get("items") or {}
    min_items = schema.get("minItems", 0)
    max_items = min(schema.get("maxItems", MAX_ITEMS), MAX_ITEMS)
    count = 0
    while True:
        if count == 0:
            if c.at_end():
                raise c.incomplete(("]",) if min_items == 0 else _value_start(items), free=min_items == 0)
            if c.text[c.pos] == "]" and min_items == 0:
                c.pos += 1
                return
        else:
            allowed = (["]"] if count >= min_items else []) + ([","] if count < max_items else [])
            if c.choice(allowed) == "]":
                return
        _value(c, items)
        count += 1


def _value_start(schema: dict[str, Any]) -> tuple[str, ...]:
    kind = schema.get("type")
    return {"string": ('"',), "array": ("[",), "object": ("{",), "boolean": ("false", "true")}.get(kind, ("0",))


def _object(c: _Cursor, schema: dict[str, Any]) -> None:
    """The declared properties, in schema order, when the schema declares any (a tool's arguments:
    `"properties": {}` means none); any keys only for an object the schema leaves open."""
    properties: dict[str, Any] = schema.get("properties") or {}
    if "properties" not in schema and schema.get("additionalProperties", True) is not False:
        _free_object(c)
        return
    required = set(schema.get("required", []))
    names = list(properties)
    c.literal("{")
    next_index, seen = 0, set()
    while True:
        separator = "," if seen else ""
        allowed = []
        for name in names[next_index:]:
            allowed.append(name)
            if name in required:
                break  # keys come in schema order: a required key cannot be skipped
        options = (["}"] if required <= seen else []) + [separator + json.dumps(n, ensure_ascii=False) + ":" for n in allowed]
        chosen = c.choice(options)
        if chosen == "}":
            return
        name = allowed[options.index(chosen) - (1 if required <= seen else 0)]
        seen.add(name)
        next_index = names.index(name) + 1
        _value(c, properties[name])


def _free_object(c: _Cursor) -> None:
    """An object whose keys the schema does not list: any string keys, any values."""
    c.literal("{")
    first = True
    while True:
        if first:
            if c.at_end():
                raise c.incomplete(("}",), free=True)
            if c.text[c.pos] == "}":
                c.pos += 1
                return
        elif c.choice(["}", ","]) == "}":
            return
        _string(c, {})
        c.literal(":")
        _any(c, {})
        first = False


def _any(c: _Cursor, schema: dict[str, Any]) -> None:
    if c.at_end():
        raise c.incomplete(("null",), free=True)
    kind = {'"': "string", "[": "array", "{": "object", "t": "boolean", "f": "boolean", "n": "null"}.get(
        c.text[c.pos], "number"
    )
    _PARSERS[kind](c, {"type": kind} if kind != "object" else {})


_PARSERS = {
    "string": _string,
    "integer": _number,
    "number": _number,
    "boolean": _boolean,
    "null": _null,
    "array": _array,
    "object": _object,
}
