"""Job-title coder: rank SOC 2020 unit groups for a job, course or apprenticeship title.

The coder matches a title against the titles of the ONS SOC 2020 coding index (and Volume 1's
group titles and related job titles), given as plain ``(title, unit-group code, kind)`` entries,
so that loaders can feed it from the workbooks and the server from the store.

Method (classic TF-IDF retrieval, no dependencies):

1. Normalise: Unicode folded to ASCII, case folded, "&" read as "and", apprenticeship noise
   removed (``NOISE``: "(degree)", "Level 3" ...), text in brackets kept apart as a qualifier
   ("Welder (arc processes)", "Presser (textile mfr)").
2. Tokens: words of letters and digits, stop words dropped, light stemming (plurals, "-ing",
   a final "e"), so "Nursing", "nurses" and "nurse" meet. An unknown word stands for the most
   alike known word (letter trigrams, or a known word it starts or ends with), weighed by how
   alike they are, so "Plastrer" still finds plasterers.
3. Each entry is a unit vector of its tokens weighted by inverse document frequency over all
   entries; qualifier words weigh ``QUALIFIER_WEIGHT`` as much as title words. The query's
   unknown words count in its length, so a half-understood title scores lower.
4. An entry scores the cosine between query and entry, with a small bonus when both share their
   head word (the last word before "of", "in" ...). An entry with the query's exact title (and
   qualifier, if the query gives one) scores 1.
5. A unit group scores ``TITLE_SHARE`` of a noisy-OR over its three best entries plus the rest
   from the cosine between the query and all its titles pooled; a group with an exact title
   scores 1. Ties go to the group whose pooled titles match better.

The constants were chosen on titles held out of the coding index and a development sample of
apprenticeship standards (benchmarks/coder_accuracy.py), not on the test sample.
Scores lie in [0, 1]; they rank, they are not probabilities.
"""

from __future__ import annotations

import math
import re
import unicodedata
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from functools import lru_cache

# Derived links made with this coder name it so (with each link's score), never as stated
# links; the number changes whenever the method or its constants change.
METHOD = "skillsgap-title-coder/1"

# Entry kinds: a coding-index title, a Volume 1 "related job title", a unit group's own title.
INDEX_TITLE = "index"
RELATED_TITLE = "related"
GROUP_TITLE = "group"
KINDS = (INDEX_TITLE, RELATED_TITLE, GROUP_TITLE)

# Words that name how a course is delivered or levelled, not the job it leads to, matched on
# the case-folded title; each line says where that noise comes from.
NOISE = re.compile(
    r"""
    \(\s*(integrated\s+)?degree\s*\)          # LARS: "Midwife (degree)", "(integrated degree)"
    | \(\s*integrated\s*\)                     # LARS: "Dental Technician (integrated)"
    | \bintegrated\s+degree\b                   # "Digital Marketer integrated degree"
    | \b(higher\s+|degree\s+)?apprenticeship(\s+standard)?\b   # "... degree apprenticeship"
    | \s[-\u2013]\s*degree\b | \bdegree\s*$     # "Registered Nurse - degree", "Nurse Degree"
    | \bmasters?\s+level\b                      # "Systems Engineering Masters Level"
    | \(\s*nmc\s+\d{4}\s*\)                     # nursing standards name the NMC standards' year
    | \b(level|lvl)\s*\d\b | \bl\d\b             # "Level 3", "L3"
    """,
    re.VERBOSE,
)
# Words without which NOISE cannot match: a cheap test that spares most titles the full pattern.
NOISE_HINT = re.compile(r"degree|integrated|apprenticeship|master|nmc|level|lvl|l\d")
QUALIFIER = re.compile(r"\(([^()]*)\)")
ALTERNATIVE = re.compile(r"\s/\s|\s+or\s+")
HEAD_BREAK = re.compile(r"\b(of|in|for|to|at|on|with)\b")
WORD = re.compile(r"[a-z0-9]+")

STOP_WORDS = frozenset(
    ["a", "an", "and", "any", "as", "at", "by", "etc", "for", "from", "in", "into", "its"]
    + ["nec", "nos", "of", "on", "or", "other", "the", "to", "with"]
)
# The coding index abbreviates some qualifier words.
ABBREVIATIONS = {"mfr": "manufacturing", "govt": "government", "dept": "department"}

