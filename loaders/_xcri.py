"""Reading XCRI-CAP XML safely: no DTDs or entities, encoding problems repaired or reported.

- A document with a DOCTYPE is refused before the parser sees it (XCRI-CAP feeds never need
  one; a DOCTYPE that declares entities is how XXE and "billion laughs" attacks work). The
  parser itself is lxml with entities unresolved, no DTD loading and no network, as a second
  wall.
- Bytes that are not UTF-8 (a feed declared UTF-8 but written in Windows-1252) are decoded as
  Windows-1252, each reported with its line and column. Text that is UTF-8 read as
  Windows-1252 and written out again (mojibake: "â€“" for "–", "Â£" for "£") is repaired
  where the repair is exact; replacement characters (U+FFFD) and C1 control characters cannot be
  repaired and are reported. Nothing is changed silently: every repair and every unrepairable
  value is a :class:`TextIssue`, issued as an :class:`XcriTextWarning` (Python ``warnings``).
"""

from __future__ import annotations

import re
import warnings
from dataclasses import dataclass
from datetime import date
from pathlib import Path

from lxml import etree

from skillsgap.errors import Found, SourceError, SourceWarning
from skillsgap.loaders._tables import read_bytes

XSI_TYPE = "{http://www.w3.org/2001/XMLSchema-instance}type"
XHTML_BLOCKS = {"p", "li", "div", "ul", "ol", "br", "h1", "h2", "h3", "h4", "tr"}
DOCTYPE = re.compile(rb"<!DOCTYPE", re.IGNORECASE)
ENTITY = re.compile(rb"<!ENTITY", re.IGNORECASE)
# A UTF-8 lead byte then continuation bytes, each read as Windows-1252 (or Latin-1) characters.
MOJIBAKE = re.compile(
    "[\u00c2-\u00f4][\u0080-\u00bf\u0152\u0153\u0160\u0161\u0178\u017d\u017e\u0192\u02c6\u02dc"
    "\u2013\u2014\u2018-\u201e\u2020-\u2022\u2026\u2030\u2039\u203a\u20ac\u2122]+"
)
UNREPAIRABLE = re.compile("[\ufffd\u0080-\u009f]")
ISO_DATE = re.compile(r"(\d{4})-(\d{2})-(\d{2})(T\d{2}:\d{2}(:\d{2}(\.\d+)?)?)?")


@dataclass(frozen=True)
class TextIssue:
    """An encoding problem in a feed: where, what kind, and what was (or could not be) done."""

    file: str
    line: int | None
    where: str  # a course identifier and field, or "column N" for raw bytes
    kind: str  # "repaired mojibake", "not UTF-8, read as Windows-1252", "unrepairable"
    found: str
    loaded: str

    def __str__(self) -> str:
        line = f", line {self.line}" if self.line else ""
        return f"{self.file}{line}, {self.where}: {self.kind}: {self.found!r} loaded as {self.loaded!r}"


class XcriTextWarning(SourceWarning):
    """A text encoding problem in an XCRI-CAP feed; ``issue`` holds its structured fields."""

    def __init__(self, issue: TextIssue) -> None:
        super().__init__(str(issue))
        self.issue = issue


def report(issues: list[TextIssue]) -> None:
    """Issue each text problem as an XcriTextWarning (the CLI records and prints them)."""
    for issue in issues:
        warnings.warn(XcriTextWarning(issue), stacklevel=2)


# --- Parsing -----------------------------------------------------------------------------------


def parse(path: Path, issues: list[TextIssue]) -> etree._Element:
    """The feed's root element; a SourceError for a DOCTYPE, malformed XML or an empty file."""
    data = read_bytes(path)
    if not data.strip():
        raise SourceError("empty file", file=path.name, expected="an XCRI-CAP catalog")
    refuse_doctype(path.name, data)
    text = decode(path.name, data, issues)
    parser = etree.XMLParser(
        resolve_entities=False, no_network=True, load_dtd=False, huge_tree=False, encoding="utf-8"
    )
    try:
        root = etree.fromstring(text.encode("utf-8"), parser)
    except etree.XMLSyntaxError as exc:
        line, column = exc.position
        raise SourceError(
            f"malformed XML at line {line}, column {column}: {exc.msg}",
            file=path.name,
            row=line,
            column=str(column),
        ) from None
    return root


