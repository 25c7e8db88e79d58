"""People's names, found by what surrounds them as much as by lists.

Names in children's services documents come from every part of the world, are often children's
modern names, are sometimes ordinary words ("Will", "Hope"), and turn up in lower case or capitals
in minutes and attendance lists. Lists of first names and surnames help, but the strongest
evidence is the context: a title ("Mrs"), a kinship word ("her brother"), an age ("(aged 9)"), a
role ("the Principal Social Worker", "(team manager)"), a list of people ("Present:"), a person's
verb ("lives with", "attended"), a possessive ("'s foster carer"), or a word that is in no English
dictionary sitting where a name sits. Places, organisations and roles that look like names are
kept out (``content/redaction/``: the allow-list and the English local authorities).

Pure functions over text; nothing here knows about Flask or the database.
"""

from __future__ import annotations

import functools
import re
from bisect import bisect_left
from collections.abc import Iterable, Iterator
from dataclasses import dataclass

from library.redaction import detectors, wordlists
from library.redaction.detectors import Suggestion
from library.redaction.spans import Cover, phrase_spans

LETTER = r"[^\W\d_]"
# Letters, with apostrophes and hyphens inside ("O'Brien", "Kai-Jayden"); a possessive "'s" stays out.
WORD_RE = re.compile(rf"{LETTER}+(?:(?:['’](?!(?:[sS]|[mM]|ve|ll|re|d|t)\b)|-){LETTER}+)*")
# How names are written: "Okafor", "McDonald", "O'Brien", "al-Rawi", "Kai-Jayden", or all in
# capitals in a list. Not "DCSs", "PowerPoint", "iPad": acronyms and brands.
NAME_SHAPE_RE = re.compile(
    r"^(?:(?:Mc|Mac|Fitz|O['’]|D['’]|L['’]|De|Di|Da|Du|La|Le|Van|Von)(?=[A-Z]))?"
    r"[^\W\d_][^\W\d_A-Z]*(?:['’\-][^\W\d_][^\W\d_A-Z]*)*$"
)
# Lower-case pieces that sit inside names: "van der Merwe", "al-Rawi", "bin Salman", "de Souza".
PARTICLES = frozenset(
    "van der den de da das dos do di du del della la le von ter ten bin bint ibn abu al el ap ferch "
    "binti ni nic mac mc o ua ó mhic y".split()
)
PREFIXED_RE = re.compile(r"^(?:al|el|ul|ar|as|ash|ad|at|az|bin|ibn|abu|ben|bint|d|l|o)['’\-]", re.I)
MAX_RUN = 4
ROLE_WORDS = (
    r"director|manager|worker|officer|lead|leader|head|co-?ordinator|adviser|advisor|practitioner|"
    r"consultant|chair|chairperson|chief|executive|commissioner|reviewer|nurse|teacher|headteacher|"
    r"governor|councillor|analyst|psychologist|therapist|coach|mentor|member|principal|assistant|"
    r"deputy|senco|iro|psw|dcs|secretary|administrator|clerk|supervisor|caseworker|keyworker|"
    r"volunteer|interpreter|paediatrician|doctor|gp|midwife|visitor|sergeant|inspector|solicitor|"
    r"guardian|advocate|carer|partner|trainee|student|apprentice|specialist|champion|navigator|"
    r"educator|facilitator|trainer|tutor|lecturer|researcher|evaluator|auditor|designate|"
    r"representative|rep|liaison|sw|aswye|nqsw|pa|ypa|ya"
)
KIN_WORDS = (
    r"mum|mummy|mother|mam|mom|dad|daddy|father|brother|sister|son|daughter|sibling|grandma|"
    r"grandmother|nan|nana|nanna|gran|granny|grandad|granddad|grandfather|grandpa|grandson|"
    r"granddaughter|aunt|auntie|aunty|uncle|cousin|nephew|niece|stepmum|stepmom|stepdad|stepfather|"
    r"stepmother|stepbrother|stepsister|step-mum|step-dad|husband|wife|boyfriend|girlfriend|"
    r"fianc[ée]e?|baby|twin|partner|friend|carer|child|children|kids|siblings|brothers|sisters|sons|"
    r"daughters"
)
KIN_BEFORE_RE = re.compile(
    r"\b(?:his|her|their|my|our|your|whose|the child's|the young person's)[ \t]+"
    r"(?:(?:older|elder|eldest|younger|youngest|little|big|baby|twin|step|half|foster|birth|adoptive|"
    r"new|late|maternal|paternal|best)[ \t-]+){0,2}"
    rf"(?:{KIN_WORDS})[ \t]*,?[ \t]+$",
    re.I,
)
TITLE_BEFORE_RE = re.compile(
    r"\b(?:Mr|Mrs|Ms|Miss|Mx|Dr|Cllr|Prof|Professor|Sir|Dame|Rev|Revd|Reverend|Lady|Lord|"
    r"Father|Fr|Sister|Imam|Rabbi|Pastor|Judge|DS|DC|PC|DI|Sgt)\.?[ \t]+$"
)
TITLES = frozenset(
    "mr mrs ms miss mx dr cllr councillor prof professor sir dame rev revd reverend lady lord fr "
    "imam rabbi pastor judge ds dc pc di sgt".split()
)
# "Child A", "Young Person B", "Sibling 2": the labels case studies give people.
LABEL_RE = re.compile(
    r"\b(?:Child|Young [Pp]erson|YP|Sibling|Baby|Infant|Parent|Mother|Father|Mum|Dad|Carer|Adult|"
    r"Pupil|Learner|Student|Care [Ll]eaver|Family|Person)[ \t]+(?:[A-Z]|\d{1,2})\b(?![.'’]?\w)"
)
SIGNOFF_RE = re.compile(
    r"\b(?:Yours (?:sincerely|faithfully|truly)|"
    r"(?:Kind|Best|Warm|Warmest|With best|Many) (?:regards|wishes|thanks)|"
    r"Regards|Thanks|Thank you|Cheers|Signed|Best)[ \t]*,?[ \t]*\n[ \t]*",
    re.I,
)
# "SMITH, John": a surname in capitals, then the given names.
SURNAME_FIRST_RE = re.compile(
    r"(?:^|[;\n|:]|\band\b)[ \t>*-]*([^\W\d_a-z]+(?:[-'’][^\W\d_a-z]+)*),[ \t]+(?=[^\W\d_])", re.M
)
# The last word of a street, estate or building named after a word that is also a name.
PLACE_ENDINGS = frozenset(
    "street road avenue close drive crescent terrace gardens grove mews square estate centre center "
    "academy school college nursery surgery hospital clinic way garden wharf quay park".split()
)
SAINT_BEFORE_RE = re.compile(r"\b(?:St|Saint|Ss)\.?[ \t]+$")
DETAILS_AFTER_RE = re.compile(
    r"^[ \t]*(?:\([ \t]*(?:aged?\b|age:|d\.?\s?o\.?\s?b\b|born\b|date of birth|year[ \t]\d|y\d\b|"
    r"\d{1,2}[ \t]*(?:years?|yrs?|y/?o|months?)\b|nhs\b|ni\b|upn\b)|,?[ \t]+aged?[ \t]+\d)",
    re.I,
)
MET_WORDS = frozenset(
    "saw seen see met meet visited visit called rang phoned told asked collected mum mother dad father "
    "nan nana gran grandad grandma brother sister aunt auntie uncle carer son daughter friend boyfriend "
    "girlfriend partner".split()
)
CLAUSE_AFTER_RE = re.compile(
    r"[ \t]+(?:so|that|to|he|she|it|they|we|i|you|the|a|an|him|her|them|us|me|was|is)\b"
)
BARE_AGE_AFTER_RE = re.compile(r"^[ \t]*\([ \t]*\d{1,2}[ \t]*\)")
ROLE_AFTER_RE = re.compile(
    r"^[ \t]*(?:,|\(|–|—|-|:)[ \t]*(?:the|our|a|an|their|his|her|your|my)?[ \t]*"
    r"(?:(?!(?:and|or|but|who|which|that|say|says|said|is|are|was|were|has|have)\b)[\w'’&/-]+[ \t]+){0,4}"
    rf"(?:{ROLE_WORDS})s?\b",
    re.I,
)
INTRO_BEFORE_RE = re.compile(
    r"(?:\b(?:(?:lead|peer|link|the|our|their|his|her|a|an)[ \t]+)?(?:reviewer|reviewers|chair|manager|"
    r"worker|lead|director|officer|author|contact|presenter|speaker|adviser|advisor|mentor|advocate|"
    r"iro|carer|guardian|teacher|headteacher|senco|coordinator|co-ordinator)[ \t]+(?:was|is|were|are)|"
    r"\b(?:taken|prepared|written|chaired|led|presented|attended|signed|facilitated|hosted|reviewed|"
    r"compiled|authored|delivered|supervised|allocated|seen|visited|interviewed|supported|referred|"
    r"assessed|minuted|recorded|produced|drafted|approved|agreed)[ \t]+by|"
    r"\b(?:feedback|thanks|a message|an email|a call|a letter|input|advice|apologies|a visit|a referral|"
    r"a report)[ \t]+from|"
    r"\b(?:spoke|talked|met|meeting|worked|working|liaised|liaising|visits|visited)[ \t]+with|"
    r"\b(?:thank|thanks to|thank you to|with thanks to|thanks go to|cc|attn|dear|hi|hello|named|"
    r"called|known as|introduced|welcomed|according to|on behalf of))[ \t]*:?[ \t]+$",
    re.I,
)
LIST_INTRO_RE = re.compile(
    r"^[ \t>*_-]*(?:present|attendees|attendance|in attendance|also present|also attending|apologies|"
    r"apologies received|attending|members|panel members|peer team|review team|peer reviewers|"
    r"reviewers|participants|invited|distribution|circulation|cc|chair|chaired by|minutes|minute taker|"
    r"note taker|notes by|facilitator|facilitators|speakers|presenters|contacts?|staff interviewed|"
    r"people we met|who we spoke to|family members|"
    rf"(?:[\w'’-]+[ \t]+){{0,3}}(?:{ROLE_WORDS})s?)[ \t]*(?:\([^)\n]*\))?[ \t]*[:：][ \t]*",
    re.I | re.M,
)
POSSESSIVE_AFTER_RE = re.compile(
    r"^['’]s?[ \t]+(?:[\w-]+[ \t]+)?(?:mother|father|mum|dad|parents?|carers?|foster|grand\w*|sister|"
    r"brother|siblings?|son|daughter|aunt|uncle|partner|school|social worker|case|plan|ehcp|needs|"
    r"family|home|placement|birthday|behaviour|attendance|views|wishes|voice|story|journey|life|"
    r"friends?|bedroom|room|health|education|key worker|keyworker|advocate|iro|team|own)\b",
    re.I,
)
VERB_AFTER_RE = re.compile(
    r"^(?:[ \t]+(?:also|now|then|later|still|recently|has|had|was|is|who|would|will|did|does|all|both|"
    r"each|together)){0,2}"
    r"[ \t]+(?:lives|live|lived|living|moved|moves|arrived|arrives|attended|attends|joined|joins|chairs|"
    r"chaired|co-chairs|said|says|told|tells|agreed|agrees|asked|asks|explained|explains|opened|"
    r"presented|leads|manages|managed|visited|visits|wrote|writes|emailed|phoned|rang|spoke|speaks|"
    r"felt|feels|wants|wanted|likes|liked|loves|loved|enjoys|enjoyed|goes|went|started|starts|left|"
    r"leaves|returned|became|becomes|tracks|reported|reports|raised|shared|described|describes|"
    r"disclosed|missed|misses|stayed|stays|turned|needs|needed|worries|worried|was born|is aged|aged|"
    r"thanked|welcomed|hosted|signed|wished|came|comes|stopped|refused|cried|smiled|laughed|"
    r"settled|struggled|struggles|has|had|and (?:his|her|their) |, (?:his|her|their|who) )",
    re.I,
)
FROM_ORG_AFTER_RE = re.compile(r"^[ \t]+(?:from|at|of)[ \t]+(?:the[ \t]+)?[A-Z]")
WHEN_BEFORE_RE = re.compile(
    r"\b(?:when|after|before|until|since|because|as|while|once|if|and|but)[ \t]+$", re.I
)
INITIAL_RE = re.compile(r"(?<![\w.'’-])([A-Z])(?:\.[ \t]*|[ \t]+)(?=[A-Z])")
# Before a lone unknown word, a preposition of place: "at Oakfield", "in Kirkby" (a place, most likely).
PLACE_BEFORE_RE = re.compile(
    r"\b(?:at|in|into|to|near|towards|via|across|around|outside|inside|within|of|school is|based in|"
    r"lives in|moved to|placed in|placed at|attends)[ \t]+(?:the[ \t]+)?$",
    re.I,
)
SENTENCE_START_RE = re.compile(r"(?:^|[.!?:;]['\"’”)]?[ \t]+|\n[ \t>*#|-]*)['\"‘“(]?$")