# Longest text read from a query: titles are short; the rest of a huge input is ignored.
MAX_QUERY_CHARS = 300
MAX_LIMIT = 100
QUALIFIER_WEIGHT = 0.5
HEAD_WEIGHT = 0.1
# A group's score: TITLE_SHARE from its best titles (a noisy-OR weighted by SUPPORT: the best
# title fully, the next two less), the rest from the cosine with all its titles pooled.
TITLE_SHARE = 0.6
SUPPORT = (1.0, 0.3, 0.1)
EXACT_SCORE = 1.0
QUALIFIED_EXACT_SCORE = 0.9
# Unknown words of at least this length are matched to a known word this alike (trigram Dice).
MIN_FUZZY_LENGTH = 4
MIN_SIMILARITY = 0.6


@dataclass(frozen=True)
class Match:
    """A unit group proposed for a title, with the index title that matched best."""

    code: str
    title: str
    score: float
    matched_title: str


@dataclass(frozen=True)
class Parsed:
    """A title split into stemmed title tokens, qualifier tokens and head words."""

    tokens: tuple[str, ...]
    qualifier: tuple[str, ...]
    heads: frozenset[str]

    @property
    def key(self) -> str:
        """The title tokens in order: equal keys mean the same title."""
        return " ".join(self.tokens)

    @property
    def full_key(self) -> str:
        """The title and qualifier tokens: equal full keys mean the same title in the same sense."""
        return self.key + " | " + " ".join(self.qualifier)


# --- Text ------------------------------------------------------------------------------------


def fold(text: str) -> str:
    """Text as lower-case ASCII with "&" spelt out and noise removed."""
    text = text[:MAX_QUERY_CHARS]
    if not text.isascii():  # "Café", "ﬁtter": accents and ligatures to plain letters
        text = unicodedata.normalize("NFKD", text).encode("ascii", "ignore").decode()
    text = text.casefold().replace("&", " and ")
    if NOISE_HINT.search(text):
        # Twice: "Nurse Degree (NMC 2018)" ends in "degree" only once "(NMC 2018)" has gone.
        text = NOISE.sub(" ", NOISE.sub(" ", text))
    return text


@lru_cache(maxsize=65536)
def stem(word: str) -> str:
    """A light stem: plurals, "-ing" and a final "e" go, so nurse/nurses/nursing meet."""
    word = ABBREVIATIONS.get(word, word)
    if len(word) <= 3 or word.isdigit():
        return word
    if word.endswith("ies") and len(word) > 4:
        word = word[:-3] + "y"
    elif word.endswith(("sses", "ches", "shes", "xes")):
        word = word[:-2]
    elif word.endswith("s") and not word.endswith(("ss", "us", "is")):
        word = word[:-1]
    if word.endswith("ing") and len(word) >= 6:
        word = word[:-3]
        if len(word) > 2 and word[-1] == word[-2] and word[-1] not in "lsz":
            word = word[:-1]  # "fitting" -> "fit", "planning" -> "plan"
    if word.endswith("e") and len(word) >= 4:
        word = word[:-1]
    return word


def tokens(text: str) -> tuple[str, ...]:
    """Stemmed content words of folded text, in order."""
    return tuple(stem(word) for word in WORD.findall(text) if word not in STOP_WORDS)


def head_words(text: str, words: tuple[str, ...]) -> frozenset[str]:
    """The head word of each alternative ("A / B"): its last word before "of", "in" ..."""
    if not HEAD_BREAK.search(text) and not ALTERNATIVE.search(text):
        return frozenset(words[-1:])  # most titles: the last word
    heads = set()
    for alternative in ALTERNATIVE.split(text):
        words = tokens(HEAD_BREAK.split(alternative, maxsplit=1)[0])
        if words:
            heads.add(words[-1])
    return frozenset(heads)


def parse(title: str) -> Parsed:
    """A title as tokens: bracketed text is a qualifier, the rest the title proper."""
    main = fold(title)
    qualifier = ""
    if "(" in main:
        qualifier = " ".join(QUALIFIER.findall(main))
        main = QUALIFIER.sub(" ", main)
    words = tokens(main)
    if not words:  # "(Arc processes)" alone: the brackets are all there is
        main, qualifier, words = qualifier, "", tokens(qualifier)
    return Parsed(words, tokens(qualifier), head_words(main, words))


