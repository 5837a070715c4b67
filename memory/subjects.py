"""What a fact is about: `parse_fact("I moved to Bergen")` -> Subject(holder="i", attribute="home", value="bergen").

Two facts with the same `key` (holder and attribute) are about the same thing, so the newer one
supersedes the older one ("I live in Oslo" / "I moved to Bergen"; "my favourite colour is green" /
"my favorite color is now blue"), while "my sister is called Ana" and "my brother is called Tom",
or "I like green" and "I like blue", have different keys and both stay. Facts that no pattern reads
("I speak French") get no subject: they are only ever de-duplicated, never superseded, because a
wrong supersession loses a memory while a missed one only keeps an outdated one beside the new.

The patterns are simple English statements about oneself, one's people, pets and things;
`people_in(text)` also names the people a question or fact is about, for recall.
"""

from __future__ import annotations

import re
from dataclasses import dataclass

# Words for people and pets, and the word each one is stored as.
PEOPLE = {
    "sister", "brother", "mother", "father", "parent", "grandmother", "grandfather", "aunt", "uncle",
    "cousin", "niece", "nephew", "son", "daughter", "child", "kid", "baby", "partner", "fiance", "fiancee",
    "best friend", "friend", "manager", "colleague", "neighbour", "dentist", "doctor", "gp", "landlord",
    "landlady", "teacher", "tutor", "coach", "flatmate", "godson", "goddaughter", "godmother", "godfather",
    "mother-in-law", "father-in-law", "sister-in-law", "brother-in-law", "stepmother", "stepfather",
    "stepbrother", "stepsister", "physiotherapist", "therapist", "hairdresser", "accountant", "lawyer",
    "vet", "nanny", "babysitter", "assistant", "mentor", "pet", "dog", "cat", "puppy", "kitten",
    "tortoise", "turtle", "rabbit", "hamster", "parrot", "horse", "fish", "goldfish", "budgie",
}
SYNONYMS = {
    "mum": "mother", "mom": "mother", "mommy": "mother", "mummy": "mother", "mam": "mother",
    "dad": "father", "daddy": "father", "papa": "father",
    "grandma": "grandmother", "granny": "grandmother", "nan": "grandmother", "nana": "grandmother",
    "grandpa": "grandfather", "granddad": "grandfather", "grandad": "grandfather",
    "auntie": "aunt", "aunty": "aunt",
    "wife": "partner", "husband": "partner", "spouse": "partner", "girlfriend": "partner", "boyfriend": "partner",
    "boss": "manager", "supervisor": "manager", "coworker": "colleague", "co-worker": "colleague",
    "roommate": "flatmate", "housemate": "flatmate", "neighbor": "neighbour",
    "physio": "physiotherapist", "barber": "hairdresser", "closest friend": "best friend",
    "children": "child", "pup": "dog", "doggy": "dog", "kitty": "cat",
    "favorite": "favourite", "color": "colour", "colors": "colours", "flavor": "flavour",
    "email address": "email", "e-mail": "email", "mobile number": "phone number", "cell number": "phone number",
    "mother tongue": "native language",
    "home address": "address", "job title": "job", "profession": "job", "occupation": "job",
}
# One's partner's parents and siblings, and one's siblings' partners, are in-laws: "my wife's dad" is
# "my father-in-law", not "my wife" (read before the synonyms, which drop whether a partner is a wife).
IN_LAWS = (
    (r"\b(?:wife|husband|spouse|partner)'s (?:father|dad|daddy|papa)\b", "father-in-law"),
    (r"\b(?:wife|husband|spouse|partner)'s (?:mother|mum|mom|mam)\b", "mother-in-law"),
    (r"\b(?:wife|husband|spouse|partner)'s brother\b", "brother-in-law"),
    (r"\b(?:wife|husband|spouse|partner)'s sister\b", "sister-in-law"),
    (r"\b(?:sister|brother)'s husband\b", "brother-in-law"),
    (r"\b(?:sister|brother)'s wife\b", "sister-in-law"),
)
# Things whose kind a liking names: "I love green" is about colours, "I like circles best" about shapes.
KINDS = {
    "colour": {"red", "orange", "yellow", "green", "blue", "purple", "violet", "pink", "brown", "black", "white",
               "grey", "gray", "turquoise", "teal", "cyan", "magenta", "gold", "silver", "beige", "navy", "maroon"},
    "shape": {"circle", "square", "triangle", "star", "heart", "diamond", "hexagon", "pentagon", "oval", "rectangle",
              "cross", "spiral", "cube", "sphere"},
}
POSITIVE = {"like", "love", "enjoy", "adore", "prefer"}
# Words that say when, not what: "I now live in ..." states the same as "I live in ...".
FILLERS = re.compile(
    r"\b(actually|now|just|currently|recently|these days|nowadays|at the moment|at present|from now on|"
    r"any ?more|still|new|really|finally|officially|also)\b"
)
CONTRACTIONS = [
    (r"\bi'm\b", "i am"), (r"\bi've\b", "i have"), (r"\bi'd\b", "i would"), (r"\bi'll\b", "i will"),
    (r"\bwe're\b", "we are"), (r"\bwe've\b", "we have"), (r"\b(\w+)'s (been|got)\b", r"\1 has \2"),
    (r"\bcan't\b", "cannot"), (r"\bwon't\b", "will not"), (r"\b(\w+)n't\b", r"\1 not"),
    (r"\bwhat's\b", "what is"), (r"\bwho's\b", "who is"), (r"\bwhere's\b", "where is"), (r"\bwhen's\b", "when is"),
]
NUMBER_WORDS = "no|zero|one|two|three|four|five|six|seven|eight|nine|ten|eleven|twelve|a couple of|several"
_SYNONYM_PATTERN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, SYNONYMS), key=len, reverse=True)) + r")\b")
_PEOPLE_PATTERN = re.compile(r"\b(" + "|".join(sorted(map(re.escape, PEOPLE), key=len, reverse=True)) + r")s?\b")