def _alternatives(pattern: str) -> set[str]:
    return {w for w in re.sub(r"\[[^]]*\]|\?|\(|\)", "", pattern).split("|") if w.isalpha()}


# The last word before a name in each context rule (title, kinship, introduction).
CONTEXT_LAST_WORDS = frozenset(
    TITLES
    | {"st", "saint", "ss", "fiance", "fiancé", "fiancee", "fiancée"}
    | _alternatives(KIN_WORDS)
    | {
        "was",
        "is",
        "were",
        "are",
        "by",
        "from",
        "with",
        "thank",
        "to",
        "cc",
        "attn",
        "dear",
        "hi",
        "hello",
        "named",
        "called",
        "as",
        "introduced",
        "welcomed",
        "of",
        "mum",
        "dad",
    }
)


@dataclass(slots=True)
class _Tok:
    start: int
    end: int
    word: str
    capital: bool  # starts with a capital letter
    lower: str


_POSSESSIVE_END_RE = re.compile(r"['’]s?$")
_WORD_PARTS_RE = re.compile(r"[-'’]")


@functools.lru_cache(maxsize=1 << 16)
def _bare(word: str) -> str:
    """A word in lower case without its possessive ending: "Aidan's" -> "aidan"."""
    return _POSSESSIVE_END_RE.sub("", word.lower())