# --- Index -----------------------------------------------------------------------------------


def idf(document_frequency: int, documents: int) -> float:
    """Inverse document frequency as BM25 computes it (always positive)."""
    return math.log(1 + (documents - document_frequency + 0.5) / (document_frequency + 0.5))


def norm(vector: dict[str, float]) -> float:
    """The Euclidean length of a weight vector."""
    return math.sqrt(sum(weight * weight for weight in vector.values()))


def unit(vector: dict[str, float]) -> dict[str, float]:
    """The vector scaled to length 1 (an empty vector stays empty)."""
    length = norm(vector) or 1.0
    return {token: weight / length for token, weight in vector.items()}


def trigrams(word: str) -> set[str]:
    """The letter trigrams of a word with its ends marked, for spotting misspellings."""
    padded = f" {word} "
    return {padded[i : i + 3] for i in range(len(padded) - 2)}


class Vocabulary:
    """The index's words with their IDF, and the nearest known word for an unknown one."""

    def __init__(self, documents: list[Parsed]) -> None:
        counts: dict[str, int] = defaultdict(int)
        for document in documents:
            for token in set(document.tokens) | set(document.qualifier):
                counts[token] += 1
        self.idf = {token: idf(count, len(documents)) for token, count in counts.items()}
        self.unknown_idf = idf(1, len(documents))
        self._by_trigram: dict[str, list[str]] = defaultdict(list)
        self._trigram_counts: dict[str, int] = {}
        for token in self.idf:
            if len(token) >= MIN_FUZZY_LENGTH:
                grams = trigrams(token)
                self._trigram_counts[token] = len(grams)
                for gram in grams:
                    self._by_trigram[gram].append(token)

    def nearest(self, word: str) -> tuple[str, float] | None:
        """A known word standing for ``word`` and how alike they are (1 for itself)."""
        if word in self.idf:
            return word, 1.0
        if len(word) < MIN_FUZZY_LENGTH:
            return None
        grams = trigrams(word)
        shared: dict[str, int] = defaultdict(int)
        for gram in grams:
            for token in self._by_trigram.get(gram, ()):
                shared[token] += 1
        counts = self._trigram_counts
        alike = [(2 * n / (len(grams) + counts[t]), t) for t, n in shared.items()]
        # A compound of a known word ("underkeeper", "weighbridgeman") shares its ends.
        alike += [(len(t) / len(word), t) for t in shared if len(t) >= 4 and word.endswith(t)]
        alike += [(len(t) / len(word), t) for t in shared if len(t) >= 4 and word.startswith(t)]
        similarity, token = max(alike, default=(0.0, ""))
        return (token, similarity) if similarity >= MIN_SIMILARITY else None

    def weights(self, parsed: Parsed) -> tuple[dict[str, float], float]:
        """A query's token weights (unknown words by their nearest known word) and its length."""
        vector: dict[str, float] = {}
        squares = 0.0
        parts = [(parsed.qualifier, QUALIFIER_WEIGHT), (parsed.tokens, 1.0)]
        for words, share in parts:
            for word in words:
                nearest = self.nearest(word)
                full = share * self.idf.get(word, self.unknown_idf)
                squares += full * full
                if nearest:
                    token, similarity = nearest
                    vector[token] = share * similarity * self.idf[token]
        return vector, math.sqrt(squares)

    def document(self, parsed: Parsed) -> dict[str, float]:
        """An entry's unit-length token weights: IDF, qualifier words down-weighted."""
        vector = {token: QUALIFIER_WEIGHT * self.idf[token] for token in parsed.qualifier}
        vector.update((token, self.idf[token]) for token in parsed.tokens)
        return unit(vector)


