"""Spot people in staff text: given names in context, titles and roles with a name, and roles only one person holds.

Names come from shipped lists (nlp/data/given_names.txt, surnames.txt; sources in NAMES_LICENCE.txt). A name
that is also an ordinary word ("Will", "Hope", "Ward") counts only in context: capitalised mid-sentence
next to a name cue, followed by a verb people do ("said", "told"), possessive, after a title, or joined to
another name ("Jamie and Matt"). Roles count when the words around them narrow them to one person.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from functools import cache
from importlib import resources

__all__ = ["PersonHit", "find_people", "is_name_word"]


@dataclass(frozen=True)
class PersonHit:
    """A name or a role pointing to one person: offsets [start, end) and kind ("name" or "role")."""

    start: int
    end: int
    kind: str


@cache
def _names(file: str) -> dict[str, bool]:
    """name -> also an ordinary English word, from one of the shipped lists."""
    text = resources.files("nlp").joinpath(f"data/{file}").read_text(encoding="utf-8")
    rows = (line.split("\t") for line in text.splitlines() if line and not line.startswith("#"))
    return {name: flag.strip() == "1" for name, flag in rows}


_WORD = re.compile(r"[^\W\d_](?:[^\W\d_]|['’-](?=[^\W\d_]))*")
TITLES = frozenset("dr doctor mr mrs ms mx miss prof professor sister nurse matron midwife consultant surgeon "
                   "registrar porter sir dame".split())
# Words after which a name is someone being spoken to, about or with.
_BEFORE = frozenset("to with from by thank thanks ask asked tell told called named thanked cc email emailed "
                    "ring rang phone phoned message messaged see saw including especially except".split())
# Verbs people do (past tense and habitual), so "Will said" is a person and "Will this help" is not.
_AFTER = frozenset("""said says told tells asked asks got gets shouted shouts yelled helped helps rang rings called
    calls emailed messaged refused refuses ignored ignores insisted explained agreed promised replied complained
    laughed snapped came went left sent gave took made keeps kept never always did didn't doesn't won't wouldn't
    can't couldn't hasn't wasn't isn't has had was is does from in on at who thinks thought wants wanted tried
    tries sorted stayed covered swapped booked spoke speaks talked talks shouted bullies bullied""".split())
# After an ordinary-word name these count only when the name is capitalised mid-sentence ("met Grace on").
_WEAK_AFTER = frozenset("from in on at is has was does who".split())
_CONNECT = frozenset("and & or".split())
_PRONOUNS = frozenset("i you we they he she it this that there".split())
_NOT_NAME = frozenset("""ward bay bed unit team department hospital trust clinic centre service nurse sister doctor
    manager consultant matron practitioner specialist assistant associate registrar surgeon midwife porter lead
    staff bank agency shift night day emergency theatre theatres rounds station support care monday tuesday
    wednesday thursday friday saturday sunday january february march april may june july august september
    october november december who the this that and but or""".split())
# Calendar words that are also names ("May", "Jan", "Easter") need a verb or possessive to be a person.
_MONTHS = frozenset("""january february march april may june july august september october november december
    jan feb mar apr jun jul aug sep sept oct nov dec easter christmas""".split())
_ABBREVIATED = frozenset("dr mr mrs ms mx prof".split())
# A name followed by one of these is a building or ward named after someone ("Byron House", "Agnes Unit").
_PLACE_AFTER = frozenset("house unit ward wing centre center hospital lodge court road street building suite "
                         "surgery practice clinic hall block".split())
_PLACEHOLDER = re.compile(r"[Xx]{2,}")  # "Dr XXXX": a name someone already removed
_PLACE_BEFORE = frozenset("st saint".split())  # "St Luke's", "St Ann's House" are places

# Roles: "few" ones are held by one or two people in a place; "many" are held by many (need "only"/"sole").
_FEW = (r"(?:deputy\s+|assistant\s+|acting\s+|interim\s+)?(?:ward\s+|unit\s+|practice\s+|service\s+|team\s+|"
        r"clinical\s+|department\s+)?(?:manager|matron|sister|lead|leader|director|head|educator|supervisor|"
        r"co-?ordinator|coordinator)|charge\s+nurse|chief\s+executive|ceo|chair|clinical\s+director|"
        r"consultant|band\s*[5-9][abcd]?")
_MANY = (r"(?:staff\s+|student\s+|agency\s+|bank\s+|night\s+|male\s+|senior\s+|junior\s+)?"
         r"(?:nurse|hca|healthcare\s+assistant|porter|doctor|physio|physiotherapist|pharmacist|receptionist|"
         r"secretary|midwife|cleaner|therapist|paramedic|registrar|sho|fy[12]|st[1-8]|radiographer|dietitian|"
         r"technician|administrator|admin|housekeeper)")
_PLACE = (r"(?:(?:ward|bay|unit)\s+\d{1,3}[a-z]?|(?:ward|unit)\s+[a-z]\d{0,2}\b|nights?|night\s+shifts?|weekends?|"
          r"days|lates|earlies|pharmacy|radiology|x-?ray|theatres?|a\s*&\s*e|ed|icu|itu|hdu|nicu|scbu|ccu|amu|"
          r"outpatients|maternity|reception|estates|payroll|finance|hr|it|physio(?:therapy)?|pathology|"
          r"(?:the\s+)?(?:lab|labs|laboratory|pharmacy|switchboard|mortuary|discharge\s+lounge|day\s+unit|"
          r"endoscopy|dialysis|oncology|cardiology|paediatrics|neonatal\s+unit|stroke\s+unit|"
          r"(?-i:[A-Z][a-z]+)\s+(?:ward|unit|wing|house)))")
_ONE = r"(?:only|one|sole|single|new|lone)"
_DISCIPLINE = (r"(?:nursing|midwifery|finance|estates|hr|workforce|people|operations|education|pharmacy|therapies|"
               r"radiology|pathology|facilities|governance|quality|research|it|digital|informatics|"
               r"(?:the\s+)?[a-z]+\s+(?:department|unit|ward|team|service))")
_ROLE_PATTERNS = [
    # "the only band 7 on nights", "the only male nurse", "our sole pharmacist in ED"
    rf"\b(?:the|our|my|their|your)\s+{_ONE}\s+(?:(?:{_FEW}|{_MANY})(?:\s+nurse)?)"
    rf"(?:\s+(?:on|in|at|from|of|for)\s+(?:the\s+)?{_PLACE})?",
    # "the new matron on ward 4", "our deputy manager in pharmacy"
    rf"\b(?:the|our|my|their|your)\s+(?:{_FEW})(?:\s+nurse)?\s+(?:on|in|at|from|of|for)\s+{_PLACE}",
    # "manager of pharmacy", "head of nursing", "director of finance"
    rf"\b(?:(?:the|our)\s+)?(?:manager|head|director|lead|chief)\s+of\s+(?:{_DISCIPLINE}|{_PLACE})\b",
    # "there is only one band 7", "we only have one pharmacist"
    rf"\bonly\s+(?:have\s+|got\s+|had\s+)?(?:one|a\s+single)\s+(?:{_FEW}|{_MANY})\b",
    # trust-wide posts one person holds
    r"\b(?:the|our|my)\s+(?:new\s+)?(?:chief\s+(?:executive|nurse|operating\s+officer|people\s+officer|"
    r"medical\s+officer)|ceo|medical\s+director|director\s+of\s+nursing|"
    r"(?:freedom\s+to\s+speak\s+up|ftsu)\s+guardian)\b",
]
_ROLES = [re.compile(p, re.IGNORECASE) for p in _ROLE_PATTERNS]
_PLURAL_ROLE = re.compile(r"\b(?:managers|matrons|sisters|leads|nurses|consultants|doctors|porters|directors)\b", re.I)
_RELATIVE = re.compile(r"\s+(?:who|that|which)\b", re.IGNORECASE)
_DEPARTMENT_AFTER = re.compile(rf"\s+(?:the\s+)?{_PLACE}\b", re.IGNORECASE)
_OF_STOP = frozenset("a an this that our my their your it us them and or but is was are were be to".split())
_GENERIC = frozenset("department departments service services team teams unit units ward wards staff trust "
                     "hospital area areas it them this that".split())


def _is_sentence_start(text: str, start: int) -> bool:
    """True when only punctuation, quotes or a line break separate the word from the start of its sentence."""
    before = text[:start].rstrip(" \t\"'“‘(")
    return not before or before[-1] in ".!?\n:;•-*"


def _tokens(text: str) -> list[re.Match[str]]:
    return list(_WORD.finditer(text))


def _possessive(word: str) -> tuple[str, bool]:
    """Split "Sarah's" into ("Sarah", True)."""
    for suffix in ("'s", "’s"):
        if word.lower().endswith(suffix):
            return word[: -len(suffix)], True
    return word, False


def _name_hits(text: str) -> list[PersonHit]:
    """Given names, and names after a title, in any case, judged by the words around them."""
    given, surnames = _names("given_names.txt"), _names("surnames.txt")
    tokens = _tokens(text)
    words = [_possessive(t.group(0)) for t in tokens]
    hits: dict[int, tuple[int, int]] = {}

    def known(i: int) -> tuple[bool, bool]:
        """(is a given name or surname, is also an ordinary word) for token i."""
        w = words[i][0].lower()
        if w in given:
            return True, given[w] or len(w) <= 2
        if w in surnames:
            return True, surnames[w] or len(w) <= 2
        return False, False

    def _place_follows(i: int) -> bool:
        """The name starts a place's name: "Byron House", "Lynn Jarrett Ward"."""
        after = [w.lower() for w, _ in words[i + 1 : i + 3]]
        return bool(after) and (after[0] in _PLACE_AFTER or (len(after) == 2 and after[1] in _PLACE_AFTER
                                                               and words[i + 1][0][:1].isupper()))

    for i, tok in enumerate(tokens):
        word, possessive = words[i]
        low = word.lower()
        prev = tokens[i - 1].group(0).lower() if i else ""
        nxt = words[i + 1][0].lower() if i + 1 < len(tokens) else ""
        nxt_gap = text[tok.end(): tokens[i + 1].start()] if i + 1 < len(tokens) else ""
        adjacent = i + 1 < len(tokens) and nxt_gap.strip() in ("", ",")
        capital = word[:1].isupper() and not (word.isupper() and len(word) <= 3)
        gap = text[tokens[i - 1].end(): tok.start()] if i else ""
        # "Dr. Khan" but not "a nurse. He said": only an abbreviated title may end in a full stop
        if prev in TITLES and (gap.strip() == "" or (gap.strip() == "." and prev in _ABBREVIATED)):
            # lower-case "sister jones", "dr patel": a known name that is not also an ordinary word
            is_name, is_word = known(i)
            cue = i + 1 < len(tokens) and words[i + 1][0].lower() in _AFTER
            name_like = capital or (is_name and (not is_word or cue))
            if name_like and low not in _NOT_NAME and not _PLACEHOLDER.fullmatch(word):
                hits[i] = (tokens[i - 1].start(), tok.start() + len(word))
            continue
        if low not in given or low in _NOT_NAME - _MONTHS or prev in _PLACE_BEFORE or _place_follows(i):
            continue
        if i + 1 < len(tokens) and re.match(r"\s+\d", text[tok.end():]):
            continue  # "Jan 2021", "May 12": a date
        is_word = given[low] or len(low) <= 2 or low in _MONTHS
        mid_sentence = not _is_sentence_start(text, tok.start())
        verb_after = adjacent and (nxt in _AFTER - _WEAK_AFTER) and nxt_gap.strip() == ""
        weak_after = adjacent and nxt in _WEAK_AFTER and nxt_gap.strip() == ""
        name_cue_before = prev in _BEFORE
        surname_after = adjacent and capital and nxt_gap.strip() == "" and i + 1 < len(tokens) \
            and words[i + 1][0][:1].isupper() and known(i + 1)[0] and nxt not in _NOT_NAME
        department_after = weak_after and bool(_DEPARTMENT_AFTER.match(text, tokens[i + 1].end()))
        end = tokens[i + 1].end() if surname_after else tok.start() + len(word)
        if not is_word:
            # a name that is no ordinary word: capitalised, or in lower case with a cue ("spoke to john")
            if capital or possessive or verb_after or name_cue_before:
                hits[i] = (tok.start(), end)
            continue
        # An ordinary word that is also a name: only with a clear person cue, and capitalised.
        if not capital:
            continue
        if low in _MONTHS and not (verb_after or possessive):
            continue
        cue_mid_sentence = mid_sentence and (name_cue_before or weak_after)
        if possessive or verb_after or surname_after or department_after or cue_mid_sentence:
            hits[i] = (tok.start(), end)
    # "Jamie and Matt", "Trevor & Matt", "Sarah, Will and Matt": a capitalised name-word joined to a found name is a name too.
    def joined(a: int, b: int) -> bool:
        """Tokens a < b are joined by "and", "or", "&" or a list comma ("Sarah, Will and Matt")."""
        if b == a + 1:
            return text[tokens[a].end(): tokens[b].start()].strip() in ("&", ",")
        return b == a + 2 and tokens[a + 1].group(0).lower() in _CONNECT and \
            text[tokens[a].end(): tokens[b].start()].strip(" ,").lower() in _CONNECT

    for i, tok in enumerate(tokens):
        if i in hits or not words[i][0][:1].isupper() or words[i][0].lower() not in given:
            continue
        if i + 1 < len(tokens) and tokens[i + 1].group(0).lower() in _PRONOUNS:
            continue  # "Thanks Sarah, Will you …": a question, not a list of names
        if any(j in hits and joined(min(i, j), max(i, j)) for j in (i - 2, i - 1, i + 1, i + 2)):
            hits[i] = (tok.start(), tok.start() + len(words[i][0]))
    return [PersonHit(s, e, "name") for s, e in sorted(hits.values())]


