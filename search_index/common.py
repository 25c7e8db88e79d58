"""What every backend shares: query cleaning, the thesaurus, plain text for indexing and snippets,
"did you mean" from a caller's own vocabulary, and index folders swapped in whole."""

from __future__ import annotations

import ctypes
import fcntl
import html
import os
import re
import time
import uuid
from collections.abc import Callable, Iterable
from contextlib import contextmanager
from functools import lru_cache
from pathlib import Path

from cmarkgfm import cmark as _cmark

MAX_QUERY_CHARS = 300
SNIPPET_CHARS = 240
LOCK_TIMEOUT = 30.0

# Query text ---------------------------------------------------------------------------------------

_OPERATOR_RE = re.compile(r"^(?:AND|OR|NOT|ANDNOT|ANDMAYBE)$")


def clean_query(text: str) -> str:
    """A query Whoosh can always parse: no wildcards or field names, balanced quotes and
    brackets, no dangling operators, at most MAX_QUERY_CHARS characters."""
    text = (text or "")[:MAX_QUERY_CHARS]
    text = re.sub(r"[*?~^:{}\[\]\\/<>=]", " ", text)
    if text.count('"') % 2:
        head, _, tail = text.rpartition('"')
        text = head + " " + tail
    depth, chars = 0, []
    for ch in text:
        if ch == "(":
            depth += 1
        elif ch == ")":
            if depth == 0:
                continue
            depth -= 1
        chars.append(ch)
    text = "".join(chars) + ")" * depth
    words = text.split()
    while words and _OPERATOR_RE.match(words[0]):
        words.pop(0)
    while words and _OPERATOR_RE.match(words[-1]):
        words.pop()
    cleaned = " ".join(words)
    return "" if not re.search(r"\w", cleaned) else cleaned


_SEPARATORS_RE = re.compile(r"[\s-]+")


def _is_word_char(ch: str) -> bool:
    return ch.isalnum() or ch == "_"


def _contains_word(text: str, words: str) -> bool:
    """Whether ``words`` occur in ``text`` with no letter or digit joined on either side."""
    at = text.find(words)
    while at >= 0:
        end = at + len(words)
        if (at == 0 or not _is_word_char(text[at - 1])) and (
            end == len(text) or not _is_word_char(text[end])
        ):
            return True
        at = text.find(words, at + 1)
    return False


def _is_acronym(form: str) -> bool:
    """Written in capitals ("SEND", "EHCP", "CiC" aside), with at most a plural "s" after them."""
    core = form[:-1] if form.endswith("s") and len(form) > 2 else form
    return core.isupper()