@functools.lru_cache(maxsize=1 << 16)
def _unknown(w: str, common: frozenset[str]) -> bool:
    if len(w) < 2 or w in common:
        return False
    if wordlists.is_english(w):
        return False
    # "Ogunleye-Smith", "Kai-Jayden": unknown if any part is; "step-down" is not.
    parts = [p for p in _WORD_PARTS_RE.split(w) if len(p) > 2]
    return not parts or any(not wordlists.is_english(p) for p in parts)


class _Lexicon:
    """What a word is: a given name, a surname, an English word, a common word."""

    def __init__(self) -> None:
        self.firsts = wordlists.given_names()
        self.lasts = wordlists.surnames()
        self.common = wordlists.common_words()
        self.word_names = wordlists.word_names()

    bare = staticmethod(_bare)

    def first(self, word: str) -> bool:
        w = self.bare(word)
        if w in self.firsts or (not w.isascii() and wordlists.fold(w) in self.firsts):
            return True
        parts = w.split("-")  # "Freya-Lily", "Mary-Jane"
        return len(parts) > 1 and all(p in self.firsts or wordlists.fold(p) in self.firsts for p in parts)

    def last(self, word: str) -> bool:
        w = self.bare(word)
        return w in self.lasts or (not w.isascii() and wordlists.fold(w) in self.lasts)

    def is_common(self, word: str) -> bool:
        return self.bare(word) in self.common

    def is_english(self, word: str) -> bool:
        return wordlists.is_english(self.bare(word))

    def unknown(self, word: str) -> bool:
        """In no English dictionary and no list of common words: most likely a name."""
        return _unknown(_bare(word), self.common)

    def word_name(self, word: str) -> bool:
        """A given name that is also an everyday word ("Will", "Hope", "Grace")."""
        return self.bare(word) in self.word_names or self.is_common(word)

    def plain_first(self, word: str) -> bool:
        """A given name that is nothing else."""
        return self.first(word) and not self.word_name(word)

    @staticmethod
    def shaped(word: str) -> bool:
        return word.isupper() or bool(NAME_SHAPE_RE.match(word))


FUNCTION_WORDS = frozenset(
    "the a an of and or to in on at for with by from is was were has had have who which that this "
    "these those it its their his her our".split()
)
# Pronouns and words for everyone: "Thank You", "Welcome All" are never a name, whatever lists say.
PRONOUNS = frozenset(
    "i me my you your yours we us our they them their he him his she her it all everyone everybody "
    "anyone someone somebody nobody colleagues partners staff".split()
)
# An author of published work, cited: "Martin et al. (2014)", "(Munro, 2011)", "Munro (2011)".
CITATION_AFTER_RE = re.compile(
    r"[ \t]*(?:et\.?[ \t]*al\b|,[ \t]*(?:19|20)\d\d[a-z]?\)|\((?:19|20)\d\d[a-z]?\))"
)
LABEL_TEXT_RE = re.compile(r"\[[A-Z0-9 ]+\]")
# Words after a name-like word that make it a place or a body: "Fernleigh Council".
BODY_WORDS = frozenset(
    "council borough county city district authority school academy college university nursery trust "
    "hospital centre center partnership team service services hub board house road street estate ward "
    "clinic surgery church mosque temple gurdwara synagogue foundation group network forum panel unit "
    "community village town region area police constabulary fire court primary secondary infants "
    "juniors high grammar".split()
)


