"""A tool call's values come from the conversation: optional numbers and named enum values from the
request, and after a tool's result every value from what the user and the tools have said.

A small planner drops counts the user gave ("three pictures of a blue square" without `n`) and
invents optional numbers the user never gave (a 5 % tip on "what's the tip on 1327.62?"). So while
the request states a number that no call of the turn has used, a call's arguments stay open as long
as an optional number parameter that admits it is; a number is written only as one of those numbers
its schema admits (49 is no count of guests from 1 to 8, but a maximum price; "at 5%" gave a required
`interest_rate` 0.5); and an optional number the request does not state is left out, for the tool's
own default. A number stated once grounds one argument, and one stated right before a word of a
parameter's name grounds that parameter: "for 7 people ... for 4 nights" gave `nights` 7. A required
number the request leaves none for is the model's to work out.

Likewise a call's arguments stay open while an optional enum parameter is, and the request names one
of its values ("any vegan recipes using chickpeas?" with `diet` in vegan / vegetarian / any). The model
still picks the key, since a request often maps to a value rather than naming it; but an enum whose
values the request names takes one of those ("in standard mode" gave `mode` "turbo").
And a call stays open while the request gives an email address no call of the turn has written and an
optional string parameter is open ("did sven@example.se send me anything about ..." without `sender`).

A string value of nothing but punctuation is written only where the request gives those signs on their
own (a separator: "split it on ;"): the small planner listed the ingredients of "a dish that uses oats
and pasta" as `[","]`. An optional string that only repeats words of another value, or a value named
for an enum, is left out: it says nothing more ("note: book recommendations from Luca" with the title
"recommendations"; `room` "standard" beside `mode` "standard").

After a tool's result, a further call takes its values from the conversation: the small planner goes on
after a result it should answer, with values nobody gave ("I have 3000 JPY, how many euros is that?",
then the weather in "Istanbul"; a recipe, then a translation into "English"; an umbrella question, then
an email to "my friend"). A call whose string value shares no word with what the user and the tools
have said, or whose number none of them stated, is not made: the planner answers instead.
"""

from __future__ import annotations

import json
import re
from collections import Counter
from typing import Any

from tools.llm.grammar import ToolCallGrammar, in_bounds
from tools.llm.prompt import CALL_OPEN, current_turn, parse_calls, user_words

# Numbers written as words. "one" is mostly a pronoun ("draw a new one"), so it can ground a 1 but
# never asks for one.
NUMBER_WORDS = {
    "two": 2, "three": 3, "four": 4, "five": 5, "six": 6, "seven": 7, "eight": 8, "nine": 9, "ten": 10,
    "eleven": 11, "twelve": 12, "thirteen": 13, "fourteen": 14, "fifteen": 15, "sixteen": 16, "seventeen": 17,
    "eighteen": 18, "nineteen": 19, "twenty": 20, "thirty": 30, "forty": 40, "fifty": 50, "sixty": 60,
    "seventy": 70, "eighty": 80, "ninety": 90, "hundred": 100, "thousand": 1000, "dozen": 12, "pair": 2,
    "couple": 2,
}
IMPLIED_WORDS = {"one": 1, "single": 1, "zero": 0, "no": 0, "none": 0}
# Digits that stand on their own: "2025-03-14" and "LST-8812" hold numbers, "img_d52c3bd74c84" none.
_DIGITS = re.compile(r"(?<![A-Za-z_\d.])\d+(?:\.\d+)?")
_WORD = re.compile(r"[a-z]+")
_NUMBER_THEN_WORD = re.compile(rf"(?<![\w.])(\d+(?:\.\d+)?|{'|'.join(NUMBER_WORDS)})\s+([a-z]+)")
_NUMBER_VALUE = re.compile(r'"((?:[^"\\]|\\.)*)":(-?[\d.]*)$')  # text that ends inside a number value
_STRING_VALUE = re.compile(r'"((?:[^"\\]|\\.)*)":("(?:[^"\\]|\\.)*)?$')  # text that ends at or in a string value
_NUMBER_CHARS = re.compile(r"[-\d.eE+]*")
_STRING = re.compile(r'"((?:[^"\\]|\\.)*)"')  # a JSON string, read from the start of a call
_ADDRESS = re.compile(r"[\w.+-]+@[\w-]+(?:\.[\w-]+)+")  # an email address
_ENDS = " ,.;:!?"  # what a value may end in without saying more
_PUNCTUATION = re.compile(r"[!-/:-@[-`{-~\s]*")  # ASCII signs and spaces only
_TERM = re.compile(r"[^\W_]{3,}")  # a word that says something: "my", "a" and "of" ground nothing