class Thesaurus:
    """Groups of terms that mean the same (SEND and special educational needs and disabilities...).

    Each group is a concept. At indexing time every document is tagged with the concepts any of
    whose forms it mentions; a query naming any form then looks up that one tag, instead of
    matching every form as a phrase. Forms written in capitals (acronyms) match in capitals only,
    so that "send" the verb is not SEND; the others match in any case.
    """

    TOKEN = "xthesaurusconcept{}x"  # noqa: S105 - a placeholder word, not a secret
    TOKEN_RE = re.compile(r"^xthesaurusconcept(\d+)x$")
    TOKEN_RE_INLINE = re.compile(r"\bxthesaurusconcept(\d+)x\b")

    def __init__(self, groups: Iterable[Iterable[str]] = ()):
        self.groups = [list(dict.fromkeys(g)) for g in groups if g]
        self._concept = {}
        for number, group in enumerate(self.groups):
            for form in group:
                self._concept[form if form.isupper() else form.lower()] = number
                if _is_acronym(form) and not form.endswith("S"):
                    self._concept.setdefault(form + "s", number)  # "EHCPs", "LACs": the plural
        acronyms = [f for f in self._concept if _is_acronym(f)]
        phrases = [f for f in self._concept if not _is_acronym(f)]
        self._acronyms = self._compile(acronyms, 0)
        self._phrases = self._compile(phrases, re.I)
        self._forms = [
            (_SEPARATORS_RE.sub(" ", form if _is_acronym(form) else form.lower()), _is_acronym(form), concept)
            for form, concept in self._concept.items()
        ]

    @staticmethod
    def _compile(forms: list[str], flags: int) -> re.Pattern | None:
        if not forms:
            return None
        forms = sorted(forms, key=len, reverse=True)
        body = "|".join(r"[\s-]+".join(re.escape(w) for w in re.split(r"[\s-]+", f)) for f in forms)
        return re.compile(r"(?<![\w-])(" + body + r")(?![\w-])", flags)

    def _lookup(self, form: str) -> int | None:
        key = " ".join(re.split(r"[\s-]+", form))
        for candidate in (form, form.lower(), key.lower(), key.lower().replace(" ", "-")):
            if candidate in self._concept:
                return self._concept[candidate]
        lowered = {k.lower().replace("-", " "): v for k, v in self._concept.items()}
        return lowered.get(key.lower().replace("-", " "))

    def concepts(self, text: str) -> set[int]:
        """The concepts a text mentions (spaces and hyphens between words alike), found by plain
        substring search so that a long text costs little."""
        spaced = _SEPARATORS_RE.sub(" ", text)
        lowered = spaced.lower()
        found: set[int] = set()
        for form, acronym, concept in self._forms:
            if concept not in found and _contains_word(spaced if acronym else lowered, form):
                found.add(concept)
        return found

    def expand(self, query: str) -> str:
        """Each thesaurus term outside quotes is widened to "the term as asked, or its concept"
        (the concept's token, looked up in the concepts field): the words asked are always
        searched for themselves too, so a form the thesaurus lacks (a plural, another acronym)
        still finds what holds it."""
        return self._outside_quotes(query, self._token)

    def substitute(self, text: str) -> str:
        """Each thesaurus term outside quotes replaced by its concept's token: for comparing
        what headings are about ("KLOEs" and "Key lines of enquiry" alike), never for queries."""
        return self._outside_quotes(text, self._concept_token)

    def _outside_quotes(self, text: str, replace) -> str:
        """``text`` with each thesaurus term outside quotes replaced by ``replace(match)``."""
        if not text:
            return text
        parts = re.split(r'("[^"]*")', text)
        for i, part in enumerate(parts):
            if part.startswith('"'):
                continue
            for pattern in (self._acronyms, self._phrases):
                if pattern is not None:
                    part = pattern.sub(replace, part)
            parts[i] = part
        return "".join(parts)

    def _concept_token(self, match: re.Match) -> str:
        concept = self._lookup(match.group(1))
        return match.group(1) if concept is None else self.TOKEN.format(concept)

    def _token(self, match: re.Match) -> str:
        asked = match.group(1)
        concept = self._lookup(asked)
        if concept is None:
            return asked
        words = asked if len(asked.split()) == 1 and "-" not in asked else f'"{asked}"'
        return f"({words} OR {self.TOKEN.format(concept)})"


@contextmanager
def _file_lock(path: Path, timeout: float = LOCK_TIMEOUT):
    path.parent.mkdir(parents=True, exist_ok=True)
    with open(path, "a+") as fh:
        deadline = time.monotonic() + timeout
        while True:
            try:
                fcntl.flock(fh.fileno(), fcntl.LOCK_EX | fcntl.LOCK_NB)
                break
            except BlockingIOError:
                if time.monotonic() > deadline:
                    raise TimeoutError(f"the search index is busy ({path})") from None
                time.sleep(0.02)
        try:
            yield
        finally:
            fcntl.flock(fh.fileno(), fcntl.LOCK_UN)


TEXT_FIELDS = ("title", "summary", "text")
OPERATORS = ("AND", "OR", "NOT", "ANDNOT", "ANDMAYBE")
# "NOT word" and "ANDNOT word" as the engines write an exclusion: "-word".
NOT_RE = re.compile(r"\b(?:AND\s+NOT|ANDNOT|NOT)\s+(?=[\w\"(])")
_EXCLUDED_RE = re.compile(r"(?:(?<=\s)|^)-\S+|\b(?:NOT|ANDNOT)\s+\S+")
_ASKED_RE = re.compile(r"[^\W_]+")


def asked_words(cleaned: str) -> list[str]:
    """The words a cleaned query asks for: not the excluded ones, not the operators."""
    return [w for w in _ASKED_RE.findall(_EXCLUDED_RE.sub(" ", cleaned)) if w not in OPERATORS]


# Plain text --------------------------------------------------------------------------------------

# Read with the same parser the pages use (cmark-gfm: linear time whatever the text), then
# written out as words: blocks apart by a blank line, list items and table rows on lines of
# their own, a row's cells joined by " · ". "&" and "<" are stood in for while cmark reads, so
# that raw HTML and character references stay words, as the pages show them.
_AFTER_TAG_NL_RE = re.compile(r">\n")
_CELL_GAP_RE = re.compile(r"</t[hd]>\s*<t[hd][^>]*>")
_LINE_END_RE = re.compile(r"</li>|</tr>|<br />")
_BLOCK_END_RE = re.compile(r"</(?:p|h[1-6]|pre|blockquote|ul|ol|thead|table)>|<hr />")
_ANY_TAG_RE = re.compile(r"<[^>]*>")
_BLANK_RUN_RE = re.compile(r"\n{3,}")