# A capitalised name ending in a word for a building is a place (a children's home, a hospital, a
# refuge), not a person: "Willow Lodge", "Holly Grange House". Words that are also common surnames
# (Hall, Court) are left out.
BUILDING_RE = re.compile(
    r"\b(?:[A-Z][a-z'’]+\s+){1,3}(?:Lodge|House|Villa|Cottage|Cottages|Manor|Grange|Hospital|Centre|"
    r"Center|Academy|School|College|Clinic|Surgery|Practice|Home|Farm|Barn|Hostel|Refuge|Nursery)\b"
)


# The header row of a table (the row above "| --- |") names columns, not people: "| Name | Age |".
TABLE_HEADER_RE = re.compile(r"^[ \t]*\|.*\|[ \t]*(?=\n[ \t]*\|[ \t]*:?-{3,})", re.M)


# Words that make a country named like a person ("Jordan", "Chad") the country.
COUNTRY_CONTEXT_RE = re.compile(
    r"\b(?:countr(?:y|ies)|nationals?|nationalit(?:y|ies)|origin|born in|arrived from|came from|fled|"
    r"citizens?|embassy|border|travelled to|returned to|deported to|refugees? from|the Middle East|"
    r"Africa|Asia|Europe|Caribbean)\b",
    re.I,
)


def _countries_in_context(text: str) -> list[tuple[int, int]]:
    """Countries named like people, where the same line speaks of countries or names another."""
    found = phrase_spans(text, wordlists.countries_named_like_people(), whole_words=True)
    if not found:
        return []
    others = wordlists.countries()
    kept = []
    for start, end in found:
        line_start = text.rfind("\n", 0, start) + 1
        line_end = text.find("\n", end)
        line = text[max(line_start, start - 80) : min(len(text) if line_end == -1 else line_end, end + 80)]
        if COUNTRY_CONTEXT_RE.search(line) or phrase_spans(line, others, whole_words=True):
            kept.append((start, end))
    return kept


def _allowed(text: str, allow: Iterable[str]) -> Cover:
    phrases = [
        *wordlists.allow_phrases(),
        *wordlists.places(),
        *wordlists.languages(),
        *wordlists.countries(),
        *wordlists.helplines(),
        *allow,
    ]
    # The labels of what is already redacted ("[NHS NUMBER]") are never names, nor are the months
    # of a date ("3 Feb 2024", "Sept 2023").
    labels = [m.span() for m in LABEL_TEXT_RE.finditer(text)]
    dates = [m.span() for m in detectors.MONTH_IN_DATE_RE.finditer(text)]  # and other spans, not names
    dates += [m.span() for m in BUILDING_RE.finditer(text)]
    dates += [m.span() for m in TABLE_HEADER_RE.finditer(text)]
    dates += _countries_in_context(text)
    return Cover(labels + dates + phrase_spans(text, phrases, whole_words=True))