@dataclass(frozen=True)
class Subject:
    holder: str  # "i", or the person, pet or thing the fact is about ("sister", "car")
    attribute: str  # "name", "home", "employer", "job", "age", "favourite colour", ...
    value: str  # what the fact says of it, normalised: compared to tell a duplicate from a change

    @property
    def key(self) -> str:
        return f"{self.holder}|{self.attribute}"


def normalise(text: str) -> str:
    """Lower case, straight apostrophes, contractions expanded, spelling and synonyms unified, no end punctuation."""
    text = text.replace("\u2019", "'").replace("\u2018", "'").strip().lower()
    for pattern, replacement in CONTRACTIONS:
        text = re.sub(pattern, replacement, text)
    for pattern, replacement in IN_LAWS:
        text = re.sub(pattern, replacement, text)
    text = _SYNONYM_PATTERN.sub(lambda m: SYNONYMS[m.group(1)], text)
    text = re.sub(r"\b(?:all-time|all time|absolute|very|most) favourite\b", "favourite", text)
    text = re.sub(r"[\s,;:!?.]+$", "", text)
    return re.sub(r"\s+", " ", text)


def people_in(text: str) -> frozenset[str]:
    """The people and pets a text mentions, in their stored form ("my mum's flight" -> {"mother"})."""
    return frozenset(m.group(1) for m in _PEOPLE_PATTERN.finditer(normalise(text)))


def is_person(phrase: str) -> bool:
    words = phrase.split()
    return phrase in PEOPLE or (bool(words) and words[-1] in PEOPLE and phrase not in ("password manager",))


def _value(text: str) -> str:
    text = re.sub(r"^(the|a|an|my|our) ", "", text.strip())
    return re.sub(r"[\s,;:!?.'\"]+$", "", text)


def _singular(phrase: str) -> str:
    if phrase in PEOPLE or phrase.endswith("ss"):
        return phrase
    return phrase[:-1] if phrase.endswith("s") and phrase[:-1] in PEOPLE | {"cat", "car", "bike", "plant"} else phrase


