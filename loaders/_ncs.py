"""National Careers Service course directory: its code lists, dates, durations and JSON access.

Two generations of the directory code the same things differently. The legacy export (2010-2020,
``O_OPPORTUNITIES.csv``) writes study mode SM1-SM5, attendance mode AM1-AM9, attendance pattern
AP1-AP7 and duration unit DU1-DU7; the Find a Course API (2019-) writes study mode, attendance
pattern and delivery mode as numbers 1-4 (search) or enum names (details), and duration units
by name. Each list is a SKOS scheme of its own; a legacy code that means what an API code means
is ``skos:exactMatch`` to it, so runs from both shapes can be counted together.

Where the labels come from: SM and AM from get-help-to-retrain's importer of these very files
(``Csv::Persistor::Course#study_mode``/``#delivery_mode``); AP and DU from the old directory's
bulk-upload code lists (labels as in dfc-providerportal's bulk-upload messages). SM1, SM3, SM4,
DU3, DU4 and DU7 are confirmed by the export's own OPPORTUNITY_SUMMARY text ("12 Week(s) |
Flexible"). The API lists are dfc-coursedirectory's enums (CourseStudyMode, CourseAttendancePattern,
CourseDeliveryMode); their labels are the API's own ``…Description`` fields.
"""

from __future__ import annotations

import json
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap.errors import Found, SourceError
from skillsgap.loaders import _ctdl
from skillsgap.loaders._ctdl import SG, SKOS
from skillsgap.namespaces import XSD


@dataclass(frozen=True)
class CodeList:
    """One directory code list: its scheme name, label, codes and the API codes they match."""

    name: str
    label: str
    codes: dict[str, str]
    matches: dict[str, str] = field(default_factory=dict)  # legacy code -> API code
    match_list: str = ""

    def label_of(self, code: str) -> str | None:
        return self.codes.get(code)

    def triples(self, source: str) -> Iterator[Triple]:
        """The scheme and its codes (legacy codes exactMatch their API equivalent)."""
        yield from _ctdl.code_list(self.name, self.label, source)
        for code, label in self.codes.items():
            yield from _ctdl.code(self.name, code, label, (SG.NCSCode,))
            if code in self.matches:
                target = _ctdl.code_iri(self.match_list, self.matches[code])
                yield Triple(_ctdl.code_iri(self.name, code), SKOS.exactMatch, target)


API_STUDY_MODE = CodeList(
    "ncs-study-mode",
    "NCS Find a Course study modes",
    {"1": "Full-time", "2": "Part-time", "3": "Flexible"},
)
API_ATTENDANCE_PATTERN = CodeList(
    "ncs-attendance-pattern",
    "NCS Find a Course attendance patterns",
    {"1": "Daytime", "2": "Evening", "3": "Weekend", "4": "Day/Block Release"},
)
API_DELIVERY_MODE = CodeList(
    "ncs-delivery-mode",
    "NCS Find a Course delivery modes",
    {"1": "Classroom based", "2": "Online", "3": "Work based"},
)
LEGACY_STUDY_MODE = CodeList(
    "ncs-legacy-study-mode",
    "NCS course directory (legacy) study modes",
    {
        "SM1": "Full time",
        "SM2": "Part time",
        "SM3": "Part of a full-time program",
        "SM4": "Flexible",
        "SM5": "Not known",
    },
    {"SM1": "1", "SM2": "2", "SM4": "3"},
    API_STUDY_MODE.name,
)
LEGACY_ATTENDANCE_MODE = CodeList(
    "ncs-legacy-attendance-mode",
    "NCS course directory (legacy) attendance modes",
    {
        "AM1": "Location / campus",
        "AM2": "Face-to-face (non-campus)",
        "AM3": "Work-based",
        "AM4": "Mixed Mode",
        "AM5": "Distance with attendance",
        "AM6": "Distance without attendance",
        "AM7": "Online without attendance",
        "AM8": "Online with attendance",
        "AM9": "Not known",
    },
    {"AM1": "1", "AM3": "3", "AM7": "2"},
    API_DELIVERY_MODE.name,
)
LEGACY_ATTENDANCE_PATTERN = CodeList(
    "ncs-legacy-attendance-pattern",
    "NCS course directory (legacy) attendance patterns",
    {
        "AP1": "Daytime/working hours",
        "AP2": "Day/Block release",
        "AP3": "Evening",
        "AP4": "Twilight",
        "AP5": "Weekend",
        "AP6": "Customised",
        "AP7": "Not known",
    },
    {"AP1": "1", "AP2": "4", "AP3": "2", "AP5": "3"},
    API_ATTENDANCE_PATTERN.name,
)
CODE_LISTS = (
    API_STUDY_MODE,
    API_ATTENDANCE_PATTERN,
    API_DELIVERY_MODE,
    LEGACY_STUDY_MODE,
    LEGACY_ATTENDANCE_MODE,
    LEGACY_ATTENDANCE_PATTERN,
)
# API enum names (details response) -> the numeric codes the search response uses.
API_NAMES = {
    API_STUDY_MODE.name: {"FullTime": "1", "PartTime": "2", "Flexible": "3"},
    API_ATTENDANCE_PATTERN.name: {
        "Daytime": "1",
        "Evening": "2",
        "Weekend": "3",
        "DayOrBlockRelease": "4",
    },
    API_DELIVERY_MODE.name: {"ClassroomBased": "1", "Online": "2", "WorkBased": "3"},
}