class _Finder:
    def __init__(self, text: str, allow: Iterable[str]):
        self.text = text
        self.lex = _Lexicon()
        self.allowed = _allowed(text, allow)
        self.toks = [
            _Tok(m.start(), m.end(), w, w[0].isupper(), w.lower())
            for m in WORD_RE.finditer(text)
            for w in (m.group(0),)
        ]
        self.starts = [t.start for t in self.toks]
        self.found: dict[tuple[int, int], tuple[str, float]] = {}

    # Pieces of names ------------------------------------------------------------------------

    def joined(self, i: int) -> bool:
        """Whether token i+1 follows token i within one name (a space, or an initial's full stop)."""
        if i + 1 >= len(self.toks):
            return False
        gap = self.text[self.toks[i].end : self.toks[i + 1].start]
        if gap in (" ", "\t", "  "):
            return True
        if gap == "\n":
            # A name may wrap onto the next line of a paragraph ("Dr Marcus\nBell"), but the line
            # under a full name in an address or a signature block is something else.
            line_start = self.text.rfind("\n", 0, self.toks[i].end) + 1
            if self.toks[i].end - line_start >= 40:
                return True
            previous = self.toks[i - 1] if i > 0 else None
            return (
                previous is None
                or previous.start < line_start
                or self.text[previous.end : self.toks[i].start] not in (" ", "\t")
                or not previous.capital
                or previous.lower in TITLES
            )
        return gap in (". ", ".") and len(self.toks[i].word) == 1 and self.toks[i].capital

    def is_allowed(self, tok: _Tok) -> bool:
        return self.allowed.contains(tok.start, tok.end)

    def piece(self, tok: _Tok, any_case: bool) -> bool:
        """Could this token be part of a name here?"""
        if self.is_allowed(tok) or not self.lex.shaped(tok.word):
            return False
        if (tok.end < len(self.text) and self.text[tok.end].isdigit()) or (
            tok.start > 0 and self.text[tok.start - 1].isdigit()
        ):
            return False  # part of a code: "KM3", "Y10"
        if tok.capital:
            return True
        if tok.lower in PARTICLES or PREFIXED_RE.match(tok.word):
            return True
        return (
            any_case
            and not self.lex.is_common(tok.word)
            and (not wordlists.is_english(self.lex.bare(tok.word), loose=True) or self.lex.first(tok.word))
        )

    def run_forward(self, i: int, any_case: bool = False, limit: int = MAX_RUN) -> int:
        """The end (exclusive) of the name starting at token i, or i if none."""
        j = i
        while j < len(self.toks) and j - i < limit and self.piece(self.toks[j], any_case):
            if j > i and not self.joined(j - 1):
                break
            if self.lex.is_common(self.toks[j].word) and j > i and self.toks[j].lower not in PARTICLES:
                break
            j += 1
        while j > i and self.toks[j - 1].lower in PARTICLES:  # never ends on "van" or "de"
            j -= 1
        return j

    def run_backward(self, j: int, any_case: bool = False) -> int:
        """The start of the name ending just before token j, or j if none."""
        i = j
        while i > 0 and j - i < MAX_RUN and self.piece(self.toks[i - 1], any_case):
            if i < j and not self.joined(i - 1):
                break
            if self.lex.is_common(self.toks[i - 1].word) and self.toks[i - 1].lower not in PARTICLES:
                break
            i -= 1
        while i < j and self.toks[i].lower in PARTICLES and not self.toks[i].capital:
            i += 1
        return i

    def index_at(self, pos: int) -> int:
        """The first token starting at or after ``pos``."""
        return bisect_left(self.starts, pos)

    def index_ending_at(self, pos: int) -> int:
        """The index just after the last token ending at or before ``pos``."""
        i = bisect_left(self.starts, pos)
        while i > 0 and self.toks[i - 1].end > pos:
            i -= 1
        return i

    def add(self, i: int, j: int, rule: str, score: float, start: int | None = None) -> None:
        if j <= i:
            return
        words = [t.word for t in self.toks[i:j]]
        if all(self.lex.is_common(w) and w.lower() not in self.lex.firsts for w in words):
            return
        if all(w.isupper() and len(w) > 1 for w in words) and len(words) == 1:
            return  # an acronym, not a name
        begin = self.toks[i].start if start is None else start
        key = (begin, self.toks[j - 1].end)
        if key not in self.found or self.found[key][1] < score:
            self.found[key] = (rule, score)

    def sentence_start(self, i: int) -> bool:
        before = self.text[max(0, self.toks[i].start - 6) : self.toks[i].start]
        return self.toks[i].start == 0 or bool(SENTENCE_START_RE.search(before))

    def before(self, i: int, width: int = 60) -> str:
        start = self.toks[i].start
        line_start = self.text.rfind("\n", 0, start) + 1
        return self.text[max(line_start, start - width) : start]

    def after(self, j: int, width: int = 80) -> str:
        end = self.toks[j - 1].end
        line_end = self.text.find("\n", end)
        line_end = len(self.text) if line_end == -1 else line_end
        return self.text[end : min(line_end, end + width)]

    def strong(self, i: int, j: int) -> bool:
        """Enough evidence in the words themselves: a given name with more, or an unknown word."""
        words = [t.word for t in self.toks[i:j] if t.lower not in PARTICLES]
        if not words:
            return False
        if any(self.lex.unknown(w) for w in words):
            return True
        return self.lex.first(words[0]) and (len(words) > 1 or self.lex.plain_first(words[0]))

    # Rules ------------------------------------------------------------------------------------

    def find(self) -> None:
        n = len(self.toks)
        for i in range(1, n):
            tok = self.toks[i]
            # The context rules below all end on one of a few words: look no further otherwise.
            if not tok.capital or self.toks[i - 1].lower not in CONTEXT_LAST_WORDS:
                continue
            if tok.lower in PRONOUNS or not self.piece(tok, any_case=False):
                continue
            before = self.before(i)
            if SAINT_BEFORE_RE.search(before):
                continue
            title = TITLE_BEFORE_RE.search(before)
            if title:
                j = self.run_forward(i)
                self.add(i, j, "title", 0.95, start=tok.start - (len(before) - title.start()))
                continue
            if KIN_BEFORE_RE.search(before):
                j = self.run_forward(i, limit=3)
                if j == i and tok.capital:
                    j = i + 1  # "her brother Will": a word that is also a name
                self.add(i, j, "kinship", 0.9)
                self._list_after(j, "kinship", 0.85)
                continue
            if INTRO_BEFORE_RE.search(before):
                j = self.run_forward(i)
                if self.strong(i, j) or self.lex.first(tok.word) or ROLE_AFTER_RE.match(self.after(j)):
                    self.add(i, j, "introduced", 0.85)
                    self._list_after(j, "introduced", 0.8)
        self._labels()
        self._signoffs()
        self._surname_first()
        self._lists()
        self._around_lowercase()
        self._runs()
        self._initials()
        self._tables()
        self._lowercase_given_names()
        self._lists_around_found()

    def _lowercase_given_names(self) -> None:
        """Case notes written in lower case: "spoke with kayla and her mum donna". A word in lower case
        that is a given name and no English word (nor a common word, a place or a service) is a
        name, and so is a surname right after it."""
        firsts = self.lex.firsts
        for i, tok in enumerate(self.toks):
            word = tok.word
            if len(word) < 4 or not word.islower() or not word.isalpha():
                continue
            met = None  # whether a word for meeting someone or for family comes just before: looked at once
            if word not in firsts:
                met = self._after_met(i)
                if not met or not self.lex.unknown(word):
                    continue  # neither a given name nor a word no one knows after "saw", "her mum"...
            if self.lex.is_common(word) or self.is_allowed(tok):
                continue
            # A given name that is also a word ("leon", "summer") counts only after a word for
            # meeting someone or for family: "saw leon", "her mum donna".
            if not self.lex.unknown(word) and (
                word in self.lex.word_names
                or not (met if met is not None else self._after_met(i))
                or CLAUSE_AFTER_RE.match(self.text, tok.end)  # "her mother said so": a verb
            ):
                continue
            j = i + 1
            if (
                j < len(self.toks)
                and self.joined(i)
                and not self.toks[j].capital
                and (self.lex.last(self.toks[j].word) or self.lex.unknown(self.toks[j].word))
                and not self.lex.is_common(self.toks[j].word)
            ):
                j += 1
            self.add(i, j, "lower-case-name", 0.7)

    def _after_met(self, i: int) -> bool:
        """Whether token i follows a word for meeting someone or for family ("saw", "spoke to", "mum")."""
        if i == 0 or not self.joined(i - 1):
            return False
        before = self.toks[i - 1].lower
        if before in MET_WORDS:
            return True
        return before in ("to", "with") and i >= 2 and self.toks[i - 2].lower in ("spoke", "speak", "talked")

    def _next_in_list(self, j: int) -> int | None:
        """Where the next item of a list starts after an item ending before token j: after ", ",
        "; ", " & ", " and " or ", and "."""
        if j >= len(self.toks) or j == 0:
            return None
        gap = self.text[self.toks[j - 1].end : self.toks[j].start]
        if self.toks[j].lower == "and" and re.fullmatch(r",?[ \t]+", gap) and j + 1 < len(self.toks):
            return j + 1 if self.text[self.toks[j].end : self.toks[j + 1].start] in (" ", "\t") else None
        return j if re.fullmatch(r"[ \t]*[,;&][ \t]*", gap) else None

    def _previous_in_list(self, i: int) -> int | None:
        """The last token of the list item before the one starting at token i."""
        if i < 1:
            return None
        gap = self.text[self.toks[i - 1].end : self.toks[i].start]
        if self.toks[i - 1].lower == "and" and gap in (" ", "\t") and i >= 2:
            before_and = self.text[self.toks[i - 2].end : self.toks[i - 1].start]
            return i - 2 if re.fullmatch(r",?[ \t]+", before_and) else None
        return i - 1 if re.fullmatch(r"[ \t]*[,;&][ \t]*", gap) else None

    def _list_after(self, j: int, rule: str, score: float, any_case: bool = False) -> None:
        """Names that follow a name in a list: "Aoife, Dervla and Ciarán"."""
        while True:
            start = self._next_in_list(j)
            if start is None:
                return
            k = self.run_forward(start, any_case=any_case)
            if k == start or not (self.strong(start, k) or self.lex.first(self.toks[start].word) or any_case):
                return
            self.add(start, k, rule, score)
            j = k

    def _lists_around_found(self) -> None:
        """The other names in a list with a name already found: "Freya-Lily, Alfie and Mason"."""
        for start, end in sorted(self.found):
            i = self.index_at(start)
            j = self.index_ending_at(end)
            if i >= len(self.toks) or j <= i:
                continue
            self._list_after(j, "list", 0.75)
            while True:
                last = self._previous_in_list(i)
                begin = self._run_ending(last) if last is not None else None
                if begin is None or not (
                    self.strong(begin, last + 1) or self.lex.first(self.toks[begin].word)
                ):
                    break
                self.add(begin, last + 1, "list", 0.75)
                i = begin

    def _run_ending(self, last: int) -> int | None:
        """The start of a run of capitalised name pieces ending with token ``last``, if it is one."""
        if not self.toks[last].capital or not self.piece(self.toks[last], False):
            return None
        begin = last
        while (
            begin > 0
            and last - begin < MAX_RUN - 1
            and self.joined(begin - 1)
            and self.toks[begin - 1].capital
            and self.piece(self.toks[begin - 1], False)
            and not self.lex.is_common(self.toks[begin - 1].word)
        ):
            begin -= 1
        return begin

    def _labels(self) -> None:
        for m in LABEL_RE.finditer(self.text):
            self.found.setdefault((m.start(), m.end()), ("case-label", 0.85))

    def _signoffs(self) -> None:
        """The name under "Kind regards," or "Yours sincerely,"."""
        for m in SIGNOFF_RE.finditer(self.text):
            i = self.index_at(m.end())
            if i < len(self.toks) and self.toks[i].start == m.end():
                j = self.run_forward(i, any_case=True, limit=3)
                if j > i and not self.lex.is_common(self.toks[i].word):
                    self.add(i, j, "signature", 0.9)

    def _surname_first(self) -> None:
        """ "SMITH, John" and "OKAFOR, Sarah (Social Worker)" in lists of people."""
        for m in SURNAME_FIRST_RE.finditer(self.text):
            i = self.index_at(m.start(1))
            if i >= len(self.toks) or self.lex.is_common(self.toks[i].word) or self.is_allowed(self.toks[i]):
                continue
            k = self.index_at(m.end())
            j = self.run_forward(k, limit=3)
            if j > k and (self.strong(k, j) or self.lex.first(self.toks[k].word)) and len(m.group(1)) > 2:
                self.add(i, j, "surname-first", 0.85)

    def _lists(self) -> None:
        """Attendance and distribution lists: every item is a person unless it is a known place,
        team or role; any case, capitals included."""
        for m in LIST_INTRO_RE.finditer(self.text):
            line_end = self.text.find("\n", m.end())
            line_end = len(self.text) if line_end == -1 else line_end
            for item in re.finditer(r"[^,;]+", self.text[m.end() : line_end]):
                body = re.sub(r"\(.*?\)|\b(?:and|&)\b", " ", item.group(0))
                if not body.strip():
                    continue
                offset = m.end() + item.start()
                i = self.index_at(offset)
                stop = offset + len(item.group(0))
                if self._list_item_is_a_name(i, stop):
                    continue
                while i < len(self.toks) and self.toks[i].start < stop:
                    if self.toks[i].lower in TITLES:
                        i += 1
                        continue
                    j = self.run_forward(i, any_case=True)
                    if j > i and self.toks[j - 1].end <= stop:
                        words = [t.word for t in self.toks[i:j]]
                        if not all(self.lex.is_common(w) or self.lex.is_english(w) for w in words) or (
                            self.lex.first(words[0]) and len(words) > 1
                        ):
                            self.add(i, j, "attendance-list", 0.85)
                        i = j
                    else:
                        i += 1

    def _list_item_is_a_name(self, i: int, stop: int) -> bool:
        """An item of two or three words in a list of people, a given name first or a surname
        last, is that person whatever its case and however ordinary its words ("tom wheeler",
        "dev patel"); a role in brackets may follow."""
        while i < len(self.toks) and self.toks[i].lower in TITLES:
            i += 1
        j = i
        while j < len(self.toks) and self.toks[j].end <= stop and (j == i or self.joined(j - 1)):
            j += 1
        if not 2 <= j - i <= 3:
            return False
        rest = self.text[self.toks[j - 1].end : stop].strip(" \t.")
        if rest and not rest.startswith("("):
            return False
        toks = self.toks[i:j]
        words = [t.word for t in toks]
        if any(self.is_allowed(t) or t.lower in FUNCTION_WORDS or t.lower in PRONOUNS for t in toks):
            return False
        if not (self.lex.first(words[0]) or (self.lex.last(words[-1]) and not self.lex.is_common(words[0]))):
            return False
        self.add(i, j, "attendance-list", 0.85)
        return True

    def _around_lowercase(self) -> None:
        """A name in any case right before a role in brackets or an age: "jane doherty (team
        manager)", "ayaan (aged 9)"."""
        for m in re.finditer(r"[(,]", self.text):
            j = self.index_ending_at(m.start())
            if j == 0 or self.text[self.toks[j - 1].end : m.start()].strip(" \t"):
                continue
            after = self.after(j)
            if not (
                ROLE_AFTER_RE.match(after) or DETAILS_AFTER_RE.match(after) or BARE_AGE_AFTER_RE.match(after)
            ):
                continue
            if BARE_AGE_AFTER_RE.match(after) and not DETAILS_AFTER_RE.match(after):
                self._before_bare_age(j)
                continue
            i = self.run_backward(j, any_case=True)
            if i == j:
                continue
            if (
                j - i == 1
                and i > 0
                and not self.toks[i].capital
                and self.joined(i - 1)
                and not self.lex.is_common(self.toks[i - 1].word)
            ):
                i -= 1  # "yaw boateng": a given name that is also a dictionary word
            capital = self.toks[i].capital
            if DETAILS_AFTER_RE.match(after):
                if capital or self.strong(i, j):
                    self.add(i, j, "age", 0.9)
            elif self.strong(i, j) or (capital and not self.sentence_start(i) and j - i >= 2):
                self.add(i, j, "role-apposition", 0.85)

    def _before_bare_age(self, j: int) -> None:
        """ "Will (9)", "Summer Okafor (4)": capitalised given names or surnames (words such as Will
        or Summer too) right before a number in brackets, which is an age."""
        i = j
        while i > 0 and j - i < 3:
            tok = self.toks[i - 1]
            name_like = (
                self.lex.first(tok.word)
                or self.lex.last(tok.word)
                or self.lex.bare(tok.word) in self.lex.word_names
            )
            if not tok.capital or not name_like or self.is_allowed(tok) or (i < j and not self.joined(i - 1)):
                break
            i -= 1
        if i < j:
            self.add(i, j, "age", 0.85)

    def _runs(self) -> None:
        """Runs of capitalised words, judged by the words and what follows them."""
        i = 0
        n = len(self.toks)
        while i < n:
            tok = self.toks[i]
            if not tok.capital or not self.piece(tok, any_case=False):
                i += 1
                continue
            if self.lex.is_common(tok.word):
                # "Will from the Virtual School tracks attendance": a given name that is also a
                # common word, where only a person fits.
                if self.lex.first(tok.word) and FROM_ORG_AFTER_RE.match(self.after(i + 1)):
                    self.add(i, i + 1, "from-organisation", 0.75)
                i += 1
                continue
            if SAINT_BEFORE_RE.search(self.before(i)):
                i += 1
                continue
            j = self.run_forward(i)
            if j == i:
                i += 1
                continue
            # "Later Marcus moved", "Contact Aisha Carter": a leading ordinary word is not the name.
            k = i
            while k < j - 1 and self._ordinary(self.toks[k].word):
                k += 1
            self._judge(k, j)
            i = j

    def _body_follows(self, j: int) -> bool:
        """Whether the words after token j name a body or a place: "Fernleigh Council", "the
        Eastgate social work team" (up to three words in lower case, no verb or function word)."""
        if VERB_AFTER_RE.match(self.after(j)):
            return False
        k = j
        # "Ashcombe and Brackenford councils": the body named after the second names the first too.
        if (
            k + 1 < len(self.toks)
            and self.toks[k].lower in ("and", "or", "&")
            and self.toks[k + 1].capital
            and self.joined(k - 1)
            and self.joined(k)
        ):
            return self._body_follows(k + 2)
        while k < len(self.toks) and k - j < 3 and self.joined(k - 1):
            word = self.toks[k].word
            if word.lower() in BODY_WORDS or (word.lower().endswith("s") and word.lower()[:-1] in BODY_WORDS):
                return True
            if (k > j and word[0].isupper()) or word.lower() in FUNCTION_WORDS:
                return False
            k += 1
        return False

    def _ordinary(self, word: str) -> bool:
        lex = self.lex
        # Surname lists hold many ordinary words ("Later", "Young"): only a given name counts here.
        return lex.is_english(word) and not lex.first(word) and not word.isupper()

    def _judge(self, i: int, j: int) -> None:
        words = [t.word for t in self.toks[i:j]]
        if len(words) >= 2 and words[-1].lower() in PLACE_ENDINGS and not self.lex.plain_first(words[0]):
            return  # "Hope Street", "Grace Academy": a place named after a word
        if words[0].lower() in ("st", "saint", "ss"):
            return  # St Aidan's: a church, a school or a place
        if self._body_follows(j):
            return  # "Fernleigh Council", "the Eastgate social work team": a place or a body

        after = self.after(j)
        before = self.before(i)
        at_start = self.sentence_start(i)
        strong = self.strong(i, j)
        caps = all(w.isupper() for w in words) and any(len(w) > 1 for w in words)
        if caps and len(words) == 1:
            return
        if DETAILS_AFTER_RE.match(after):
            self.add(i, j, "age", 0.9)
        elif ROLE_AFTER_RE.match(after) and (strong or self.lex.first(words[0])):
            self.add(i, j, "role-apposition", 0.85)
        elif POSSESSIVE_AFTER_RE.match(after) and (strong or self.lex.first(words[0])):
            self.add(i, j, "possessive", 0.85)
        elif VERB_AFTER_RE.match(after) and (strong or (at_start and self.lex.first(words[0]))):
            self.add(i, j, "subject", 0.8)
        elif FROM_ORG_AFTER_RE.match(after) and len(words) <= 3 and (strong or self.lex.first(words[0])):
            self.add(i, j, "from-organisation", 0.75)
        elif WHEN_BEFORE_RE.search(before) and strong and VERB_AFTER_RE.match(" " + after.lstrip()):
            self.add(i, j, "subject", 0.8)
        elif (
            len(words) >= 2
            and self.lex.first(words[0])
            and (
                self.lex.plain_first(words[0])
                or any(self.lex.last(w) or self.lex.unknown(w) for w in words[1:])
            )
        ):
            self.add(i, j, "first-name-and-surname", 0.95)
        elif len(words) >= 2 and all(self.lex.unknown(w) or w.lower() in PARTICLES for w in words):
            self.add(i, j, "unknown-words", 0.7)
        elif (
            len(words) == 1
            and self.lex.plain_first(words[0])
            and not (at_start and self.lex.is_english(words[0]))
        ):
            # "Foster carers describe", "Run workshops": a given name that is also a word, at the
            # start of a sentence, is the word.
            self.add(i, j, "possessive" if after.startswith(("'", "’")) else "first-name", 0.8)
        elif len(words) == 1 and not at_start and self.lex.unknown(words[0]) and not caps:
            if not PLACE_BEFORE_RE.search(re.sub(r"<[^>]*>|[*_]", "", before)):
                self.add(i, j, "unknown-word", 0.6)

    def _initials(self) -> None:
        """ "I. Llwyd", "T Nguyen": an initial and a surname-like word."""
        for m in INITIAL_RE.finditer(self.text):
            i = self.index_at(m.end())
            if i >= len(self.toks) or self.toks[i].start != m.end():
                continue
            j = self.run_forward(i, limit=2)
            if j == i:
                continue
            word = self.toks[i].word
            if self.lex.is_common(word) or self.is_allowed(self.toks[i]):
                continue
            if self.lex.last(word) or self.lex.unknown(word) or self.lex.first(word):
                self.add(i, j, "initial-and-surname", 0.85, start=m.start())

    def _tables(self) -> None:
        """Cells of a table that hold a name and nothing else."""
        for line in re.finditer(r"^[ \t]*\|.*\|[ \t]*$", self.text, re.M):
            if re.fullmatch(r"[\s|:-]*", line.group(0)):
                continue
            for cell in re.finditer(r"[^|]+", line.group(0)):
                start = line.start() + cell.start()
                i = self.index_at(start)
                stop = start + len(cell.group(0))
                if i >= len(self.toks) or self.toks[i].end > stop:
                    continue
                j = self.run_forward(i)
                if j <= i or self.toks[j - 1].end > stop:
                    continue
                rest = self.text[self.toks[j - 1].end : stop]
                if rest.strip() or self.text[start : self.toks[i].start].strip():
                    continue
                if j - i >= 2 and self.strong(i, j):
                    self.add(i, j, "table-cell", 0.8)

    def suggestions(self) -> list[Suggestion]:
        return [
            Suggestion(start, end, self.text[start:end], "person", rule, score)
            for (start, end), (rule, score) in sorted(self.found.items())
            if not self._cited(start, end)
        ]

    def _cited(self, start: int, end: int) -> bool:
        m = CITATION_AFTER_RE.match(self.text, end)
        return m is not None and (m.group(0).lstrip().startswith("et") or self.text[start - 1 : start] == "(")