def _stand_in(text: str, base: str) -> str:
    marker = base
    while marker in text:
        marker += "\ue001"
    return marker


@lru_cache(maxsize=1)
def _native():
    """cmark-gfm's own functions to free what it returns, which cmarkgfm's wrappers never call:
    its ``markdown_to_html_with_extensions`` leaves each document's tree and HTML allocated (some
    50 KB a call; a serving worker grew by 200 MB in 600 searches). The same library cmarkgfm
    loaded, and the C library's ``free`` (cmark allocates with the C library's allocator)."""
    library = ctypes.CDLL(_cmark._cmark.__file__)
    library.cmark_node_free.argtypes = [ctypes.c_void_p]
    library.cmark_node_free.restype = None
    libc = ctypes.CDLL(None)
    libc.free.argtypes = [ctypes.c_void_p]
    libc.free.restype = None
    return library.cmark_node_free, libc.free


def markdown_html(source: str) -> str:
    """GitHub-flavoured markdown with tables to HTML, as cmarkgfm's
    ``markdown_to_html_with_extensions(source, extensions=["table"])`` renders it (default
    options: raw HTML left out), with every allocation freed."""
    ffi, lib = _cmark._cmark.ffi, _cmark._cmark.lib
    node_free, free = _native()
    _cmark.core_extensions_ensure_registered()
    table = _cmark.find_syntax_extension("table")
    parser = lib.cmark_parser_new(0)
    try:
        lib.cmark_parser_attach_syntax_extension(parser, table)
        _cmark.parser_feed(parser, source)
        root = lib.cmark_parser_finish(parser)
        try:
            raw = lib.cmark_render_html(root, 0, lib.cmark_parser_get_syntax_extensions(parser))
            try:
                return ffi.string(raw).decode("utf-8")
            finally:
                free(int(ffi.cast("uintptr_t", raw)))
        finally:
            node_free(int(ffi.cast("uintptr_t", root)))
    finally:
        lib.cmark_parser_free(parser)


def plain_text(markdown: str) -> str:
    """Markdown as the words a reader sees: no heading marks, list markers, emphasis or table
    pipes, so that snippets read as prose."""
    source = markdown or ""
    if not source.strip():
        return ""
    amp, lt = _stand_in(source, "\ue000"), _stand_in(source, "\ue004")
    out = markdown_html(source.replace("&", amp).replace("<", lt))
    out = _AFTER_TAG_NL_RE.sub("> ", out)
    out = _CELL_GAP_RE.sub(" · ", out)
    out = _LINE_END_RE.sub("\n", out)
    out = _BLOCK_END_RE.sub("\n\n", out)
    out = html.unescape(_ANY_TAG_RE.sub("", out)).replace(amp, "&").replace(lt, "<")
    out = "\n".join(line.strip() for line in out.split("\n"))
    return _BLANK_RUN_RE.sub("\n\n", out).strip()


def mark_html(
    fragment: str, ranges: Iterable[tuple[int, int]], *, more_before=False, more_after=False
) -> str:
    """A fragment escaped, with only the given character ranges wrapped in <mark>."""
    out, at = [], 0
    for start, end in sorted(ranges):
        if start < at:
            continue
        out.append(html.escape(fragment[at:start]))
        out.append("<mark>" + html.escape(fragment[start:end]) + "</mark>")
        at = end
    out.append(html.escape(fragment[at:]))
    body = "".join(out).strip()
    return ("… " if more_before else "") + body + (" …" if more_after else "")