# Duration units: legacy code or API name -> (label, ISO 8601 designator or None for terms).
DURATION_UNITS = {
    "DU1": ("hour(s)", "TH"),
    "DU2": ("day(s)", "D"),
    "DU3": ("week(s)", "W"),
    "DU4": ("month(s)", "M"),
    "DU5": ("term(s)", None),
    "DU6": ("semester(s)", None),
    "DU7": ("year(s)", "Y"),
    "Minutes": ("minute(s)", "TM"),
    "Hours": ("hour(s)", "TH"),
    "Days": ("day(s)", "D"),
    "Weeks": ("week(s)", "W"),
    "Months": ("month(s)", "M"),
    "Years": ("year(s)", "Y"),
}
MONTH_NAMES = ("Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec")
MONTHS = {name: number for number, name in enumerate(MONTH_NAMES, 1)}
POSTCODE = re.compile(r"[A-Z]{1,2}\d[A-Z\d]? ?\d[A-Z]{2}", re.IGNORECASE)
LEARNING_AIM = r"[A-Z0-9]{8}"


# --- Values ------------------------------------------------------------------------------------


def iso_duration(value: Decimal, unit: str) -> Literal | None:
    """``value`` ``unit`` as xsd:duration (P12W, PT10H); None for terms and semesters."""
    designator = DURATION_UNITS[unit][1]
    if designator is None:
        return None
    if designator == "W":  # xsd:duration has no weeks (ISO 8601's PnW): 12 weeks is P84D
        value, designator = value * 7, "D"
    number = format(value.normalize(), "f")
    text = f"PT{number}{designator[1]}" if designator.startswith("T") else f"P{number}{designator}"
    return Literal(text, datatype=XSD.duration)


def duration(owner: NamedNode, value: Decimal | None, unit: str, text: str) -> Iterator[Triple]:
    """``owner``'s ceterms:DurationProfile: exact where the unit allows, else described."""
    if value is None and not text:
        return
    node = _ctdl.iris.part_iri(owner, "duration")
    exact = iso_duration(value, unit) if value is not None else None
    if value is not None and exact is None and not text:
        text = f"{format(value.normalize(), 'f')} {DURATION_UNITS[unit][0]}"
    yield Triple(owner, _ctdl.CETERMS.estimatedDuration, node)
    yield Triple(node, _ctdl.RDF.type, _ctdl.CETERMS.DurationProfile)
    if exact is not None:
        yield Triple(node, _ctdl.CETERMS.exactDuration, exact)
    if text:
        yield Triple(node, _ctdl.CETERMS.description, _ctdl.en(text))


def cost(owner: NamedNode, price: Decimal | None, description: str) -> Iterator[Triple]:
    """``owner``'s cost: a price (0 is free) and/or the provider's words on funding."""
    if price is not None:
        yield from _ctdl.cost(owner, "price", price, description=description)
    elif description:
        node = _ctdl.iris.part_iri(owner, "cost", "price")
        yield Triple(owner, _ctdl.CETERMS.estimatedCost, node)
        yield Triple(node, _ctdl.RDF.type, _ctdl.CETERMS.CostProfile)
        yield Triple(node, _ctdl.CETERMS.description, _ctdl.en(description))