# Why each rule suggested what it did, in plain English, to follow "Suggested because".
RULES = {
    "lower-case-name": "it looks like a first name written in lower case",
    "title": "a title such as Mr, Dr or Cllr comes before it",
    "kinship": "a family word such as brother or mum comes before it",
    "introduced": "words that introduce someone, such as “thanks to” or “chaired by”, come before it",
    "case-label": "it is a case-study label, such as Child A",
    "signature": "it is the name under a sign-off such as “Kind regards”",
    "surname-first": "it looks like a surname in capitals followed by a first name",
    "attendance-list": "it is in a list of people, such as “Present:” or “Apologies:”",
    "age": "an age or a date of birth follows it",
    "role-apposition": "a job title follows it, such as “the Principal Social Worker”",
    "possessive": "it is followed by ’s and something of a person’s, such as “’s foster carer”",
    "subject": "a verb used of people follows it, such as “said” or “lives with”",
    "from-organisation": "it comes before “from” and a team or service",
    "first-name-and-surname": "it is a known first name followed by a surname",
    "first-name": "it is a known first name",
    "unknown-words": "the words are in no dictionary and sit where a name would",
    "unknown-word": "the word is in no dictionary and sits where a name would",
    "initial-and-surname": "it is an initial followed by a surname",
    "table-cell": "a table cell holds only this name",
    "name-variant": "it is another form of a name found elsewhere in the document",
    "family-surname": "it is a surname in “the ... family”",
    "initials-in-context": "they are initials near words about a child or a family",
}


def people(text: str, allow: Iterable[str] = ()) -> Iterator[Suggestion]:
    """Every stretch of ``text`` that names a person, as far as the rules can tell.
    ``allow``: more phrases that are never people (authority and region names, say)."""
    finder = _Finder(text, allow)
    finder.find()
    yield from finder.suggestions()