class Coder:
    """Ranks SOC 2020 unit groups for a title; built once from (title, code, kind) entries."""

    def __init__(self, entries: Iterable[tuple[str, str, str]]) -> None:
        self._titles: list[str] = []
        self._codes: list[str] = []
        self._heads: list[frozenset[str]] = []
        self._full_keys: list[str] = []
        self._by_key: dict[str, list[int]] = defaultdict(list)
        self._group_titles: dict[str, str] = {}
        parsed = [self._add(title, code, kind) for title, code, kind in entries]
        self._vocabulary = Vocabulary(parsed)
        self._postings: dict[str, list[tuple[int, float]]] = defaultdict(list)
        groups: dict[str, dict[str, float]] = defaultdict(lambda: defaultdict(float))
        for number, entry in enumerate(parsed):
            for token, weight in self._vocabulary.document(entry).items():
                self._postings[token].append((number, weight))
                groups[self._codes[number]][token] += weight
        self._group_postings: dict[str, list[tuple[str, float]]] = defaultdict(list)
        for code, vector in groups.items():
            for token, weight in unit(vector).items():
                self._group_postings[token].append((code, weight))

    def _add(self, title: str, code: str, kind: str) -> Parsed:
        """Record one entry's title, code and head words; return it parsed."""
        if kind not in KINDS:
            raise ValueError(f"unknown entry kind {kind!r}; expected one of {KINDS}")
        if kind == GROUP_TITLE:
            self._group_titles.setdefault(code, title)
        parsed = parse(title)
        self._by_key[parsed.key].append(len(self._titles))
        self._full_keys.append(parsed.full_key)
        self._titles.append(title)
        self._codes.append(code)
        self._heads.append(parsed.heads)
        return parsed

    def __len__(self) -> int:
        return len(self._titles)

    def search(self, text: str, limit: int = 10) -> list[Match]:
        """The unit groups best matching ``text``, best first; [] when nothing matches."""
        query = parse(text) if isinstance(text, str) else None
        if query is None or not query.tokens or limit <= 0:
            return []
        vector, length = self._vocabulary.weights(query)
        if not vector:
            return []
        entry_scores = self._entry_scores(query, vector, length)
        group_scores = self._group_scores(vector, length)
        return self._rank(entry_scores, group_scores)[: min(limit, MAX_LIMIT)]

    def _entry_scores(
        self, query: Parsed, vector: dict[str, float], length: float
    ) -> dict[int, float]:
        """Each entry sharing a word with the query, scored by cosine, head and exact match."""
        cosine: dict[int, float] = defaultdict(float)
        for token, weight in vector.items():
            for number, entry_weight in self._postings[token]:
                cosine[number] += weight * entry_weight / length
        scores = {
            number: (1 - HEAD_WEIGHT) * value
            + HEAD_WEIGHT * bool(query.heads & self._heads[number])
            for number, value in cosine.items()
        }
        for number in self._by_key.get(query.key, ()):
            if self._full_keys[number] == query.full_key:
                scores[number] = EXACT_SCORE
            elif not query.qualifier:
                # The same title, but the index restricts it to a context the query did not give.
                scores[number] = max(scores[number], QUALIFIED_EXACT_SCORE)
        return scores

    def _group_scores(self, vector: dict[str, float], length: float) -> dict[str, float]:
        """The cosine between the query and each group's pooled titles."""
        scores: dict[str, float] = defaultdict(float)
        for token, weight in vector.items():
            for code, group_weight in self._group_postings[token]:
                scores[code] += weight * group_weight / length
        return scores

    def _rank(self, entry_scores: dict[int, float], group_scores: dict[str, float]) -> list[Match]:
        """Groups scored by their best titles (a noisy-OR) and their pooled titles, best first."""
        by_group: dict[str, list[tuple[float, int]]] = defaultdict(list)
        for number, score in entry_scores.items():
            by_group[self._codes[number]].append((score, number))
        ranked = []
        for code, scored in by_group.items():
            best = sorted(scored, reverse=True)[: len(SUPPORT)]
            shares = SUPPORT[: len(best)]
            miss = math.prod(
                1 - share * score for share, (score, _) in zip(shares, best, strict=True)
            )
            score = TITLE_SHARE * (1 - miss) + (1 - TITLE_SHARE) * group_scores[code]
            if best[0][0] == EXACT_SCORE:
                score = EXACT_SCORE
            title = self._group_titles.get(code, "")
            ranked.append(Match(code, title, round(score, 4), self._titles[best[0][1]]))
        ranked.sort(key=lambda match: (-match.score, -group_scores[match.code], match.code))
        return ranked


def agreement(coder: Coder, cases: Iterable[tuple[str, frozenset[str]]], within: int) -> float:
    """The share of titles for which an accepted code is among the coder's first ``within``."""
    outcomes = [
        any(match.code in accepted for match in coder.search(title, within))
        for title, accepted in cases
    ]
    return sum(outcomes) / len(outcomes) if outcomes else 0.0