def _singular_noun(phrase: str) -> str:
    """`holiday destinations` -> `holiday destination`, `cities` -> `city` (the last word only)."""
    head, _, last = phrase.rpartition(" ")
    if last.endswith("ies"):
        last = last[:-3] + "y"
    elif last.endswith("s") and not last.endswith("ss"):
        last = last[:-1]
    return f"{head} {last}".strip()


def _owned(phrase: str) -> tuple[str, str]:
    """`sister's favourite colour` -> ("sister", "favourite colour"); `car` -> ("i", "car"); `sister` -> ("sister", "")."""
    if "'s " in phrase:
        holder, attribute = phrase.rsplit("'s ", 1)
        return _singular(holder.strip()), attribute.strip()
    if is_person(phrase):
        return _singular(phrase), ""
    return "i", phrase


I = r"(?:i|we)"
MY = r"(?:my|our)"
HOME_VERBS = r"(?:live|reside|am living|are living|am based|are based|am staying|have lived|have been living|settled)"
MOVE_VERBS = r"(?:moved|relocated|moved house|have moved|have relocated|am moving|are moving)"
EVENT_VERBS = r"(?:leaves|departs|arrives|lands|starts|begins|ends|finishes|expires|renews|meets|takes place|is due)"
CHANGE_VERBS = r"(?:has been |was |is |got |have been |has )?(?:moved|changed|rescheduled|postponed|pushed back|brought forward|went up|went down|rose|fell|increased|decreased|dropped)"
WORK_AT = (
    r"(?:work|am working|have worked) (?:at|for|with)|am employed (?:at|by)|"
    r"(?:got|have|started|found|took|accepted) (?:a )?job (?:at|with|in)|started (?:working|work) (?:at|for)|joined"
)


_PREAMBLE = re.compile(
    r"^(?:(?:and|so|oh|ok|okay|well|also|by the way|btw|fyi|just so you know|for the record|for your information)[,:]?\s+)*"
    r"(?:(?:please |can you |could you )?(?:remember|note|keep in mind|don't forget)(?: that)?[,:]?\s+)?",
    re.IGNORECASE,
)


def clean_fact(text: str) -> str:
    """The fact as stored: "By the way, remember that I live in Oslo." -> "I live in Oslo"."""
    text = " ".join(text.replace("\u2019", "'").split())
    text = _PREAMBLE.sub("", text)
    return re.sub(r"[\s,;:.!]+$", "", text)


def parse_fact(text: str) -> Subject | None:
    """The subject of a statement, or None when no pattern reads it."""
    original = re.sub(r"[\s,;:!?.]+$", "", text.replace("\u2019", "'").strip())
    plain = FILLERS.sub(" ", normalise(text))
    plain = re.sub(r"^(and|so|oh|well|by the way|btw|fyi|remember that|please remember that|note that)[,:]? ", "", plain)
    plain = re.sub(r"\s+", " ", plain).strip()
    for parse in _RULES:
        subject = parse(plain, original)
        if subject is not None:
            return Subject(subject.holder, subject.attribute.strip(), _value(subject.value))
    return None


def _names(plain: str, original: str) -> Subject | None:
    if m := re.fullmatch(r"(?:my name is|call me|i am called|i am named|i go by|everyone calls me) (.+)", plain):
        return Subject("i", "name", m.group(1))
    if m := re.fullmatch(
        rf"{MY} (.+?) (?:is|are) (?:called|named) (.+)|{MY} (.+?)'s name is (.+)|the name of {MY} (.+?) is (.+)|"
        rf"{I} have an? (.+?) (?:called|named) (.+)|{MY} (.+?) goes by (.+)",
        plain,
    ):
        named, value = [g for g in m.groups() if g is not None]
        return Subject(_singular(named), "name", value)
    if m := re.fullmatch(rf"(.+?) (?:is|are) {MY} (.+?)('s name)?", plain):
        value, owned, name_suffix = m.groups()
        if name_suffix or is_person(owned):
            return Subject(_singular(owned), "name", value)
        holder, attribute = _owned(owned)
        return Subject(holder, attribute, value)
    return None