def refuse_doctype(file_name: str, data: bytes) -> None:
    """A SourceError for any DOCTYPE: nothing in it is read, resolved or fetched."""
    found = DOCTYPE.search(data)
    if found is None:
        return
    line = data.count(b"\n", 0, found.start()) + 1
    entities = " declaring entities (XXE / entity expansion)" if ENTITY.search(data) else ""
    raise SourceError(
        f"DOCTYPE{entities} refused: XCRI-CAP feeds need none and skillsgap never resolves one",
        file=file_name,
        row=line,
        expected="an XML document without a DOCTYPE",
        got=Found("<!DOCTYPE ...>"),
    )


def decode(file_name: str, data: bytes, issues: list[TextIssue]) -> str:
    """The bytes as text: UTF-8, with any byte that is not UTF-8 read as Windows-1252 (reported)."""
    pieces: list[str] = []
    position = 0
    while True:
        try:
            pieces.append(data[position:].decode("utf-8"))
            break
        except UnicodeDecodeError as error:
            start, end = position + error.start, position + error.end
            pieces.append(data[position:start].decode("utf-8"))
            chunk = data[start:end]
            loaded = chunk.decode("cp1252", errors="replace")
            pieces.append(loaded)
            line = data.count(b"\n", 0, start) + 1
            column = start - (data.rfind(b"\n", 0, start) + 1) + 1
            kind = "not UTF-8, read as Windows-1252"
            issues.append(TextIssue(file_name, line, f"column {column}", kind, repr(chunk), loaded))
            position = end
    return "".join(pieces).removeprefix("\ufeff")


# --- Text -------------------------------------------------------------------------------------


def repair(text: str) -> tuple[str, str | None]:
    """Text with exact mojibake repairs made, and the kind of problem found (None: clean)."""
    repaired = text
    for _ in range(2):  # text mis-decoded twice is repaired in two passes
        repaired = MOJIBAKE.sub(_unmangle, repaired)
    if UNREPAIRABLE.search(repaired):
        return repaired, "unrepairable"
    return repaired, None if repaired == text else "repaired mojibake"


def _unmangle(match: re.Match[str]) -> str:
    """The UTF-8 character a mojibake run stands for; the run itself if it is not one."""
    run = match.group()
    try:
        raw = bytes(ord(ch) if ord(ch) < 256 else ch.encode("cp1252")[0] for ch in run)
        return raw.decode("utf-8")
    except (UnicodeEncodeError, UnicodeDecodeError):
        return run


def plain_text(element: etree._Element) -> str:
    """An element's text, XHTML paragraphs and list items on lines of their own."""
    parts: list[str] = []
    _collect(element, parts)
    lines = (" ".join(line.split()) for line in "".join(parts).split("\n"))
    return "\n".join(line for line in lines if line)


def _collect(element: etree._Element, parts: list[str]) -> None:
    block = etree.QName(element).localname in XHTML_BLOCKS
    if block:
        parts.append("\n")
    parts.append(element.text or "")
    for child in element:
        if isinstance(child.tag, str):
            _collect(child, parts)
        parts.append(child.tail or "")
    if block:
        parts.append("\n")


def local_type(element: etree._Element) -> str:
    """The local name of an element's xsi:type ("lsip:UKPRN" -> "ukprn"), lower-cased."""
    value = element.get(XSI_TYPE) or ""
    return value.rsplit(":", 1)[-1].casefold()


# --- Values -----------------------------------------------------------------------------------


def field_error(
    file: str, element: etree._Element, where: str, expected: str, got: str, message: str
) -> SourceError:
    """A SourceError naming the file, the element's line, its tag and the course it is in."""
    tag = etree.QName(element).localname
    return SourceError(
        f"{message} ({where})",
        file=file,
        row=element.sourceline,
        column=tag,
        expected=expected,
        got=got,
    )


def when(file: str, element: etree._Element, where: str) -> date | None:
    """The date an XCRI date element gives (its dtf attribute, else its text); None for prose."""
    value = (element.get("dtf") or element.text or "").strip()
    found = ISO_DATE.fullmatch(value)
    if found is None:
        if re.match(r"-?\d{4}-", value):
            raise field_error(file, element, where, "a date YYYY-MM-DD", value, "malformed date")
        return None
    try:
        return date(int(found[1]), int(found[2]), int(found[3]))
    except ValueError:
        raise field_error(file, element, where, "a real date", value, "impossible date") from None


def count(file: str, element: etree._Element, where: str) -> int:
    """A count of places: a whole number, zero or more."""
    value = (element.text or "").strip()
    if not re.fullmatch(r"\d+", value):
        expected = "a whole number of places, zero or more"
        raise field_error(file, element, where, expected, value, "not a count of places")
    return int(value)