def lead(text: str, chars: int = SNIPPET_CHARS) -> str:
    """The opening of a text as an escaped snippet."""
    text = " ".join((text or "").split())
    if len(text) <= chars:
        return html.escape(text)
    cut = text.rfind(" ", 0, chars)
    return html.escape(text[: cut if cut > chars // 2 else chars]) + "…"


# Did you mean ------------------------------------------------------------------------------------

_WORD_RE = re.compile(r"[^\W_]+(?:['’-][^\W_]+)*")


def distance(a: str, b: str, limit: int) -> int:
    """Levenshtein distance with adjacent transpositions, giving up past ``limit``."""
    if abs(len(a) - len(b)) > limit:
        return limit + 1
    previous2: list[int] | None = None
    previous = list(range(len(b) + 1))
    for i, ca in enumerate(a, 1):
        current = [i] + [0] * len(b)
        for j, cb in enumerate(b, 1):
            cost = ca != cb
            current[j] = min(previous[j] + 1, current[j - 1] + 1, previous[j - 1] + cost)
            if previous2 is not None and j > 1 and ca == b[j - 2] and a[i - 2] == cb:
                current[j] = min(current[j], previous2[j - 2] + 1)
        if min(current) > limit:
            return limit + 1
        previous2, previous = previous, current
    return previous[-1]


def allowed_distance(word: str) -> int:
    return 0 if len(word) < 4 else 1 if len(word) < 7 else 2


def suggest(
    cleaned: str,
    total: int,
    word_count: Callable[[str], int],
    candidates: Callable[[str], Iterable[tuple[str, int]]],
    count_query: Callable[[str], int],
) -> str | None:
    """A corrected query, offered only if it finds more than the query did.

    ``word_count(word)`` and ``candidates(word)`` (words with how many documents hold them) see
    only the documents the caller may read with the chosen filters; ``count_query`` runs a query
    under the same limits. A word is replaced only when the caller's documents do not hold it, by
    the closest of their words (then the most common), sharing its first letter.
    """
    if not cleaned:
        return None
    parts = re.split(r'("[^"]*")', cleaned)
    changed = False
    for i, part in enumerate(parts):
        if part.startswith('"'):
            continue

        def fix(match: re.Match) -> str:
            nonlocal changed
            word = match.group(0)
            lowered = word.lower()
            limit = allowed_distance(lowered)
            if not limit or word.isupper() or word in ("AND", "OR", "NOT") or word_count(lowered):
                return word
            best = None
            for candidate, n in candidates(lowered):
                if not n or candidate == lowered:
                    continue
                d = distance(lowered, candidate, limit)
                if d <= limit and (best is None or (d, -n) < (best[0], -best[1])):
                    best = (d, n, candidate)
            if best is None:
                return word
            changed = True
            return best[2]

        parts[i] = _WORD_RE.sub(fix, part)
    if not changed:
        return None
    corrected = "".join(parts)
    if corrected.lower() == cleaned.lower() or count_query(corrected) <= total:
        return None
    return corrected


# Index folders -----------------------------------------------------------------------------------


class BuildFolders:
    """One folder per index build under ``root`` and a ``CURRENT`` file naming the live one, so a
    rebuild is made aside and swapped in at once. Writers hold ``write.lock``."""

    def __init__(self, root: str | os.PathLike, create: Callable[[Path], None]):
        self.root = Path(root)
        self.root.mkdir(parents=True, exist_ok=True)
        self._create = create
        if not self.current_file.exists():
            with self.lock():
                if not self.current_file.exists():
                    self.set_current(self.new_build())

    @property
    def current_file(self) -> Path:
        return self.root / "CURRENT"

    def lock(self):
        return _file_lock(self.root / "write.lock")

    def current_name(self) -> str:
        return self.current_file.read_text().strip()

    def path(self, name: str) -> Path:
        return self.root / name

    def new_build(self) -> str:
        name = f"index-{time.strftime('%Y%m%d%H%M%S')}-{uuid.uuid4().hex[:8]}"
        path = self.root / name
        path.mkdir()
        self._create(path)
        return name

    def set_current(self, name: str) -> None:
        tmp = self.root / f"CURRENT.{uuid.uuid4().hex}"
        tmp.write_text(name)
        os.replace(tmp, self.current_file)

    def swap_in(self, name: str) -> None:
        """Make ``name`` live and remove every build but it and the one it replaces (which a
        reader in another process may still hold open)."""
        import shutil

        with self.lock():
            old = self.current_name() if self.current_file.exists() else None
            self.set_current(name)
        for path in self.root.glob("index-*"):
            if path.name not in (name, old):
                shutil.rmtree(path, ignore_errors=True)

    def discard(self, name: str) -> None:
        import shutil

        shutil.rmtree(self.root / name, ignore_errors=True)


def newest_key(year: int | None, published_at) -> int:
    """The "newest first" order: the document's year, then when it was shared."""
    millis = int(published_at.timestamp() * 1000) if published_at is not None else 0
    return (year or 0) * 10**13 + max(millis, 0)