def _places(plain: str, original: str) -> Subject | None:
    if m := re.fullmatch(rf"{I} (?:{HOME_VERBS} in|{MOVE_VERBS} to) (.+)", plain):
        value = m.group(1)
        return Subject("i", "home kind" if re.match(r"(a|an) ", value) else "home", value)
    if m := re.fullmatch(rf"{MY} (?:home|house|flat|apartment) is in (.+)", plain):
        return Subject("i", "home", m.group(1))
    if m := re.fullmatch(rf"{MY} (.+?) (?:lives|is living|resides|is based|has moved|moved|relocated|is moving) (?:in|to) (.+)", plain):
        holder, attribute = _owned(m.group(1))
        if holder != "i" and not attribute:
            return Subject(holder, "home", m.group(2))
    if m := re.fullmatch(rf"{I} (?:was born|were born) in (.+)", plain):
        return Subject("i", "birthplace", m.group(1))
    return None


def _work(plain: str, original: str) -> Subject | None:
    if m := re.fullmatch(rf"{I} (?:{WORK_AT}) (.+)", plain):
        return Subject("i", "employer", m.group(1))
    if m := re.fullmatch(rf"{I} (?:work|am working) as (.+)|i am (.+?) by (?:job|trade)|{MY} job is (.+)", plain):
        return Subject("i", "job", next(g for g in m.groups() if g))
    if m := re.fullmatch(rf"{I} work in (.+)", plain):
        return Subject("i", "work place", m.group(1))
    if m := re.fullmatch(rf"{MY} (.+?) (?:works|is working|has worked) (at|for|as) (.+)", plain):
        holder, attribute = _owned(m.group(1))
        if holder != "i" and not attribute:
            return Subject(holder, "kind" if m.group(2) == "as" else "employer", m.group(3))
    return None


def _numbers(plain: str, original: str) -> Subject | None:
    if m := re.fullmatch(rf"{I} (?:am|turned|will be|will turn) (\d+)(?: years old| years of age)?", plain):
        return Subject("i", "age", m.group(1))
    if m := re.fullmatch(rf"{MY} (.+?) (?:turned|will turn|is turning) (\d+)(?: years old)?", plain):
        return Subject(_singular(m.group(1)), "age", m.group(2))
    if m := re.fullmatch(rf"{I} have ((?:\d+|{NUMBER_WORDS})) (.+)", plain):
        return Subject("i", f"number of {_singular(m.group(2))}", m.group(1))
    if m := re.fullmatch(rf"{I} (wake up|get up|go to bed|go to sleep|start work|finish work|leave work|eat dinner|have lunch) at (.+)", plain):
        return Subject("i", m.group(1), m.group(2))
    return None


def kind_of(thing: str) -> str | None:
    """The kind of thing a liking is about: "the colour purple" and "green" -> "colour", "stars" -> "shape"."""
    words = re.sub(r"^(?:the )?(?:colou?r|shape) ", "", re.sub(r"^(?:the|a|an) ", "", thing)).split()
    if len(words) != 1:
        return None
    word = words[0]
    return next((kind for kind, names in KINDS.items() if word in names or _singular_noun(word) in names), None)


def _opinions(plain: str, original: str) -> Subject | None:
    verbs = r"like|love|enjoy|hate|dislike|adore|detest|cannot stand|can not stand"
    if m := re.fullmatch(rf"{I} (?:like|love|prefer|enjoy) (.+?) (?:best|most|the most)(?: of all)?(?: the)? (.+)", plain):
        return Subject("i", f"favourite {_singular_noun(m.group(2))}", m.group(1))
    if (m := re.fullmatch(rf"{I} (?:like|love|prefer|enjoy) (.+?) (?:best|most|the most)(?: of all)?", plain)) and kind_of(m.group(1)):
        return Subject("i", f"favourite {kind_of(m.group(1))}", m.group(1))
    if m := re.fullmatch(rf"{I} ((?:do not |no longer |never )?(?:{verbs})) (.+)", plain):
        return Subject("i", f"opinion of {m.group(2)}", m.group(1))
    if m := re.fullmatch(rf"{I} (?:drive|am driving) (.+)", plain):
        return Subject("i", "car driven", m.group(1))
    if m := re.fullmatch(rf"{MY} (.+?) drives (.+)", plain):
        return Subject(_singular(m.group(1)), "car driven", m.group(2))
    return None


