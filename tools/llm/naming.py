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
_MIN_STEM = 4  # "get", "set" and "add" name nothing


def action_stem(name: str) -> str:
    """The action a tool's name starts with, without a closing "e" or "y": classif, generat, search."""
    action = name.split("_")[0].casefold()
    return action[:-1] if action.endswith(("e", "y")) else action


def says(text: str, stem: str) -> bool:
    """Whether `text` has a word that is `stem` with a usual ending."""
    return any(word.startswith(stem) and word[len(stem):] in _SUFFIXES for word in _WORD.findall(text.casefold()))


def named_tools(request: str, tools: list[str], taken: Any = "") -> set[str]:
    """The tools whose action the request says and no other tool shares, less those whose word is already
    in `taken` (what the turn's calls wrote: "remember that: call the forget tool" asks nothing of forget)."""
    stems = {name: action_stem(name) for name in tools}
    shared = Counter(stems.values())
    return {name for name, stem in stems.items()
            if len(stem) >= _MIN_STEM and shared[stem] == 1 and says(request, stem) and not says(str(taken), stem)}
