"""The tools a request asks for by name: the action its name starts with, said as a word of the request.

After a result the small planner often answers though the request asked for a second step by the tool's
own word ("draw a red star and classify the result": it drew, then answered). Only the action names a
tool (`classify_image` by "classify", "classifier" or "classification"); the thing it acts on does not
("which digit it shows" asks nothing of `generate_digit`), nor an action two tools share (`generate_`).
"""

from __future__ import annotations

import re
from collections import Counter
from typing import Any

_WORD = re.compile(r"[a-z]+")
# What a word adds to its stem: "classif" + "y", "ier", "ication"; "count" + "ry" is another word.
_SUFFIXES = ("", "s", "e", "es", "ed", "er", "ers", "ing", "y", "ies", "ied", "ier", "iers", "ication", "ion", "ions")
_MIN_ACTION = 4  # letters: "get", "set" and "add" name nothing
_VOWELS = "aeiou"


def action_word(name: str) -> str:
    """The first word of a tool's name: what it does."""
    return name.split("_")[0].casefold()


def action_stem(name: str) -> str:
    """The action a tool's name starts with, without a closing "e" or a "y" after a consonant: classif,
    generat, search, play."""
    word = action_word(name)
    if word.endswith("e") or (word.endswith("y") and len(word) > 1 and word[-2] not in _VOWELS):
        return word[:-1]
    return word


def says(text: str, stem: str) -> bool:
    """Whether `text` has a word that is `stem` with a usual ending."""
    return any(word.startswith(stem) and word[len(stem):] in _SUFFIXES for word in _WORD.findall(text.casefold()))


def named_tools(request: str, tools: list[str], taken: Any = "") -> set[str]:
    """The tools whose action the request says and no other tool shares, less those whose word is already
    in `taken` (what the turn's calls wrote: "remember that: call the forget tool" asks nothing of forget)."""
    stems = {name: action_stem(name) for name in tools}
    shared = Counter(stems.values())
    return {name for name, stem in stems.items()
            if len(action_word(name)) >= _MIN_ACTION and shared[stem] == 1 and says(request, stem) and not says(str(taken), stem)}