def _possessions(plain: str, original: str) -> Subject | None:
    """`my X is Y` and `my X <changes> to Y`, the most general forms: tried last."""
    if m := re.fullmatch(rf"{MY} (.+?) {CHANGE_VERBS} (?:to|until|for) (.+)", plain):
        holder, attribute = _owned(m.group(1))
        return Subject(holder, attribute or "name", m.group(2))
    if m := re.fullmatch(rf"{MY} (.+?) {EVENT_VERBS} (.+)", plain):
        holder, attribute = _owned(m.group(1))
        return Subject(holder, attribute or "schedule", m.group(2))
    if m := re.fullmatch(rf"{MY} (.+?) (?:is|are|was) (.+)", plain):
        holder, attribute = _owned(m.group(1))
        value = m.group(2)
        if attribute or holder == "i":
            return Subject(holder, attribute, value)
        return Subject(holder, _person_attribute(value, original), value)
    return None


def _person_attribute(value: str, original: str) -> str:
    """What `my sister is VALUE` says: her name (a capitalised word), age, kind or a description."""
    if re.fullmatch(r"\d+(?: years old| months old| years of age)?", value):
        return "age"
    if re.match(r"(a|an) ", value):
        return "kind"
    tail = original.split(" is ", 1)[-1].split(" are ", 1)[-1].strip()
    words = [w for w in tail.split() if w.lower() not in {"now", "actually", "just", "called", "named"}]
    return "name" if words and words[0][:1].isupper() else "description"


_RULES = (_names, _places, _work, _numbers, _opinions, _possessions)


# How people ask about an attribute; appended to a fact before it is embedded, so "what do I do for
# a living?" finds "I work as a structural engineer".
_MY_ATTRIBUTES = {
    "name": "my name, what I am called",
    "home": "where I live, the city I live in",
    "home kind": "my home, the place I live in",
    "birthplace": "where I was born, my hometown",
    "employer": "where I work, my workplace, my employer",
    "job": "my job, what I do for a living",
    "work place": "where I work",
    "age": "my age, how old I am",
    "car driven": "my car, what I drive",
}
_THEIR_ATTRIBUTES = {
    "name": "the name of my {h}, what my {h} is called",
    "home": "where my {h} lives",
    "kind": "what my {h} is, my {h}'s job",
    "employer": "where my {h} works",
    "age": "how old my {h} is",
    "description": "about my {h}",
}


def describe(subject: Subject) -> str:
    """The subject in the words of a question about it: Subject("i", "birthplace", ...) -> "where I was born, ..."."""
    attribute, holder = subject.attribute, subject.holder
    if holder != "i":
        return _THEIR_ATTRIBUTES.get(attribute, "my {h}'s " + attribute).format(h=holder)
    if attribute in _MY_ATTRIBUTES:
        return _MY_ATTRIBUTES[attribute]
    if attribute.startswith("number of "):
        return f"how many {attribute.removeprefix('number of ')}s I have"
    if attribute.startswith("opinion of "):
        thing = attribute.removeprefix("opinion of ")
        kind = kind_of(thing)
        if kind and subject.value in POSITIVE:
            return f"my favourite {kind}, a {kind} I like"
        return f"how I feel about {thing}"
    if attribute.startswith("favourite "):
        return f"my {attribute}, the {attribute.removeprefix('favourite ')} I like most"
    return f"my {attribute}"


def indexed_text(fact: str, subject: Subject | None) -> str:
    """What is embedded for a fact: the fact, plus what it is about when a pattern read it."""
    return f"{fact} ({describe(subject)})" if subject else fact