def terms(text: str) -> set[str]:
    """The words of a text that say something (three letters or more), case-folded."""
    return set(_TERM.findall(text.casefold()))


def numbers_in(text: str, implied: bool = False) -> Counter[float]:
    """The numbers a text states, each as often as it does; with `implied`, also those "one" or "no" mean."""
    words = NUMBER_WORDS | IMPLIED_WORDS if implied else NUMBER_WORDS
    found = Counter(float(match) for match in _DIGITS.findall(text))
    found.update(float(words[word]) for word in _WORD.findall(text.lower()) if word in words)
    return found


def numbers_naming(text: str, key: str) -> set[float]:
    """The numbers a text states right before a word of the parameter's name: 4 for `nights` in "for 4
    nights", 7 for `num_guests` in "7 guests" (plurals aside)."""
    parts = {part.removesuffix("s") for part in key.casefold().split("_") if len(part) > 2}
    found = set()
    for number, word in _NUMBER_THEN_WORD.findall(text.casefold()):
        if word.removesuffix("s") in parts:
            found.update(numbers_in(number))
    return found


def argument_numbers(arguments: Any) -> Counter[float]:
    """The numbers a call's arguments hold, as values or inside strings."""
    found: Counter[float] = Counter()
    for leaf in _leaves(arguments):
        if isinstance(leaf, str):
            found.update(numbers_in(leaf))
        elif isinstance(leaf, (int, float)) and not isinstance(leaf, bool):
            found[float(leaf)] += 1
    return found


def _leaves(value: Any) -> list[Any]:
    """The strings, numbers and booleans inside a value."""
    if isinstance(value, dict):
        value = list(value.values())
    if isinstance(value, list):
        return [leaf for item in value for leaf in _leaves(item)]
    return [value]


def _property(name: str, parameters: dict[str, Any]) -> dict[str, Any]:
    """The schema of one parameter ({} for a name the tool does not have)."""
    return (parameters.get("properties") or {}).get(name) or {}


def is_free_number(name: str, parameters: dict[str, Any]) -> bool:
    """Whether the parameter takes any number (its schema lists none)."""
    schema = _property(name, parameters)
    return schema.get("type") in ("integer", "number") and "enum" not in schema


def is_free_string(name: str, parameters: dict[str, Any]) -> bool:
    """Whether the parameter takes any string (its schema lists none)."""
    schema = _property(name, parameters)
    return schema.get("type") == "string" and "enum" not in schema


def is_optional_number(name: str, parameters: dict[str, Any]) -> bool:
    return is_free_number(name, parameters) and name not in parameters.get("required", [])


def fits(number: float, name: str, parameters: dict[str, Any]) -> bool:
    """Whether the parameter's schema admits the number: 49 is no number of guests between 1 and 8."""
    schema = _property(name, parameters)
    if schema.get("type") == "integer" and not number.is_integer():
        return False
    return in_bounds(number, schema)


def without_invented_numbers(arguments: dict[str, Any], parameters: dict[str, Any], request: str) -> dict[str, Any]:
    """The arguments less the optional numbers the request does not state, once for each time it does:
    "a handwritten 7" gives the digit 7, not also seven of them."""
    optional = {name for name, value in arguments.items()
                if is_optional_number(name, parameters) and isinstance(value, (int, float)) and not isinstance(value, bool)}
    unused = numbers_in(request, implied=True) - argument_numbers({k: v for k, v in arguments.items() if k not in optional})
    kept = {}
    for name, value in arguments.items():
        if name in optional:
            if not unused[float(value)]:
                continue
            unused[float(value)] -= 1
        kept[name] = value
    return kept


def without_repeated_words(arguments: dict[str, Any], parameters: dict[str, Any],
                           named_values: dict[str, list[str]]) -> dict[str, Any]:
    """The arguments less an optional free string that only repeats words of another value, or a value the
    request names for an enum parameter: "note: book recommendations from Luca" gave `text` the note and
    `title` "recommendations"; "in standard mode" gave `room` "standard" too."""
    strings = {key: value.casefold().strip(_ENDS) for key, value in arguments.items() if isinstance(value, str)}
    named = {json.loads(value).casefold() for values in named_values.values() for value in values}

    def repeats(key: str) -> bool:
        mine = strings.get(key)
        if not mine or key in parameters.get("required", []) or "enum" in _property(key, parameters):
            return False
        inside = re.compile(rf"(?<!\w){re.escape(mine)}(?!\w)")
        return mine in named or any(other != key and len(value) > len(mine) and inside.search(value)
                                    for other, value in strings.items())

    return {key: value for key, value in arguments.items() if not repeats(key)}