def _role_hits(text: str) -> list[PersonHit]:
    """Role phrases narrowed to one person by "only", "new", a band, a shift or a place."""
    found: list[PersonHit] = []
    for pattern in _ROLES:
        for m in pattern.finditer(text):
            phrase = m.group(0)
            if _PLURAL_ROLE.search(phrase) or (not re.search(r"\s(?:on|in|at|from|of|for)\s", phrase)
                                               and _RELATIVE.match(text, m.end())):
                continue  # "the only consultant who explains things" is an opinion, not a post
            if " of " in phrase.lower():
                tail = phrase.lower().split(" of ", 1)[1].split()
                if not tail or tail[0] in _OF_STOP or tail[-1] in _GENERIC:
                    continue  # "head of our team", "manager of the department": nobody in particular to a reader
            found.append(PersonHit(m.start(), m.end(), "role"))
    return found


def is_name_word(word: str) -> bool:
    """True for a word that is a given name or surname and not also an ordinary word ("sarah", "patel", not "will")."""
    low, given, surnames = word.lower(), _names("given_names.txt"), _names("surnames.txt")
    return len(low) > 2 and (given.get(low) is False or surnames.get(low) is False)


_NAMED_WARD = re.compile(r"\b((?:[A-Z][a-z'’]+\s+){1,2})(?i:ward|unit)\b")


def _named_wards(text: str) -> list[PersonHit]:
    """Wards and units named after people ("Lynn Jarrett Ward", "Thornton ward"): as telling as "Ward 7"."""
    found = []
    for m in _NAMED_WARD.finditer(text):
        words = m.group(1).split()
        while words and not is_name_word(words[0]):  # "The Thornton Ward": the place starts at the name
            words.pop(0)
        if words and all(is_name_word(w) for w in words):
            found.append(PersonHit(m.start() + m.group(1).index(words[0]), m.end(), "location"))
    return found


def find_people(text: str) -> list[PersonHit]:
    """Names, one-person roles and wards named after people, in order (the caller resolves overlaps)."""
    hits = _name_hits(text) + _role_hits(text) + _named_wards(text)
    return sorted(hits, key=lambda h: (h.start, -(h.end - h.start)))