def month(year: int, number: int) -> Literal:
    """A start known only to the month, as xsd:gYearMonth."""
    return Literal(f"{year:04d}-{number:02d}", datatype=XSD.gYearMonth)


def decimal_or_none(text: str) -> Decimal | None:
    """A plain decimal number (300.00, 12), or None when ``text`` is not one."""
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        return None
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def postcode_in(address: str) -> str | None:
    """The postcode ending a one-line address ("…, LONDON, NW10 8DY"), upper case."""
    last = address.rsplit(",", 1)[-1].strip()
    return last.upper() if POSTCODE.fullmatch(last) else None


# --- JSON --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Json:
    """A value in a JSON document with its path ($.results[0].cost), for errors that point."""

    file: str
    path: str
    value: Any

    def error(self, expected: str, got: Any = None, message: str = "") -> SourceError:
        shown = got if got is not None else Found(_kind(self.value))
        return SourceError(
            message or "not the Find a Course API shape",
            file=self.file,
            column=self.path,
            expected=expected,
            got=shown,
        )

    def child(self, key: str) -> Json:
        if not isinstance(self.value, dict):
            raise self.error("an object")
        if key not in self.value:
            raise Json(self.file, f"{self.path}.{key}", None).error(
                f"a member {key!r}", Found("no such member"), "missing member"
            )
        return Json(self.file, f"{self.path}.{key}", self.value[key])

    def items(self, key: str) -> list[Json]:
        """The array under ``key``, each element with its path."""
        array = self.child(key)
        if not isinstance(array.value, list):
            raise array.error("an array")
        return [Json(self.file, f"{array.path}[{i}]", v) for i, v in enumerate(array.value)]

    def text(self, key: str, pattern: str | None = None, expected: str = "text") -> str:
        """A required non-empty string member, matching ``pattern`` if given."""
        member = self.child(key)
        value = member.value
        if not isinstance(value, str) or not value.strip():
            raise member.error(expected, value if isinstance(value, str) else None)
        if pattern and not re.fullmatch(pattern, value.strip()):
            raise member.error(expected, value, "value of the wrong form")
        return value.strip()

    def optional_text(self, key: str) -> str:
        """A string member that may be null or empty ("" then)."""
        member = self.child(key)
        if member.value is None:
            return ""
        if not isinstance(member.value, str):
            raise member.error("text or null")
        return member.value.strip()

    def number(self, key: str, signed: bool = False) -> Decimal | None:
        """A numeric member (a JSON number, not text; 0 or more unless ``signed``), or None."""
        member = self.child(key)
        value = member.value
        if value is None:
            return None
        if (
            isinstance(value, bool)
            or not isinstance(value, int | float)
            or (value < 0 and not signed)
        ):
            expected = "a number or null" if signed else "a number, 0 or more, or null"
            raise member.error(expected, value, "not a number")
        return Decimal(str(value))

    def flag(self, key: str) -> bool | None:
        member = self.child(key)
        if member.value is not None and not isinstance(member.value, bool):
            raise member.error("true, false or null", member.value)
        return member.value

    def day(self, key: str) -> date | None:
        """An ISO date-time member (2020-01-07T00:00:00Z) as its date; None when null."""
        member = self.child(key)
        if member.value is None:
            return None
        text = member.value if isinstance(member.value, str) else ""
        try:
            return datetime.fromisoformat(text.replace("Z", "+00:00")).date()
        except ValueError:
            raise member.error("an ISO 8601 date-time", member.value, "impossible date") from None


def _kind(value: Any) -> str:
    return {dict: "an object", list: "an array", str: "text", bool: "true/false"}.get(
        type(value), "null" if value is None else "a number"
    )


def read_json(path: Path) -> Json:
    """A JSON document; a SourceError with line and column if it does not parse."""
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise SourceError("file not found", file=str(path)) from None
    except UnicodeDecodeError as exc:
        raise SourceError(
            "text is not valid utf-8", file=path.name, expected="JSON text", got=Found(str(exc))
        ) from None
    try:
        return Json(path.name, "$", json.loads(text))
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON ({exc.msg}, column {exc.colno})",
            file=path.name,
            row=exc.lineno,
            expected="a JSON document",
            got=Found(repr(text[exc.pos : exc.pos + 20]) if text else "an empty file"),
        ) from None