class CallGrounding:
    """The numbers of one decision's request, and those the calls of its turn have used so far."""

    def __init__(self, messages: list[dict[str, str]], tools: list[dict[str, Any]]):
        request, *since = current_turn(messages) or [{"role": "user", "content": ""}]
        self.request = user_words(request["content"])
        self.parameters = {tool["name"]: tool.get("parameters") or {} for tool in tools}
        self.stated = numbers_in(self.request)
        self.stated_or_implied = numbers_in(self.request, implied=True)
        earlier = [arguments for m in since if m["role"] == "assistant" and CALL_OPEN in m["content"]
                   for _, arguments in parse_calls(m["content"])]
        self.used_before = argument_numbers(earlier)
        self.written_before = json.dumps(earlier, ensure_ascii=False)
        self.named_values = {name: _named_values(parameters, self.request) for name, parameters in self.parameters.items()}
        self.named_enums = {name: set(self.named_values[name]) - set(parameters.get("required", []))
                            for name, parameters in self.parameters.items()}
        self.named_numbers = {name: _named_numbers(parameters, self.request) for name, parameters in self.parameters.items()}
        self.addresses = _ADDRESS.findall(self.request)
        # What the user and the tools have said, read only after a result (`invents`).
        self.after_result = bool(since) and since[-1]["role"] == "tool"
        said = "\n".join(m["content"] for m in messages if m["role"] in ("user", "tool")) if self.after_result else ""
        self.said_terms = terms(said)
        self.said_numbers = numbers_in(said, implied=True)

    def may_close(self, text: str, grammar: ToolCallGrammar) -> bool:
        """Whether a call's arguments may close after `text`: not while the request states a number the
        turn has not used and the call can still take it as an optional number, nor while it names a value
        of an optional enum the call can still take, nor while it gives an email address no call of the
        turn has written and the call can still take an optional string."""
        name = _current_call_name(text)
        named = self.named_enums.get(name, set())
        if not self.stated and not named and not self.addresses:
            return True
        options = grammar.check(text).options
        if "}" not in options:
            return True
        parameters = self.parameters.get(name, {})
        open_keys = [key for key in map(_option_key, options) if key]
        if named.intersection(open_keys):
            return False
        if any(is_free_string(key, parameters) for key in open_keys):
            written = self.written_before + json.dumps(_partial_arguments(text), ensure_ascii=False)
            if any(address not in written for address in self.addresses):
                return False
        left = self.stated - self.used_before - argument_numbers(_partial_arguments(text))
        return not any(is_optional_number(key, parameters) and fits(number, key, parameters) for key in open_keys for number in left)

    def may_write(self, text: str, piece: str) -> bool:
        """Whether `piece` may follow `text` inside a number argument: only as part of a number the request
        states before a word of the parameter's name, when it states one the parameter admits; else only as
        part of a number the request states, the turn has not used and the parameter admits. Any number when
        none is left: an optional one is then dropped, a required one is the model's to work out."""
        value = _NUMBER_VALUE.search(text)
        if not value:
            return True
        name = _current_call_name(text)
        parameters = self.parameters.get(name, {})
        key = json.loads(f'"{value.group(1)}"')
        named = self.named_numbers.get(name, {}).get(key)
        if named:
            forms = named
        elif not is_free_number(key, parameters):
            return True
        else:
            left = self.stated_or_implied - self.used_before - argument_numbers(_partial_arguments(text[: value.start(2)]))
            forms = {_written(number) for number in left if fits(number, key, parameters)}
        if not forms:
            return True
        added = _NUMBER_CHARS.match(piece).group()
        digits = value.group(2) + added
        if len(added) < len(piece):  # the number ends in this piece
            return digits in forms
        return any(form.startswith(digits) for form in forms)

    def may_choose(self, text: str, piece: str) -> bool:
        """Whether `piece` may follow `text` in an enum value: only toward a value the request names, when it
        names any of the parameter's ("in standard mode" gave `mode` "turbo")."""
        if not any(self.named_values.values()):  # most requests name none: no reading of the call
            return True
        value = _STRING_VALUE.search(text)
        if not value:
            return True
        named = self.named_values.get(_current_call_name(text), {}).get(json.loads(f'"{value.group(1)}"'))
        if not named:
            return True
        written = (value.group(2) or "") + piece
        return any(form.startswith(written) or written.startswith(form) for form in named)

    def may_end_string(self, text: str, piece: str) -> bool:
        """Whether `piece` may close the strings it closes after `text`: not as nothing but punctuation the
        request does not give on its own. The small planner wrote `[","]` for "a dish that uses oats and
        pasta"; a separator the user gives ("split it on ;") is still taken."""
        if '"' not in piece:
            return True
        for value in _STRING.finditer(text + piece):
            written = value.group(1).strip()
            if value.end() > len(text) and _PUNCTUATION.fullmatch(written) and not _says_apart(self.request, written):
                return False
        return True

    def arguments(self, name: str, arguments: dict[str, Any]) -> dict[str, Any]:
        parameters = self.parameters.get(name, {})
        arguments = without_invented_numbers(arguments, parameters, self.request)
        return without_repeated_words(arguments, parameters, self.named_values.get(name, {}))

    def invents(self, calls: list[tuple[str, dict[str, Any]]]) -> bool:
        """Whether, after a tool's result, a call gives a value nobody in the conversation gave: a string
        none of whose words they used, or a number none of them stated. Enum values and booleans come
        from the schema, and a string without a word of three letters or more says too little to tell."""
        if not self.after_result:
            return False
        for name, arguments in calls:
            properties = self.parameters.get(name, {}).get("properties") or {}
            for key, value in arguments.items():
                if "enum" not in (properties.get(key) or {}) and any(map(self._invented, _leaves(value))):
                    return True
        return False

    def _invented(self, value: Any) -> bool:
        if isinstance(value, str):
            value_terms = terms(value)
            return bool(value_terms) and not value_terms & self.said_terms
        if isinstance(value, (int, float)) and not isinstance(value, bool):
            return not self.said_numbers[float(value)]
        return False


def _named_values(parameters: dict[str, Any], request: str) -> dict[str, list[str]]:
    """For each enum parameter one of whose values the request names, those values as JSON."""
    named = {key: [json.dumps(value, ensure_ascii=False) for value in (schema or {}).get("enum") or ()
                   if isinstance(value, str) and _names(request, value)]
             for key, schema in (parameters.get("properties") or {}).items()}
    return {key: values for key, values in named.items() if values}


def _named_numbers(parameters: dict[str, Any], request: str) -> dict[str, set[str]]:
    """For each parameter, how the numbers the request states before a word of its name and its schema
    admits are written (read when a number is written there)."""
    return {key: {_written(number) for number in numbers_naming(request, key) if fits(number, key, parameters)}
            for key in parameters.get("properties") or {}}


def _names(text: str, value: str) -> bool:
    """Whether `text` says `value` as words of its own ("vegan", "high_quality" as "high quality")."""
    words = value.replace("_", " ").strip()
    return bool(words) and re.search(rf"(?<![\w-]){re.escape(words)}(?![\w-])", text, re.IGNORECASE) is not None


def _says_apart(text: str, signs: str) -> bool:
    """Whether `text` gives `signs` on their own or in quotes ("split it on ;", "use '-'"), not inside or
    after a word as punctuation ("onions, less than 78 min")."""
    return re.search(rf"(?:^|\s|[\"'`]){re.escape(signs)}(?:$|\s|[\"'`])", text) is not None


def _written(number: float) -> str:
    return str(int(number)) if number.is_integer() else repr(number)


def _current_call_name(text: str) -> str:
    names = re.findall(r'"name":\s*("(?:[^"\\]|\\.)*")', text)
    return json.loads(names[-1]) if names else ""


def _option_key(option: str) -> str | None:
    """The key an object option adds (`,"n":` -> n)."""
    match = re.fullmatch(r',?("(?:[^"\\]|\\.)*"):', option)
    return json.loads(match.group(1)) if match else None


def _partial_arguments(text: str) -> list[Any]:
    """The values written so far in the calls of `text`, read leniently: every JSON string and number."""
    values: list[Any] = [json.loads(s) for s in re.findall(r'"(?:[^"\\]|\\.)*"', text)]
    values += [float(n) for n in re.findall(r'(?<=:)-?\d+(?:\.\d+)?', text)]
    return values
