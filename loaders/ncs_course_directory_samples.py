"""National Careers Service course directory samples: providers, venues, courses and runs as CTDL.

Both real shapes of the directory are read. The legacy export tables (C_PROVIDERS, C_VENUES,
O_COURSES, O_OPPORTUNITIES, O_OPP_START_DATES; multi-line quoted CSV, rows numbered by the line
they start on) and the Find a Course API's search and course-details responses.

- A provider is ``iris.organisation_iri(UKPRN)`` in both shapes (the legacy tables join
  PROVIDER_ID to UKPRN), so a provider both describe is one node: the first name read is its
  ``ceterms:name``, any other an ``alternateName``.
- A course is ``iris.course_iri(UKPRN, "ncs-" + directory id)``: the legacy numeric COURSE_ID and
  the API's GUID courseId come from two generations of the directory and never name the same
  course, so the two shapes meet through the course's provider and its qualification: a course
  ``ceterms:isPreparationFor`` ``iris.credential_iri("lars-aim", ref)`` (QUAL_REFERENCE,
  learnAimRef), the node LARS and the funded-qualifications list describe. It inherits that
  qualification's occupations; no occupation is derived from course titles here.
- A run (legacy opportunity, API course run) is a ``ceterms:ScheduledOffering`` of its course,
  with start dates (``schema:startDate``; ``sg:startMonth``, an xsd:gYearMonth, where the
  export's DATE_FORMAT says only the month is known), end date, duration profile, cost profile, places
  available, and study mode / attendance mode / pattern / delivery mode as concepts of the
  directory's code lists (``_ncs``).
- Venues are ``ceterms:Place`` s with postcode and postcode district (``sg:postcodeDistrict``).
  There is no postcode lookup in the data, so no venue gets ``sg:inArea`` (0 of 4 legacy venues,
  0 of 4 API venues: they give only a town, which is not an area). Areas are given only where
  the source names one: a provider's DfE local authority number (DFE_LOCAL_AUTHORITY_CODE, 2 of
  4 legacy providers) through ``sg:oldLaCode``, and an opportunity's region (REGION_NAME, "NORTH
  WEST ENGLAND" read as the region North West; 2 runs). A run whose VENUE_ID the export does not
  list (1: 3048953) is still at that venue, a place with no name: the shapes warn.
"""

from __future__ import annotations

import html
import re
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import cache
from pathlib import Path

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.errors import SourceError
from skillsgap.loaders import Source, _areas, _ctdl, _ncs, dfe_geography_lookups, dfe_lars
from skillsgap.loaders._ctdl import CETERMS, RDF, SCHEMA, SG, Framework, Link
from skillsgap.loaders._ncs import Json
from skillsgap.loaders._tables import Row, read_csv
from skillsgap.namespaces import XSD

SOURCE_NAME = "National Careers Service course directory (get-help-to-retrain fixtures)"
PROVIDERS, VENUES, COURSES = "C_PROVIDERS.csv", "C_VENUES.csv", "O_COURSES.csv"
OPPORTUNITIES, START_DATES = "O_OPPORTUNITIES.csv", "O_OPP_START_DATES.csv"
SEARCH, DETAILS = "find_a_course_search_response.json", "find_a_course_details_response.json"
UKPRN, UKPRN_FORM = r"1\d{7}", "an 8-digit UKPRN starting with 1"
GUID = r"[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}"
LDCS = Framework("lars-ldcs", _ctdl.code_list_iri("lars-ldcs"), "LearnDirect classification (LDCS)")
LEVEL_X = "X"  # LARS "not applicable": no level link


@dataclass
class Directory:
    """What the files read so far have defined, for the files that refer to it."""

    folder: Path
    providers: dict[str, str] = field(default_factory=dict)  # PROVIDER_ID -> UKPRN
    names: dict[str, str] = field(default_factory=dict)  # UKPRN -> its ceterms:name
    venues: set[str] = field(default_factory=set)
    courses: dict[str, tuple[NamedNode, str]] = field(default_factory=dict)  # id -> node, UKPRN
    runs: dict[str, tuple[NamedNode, date | None]] = field(default_factory=dict)  # id -> node, end
    aims: set[str] = field(default_factory=set)

    def organisation(self, ukprn: str, name: str, **details: object) -> Iterator[Triple]:
        """A provider the first time it is read; later only a name it was not given before."""
        node = iris.organisation_iri(ukprn)
        if ukprn not in self.names:
            self.names[ukprn] = name
            yield from _ctdl.organisation(node, name, ukprn, **details)  # type: ignore[arg-type]
        elif name.casefold() != self.names[ukprn].casefold():
            yield Triple(node, CETERMS.alternateName, _ctdl.en(name))

    def aim(self, ref: str) -> Iterator[Triple]:
        """The qualification a course prepares for, named as LARS names it (once)."""
        node = iris.credential_iri("lars-aim", ref)
        if ref not in self.aims:
            self.aims.add(ref)
            yield Triple(node, RDF.type, SG.LearningAim)
            yield from _ctdl.identifier(node, "lars-aim", ref)


def read(folder: Path) -> Iterator[Triple]:
    """The code lists, the legacy tables, then the two API responses."""
    directory = Directory(folder)
    for code_list in _ncs.CODE_LISTS:
        yield from code_list.triples(SOURCE_NAME)
    yield from providers(folder / PROVIDERS, directory)
    yield from venues(folder / VENUES, directory)
    yield from courses(folder / COURSES, directory)
    yield from opportunities(folder / OPPORTUNITIES, directory)
    yield from start_dates(folder / START_DATES, directory)
    yield from search_results(folder / SEARCH, directory)
    yield from course_details(folder / DETAILS, directory)


# --- Cells of the legacy tables ----------------------------------------------------------------


def table_rows(path: Path, columns: list[str]) -> Iterator[Row]:
    """A legacy table's rows, numbered by the line each starts on; short rows are errors."""
    table = read_csv(path, columns, number_by_line=True)
    for row in table.rows():
        if len(row.cells) < len(table.header):
            expected = f"{len(table.header)} cells, as the header has"
            raise row.error(None, expected, f"{len(row.cells)} cells", "line cut short")
        yield row


def new_id(row: Row, column: str, seen: set[str] | dict) -> str:
    """A numeric directory id not used by an earlier row."""
    value = row.require(column, r"\d+", "a number")
    if value in seen:
        raise row.error(column, "an id not used before in the file", value, "duplicate id")
    return value


def known(row: Row, column: str, ids: set[str] | dict, file: str) -> str:
    """A numeric id that an earlier file defines."""
    value = row.require(column, r"\d+", "a number")
    if value not in ids:
        raise row.error(column, f"an id listed in {file}", value, "unknown id")
    return value


def web_address(row: Row, column: str) -> str | None:
    """A web address; a bare "www." one gets "http://" (the directory shows it as a link)."""
    text = row.get(column)
    text = "http://" + text if text.lower().startswith("www.") else text
    if text and not re.fullmatch(r"https?://[^\s\"<>]+", text):
        raise row.error(column, "a web address (http://…)", row.get(column))
    return text or None


def email(row: Row, column: str) -> str | None:
    text = row.get(column)
    if text and not re.fullmatch(r"[^@\s]+@[^@\s]+\.[^@\s]+", text):
        raise row.error(column, "an email address", text)
    return text or None


def postcode(row: Row, column: str = "POSTCODE") -> str | None:
    text = row.get(column).upper()
    if text and not _ncs.POSTCODE.fullmatch(text):
        raise row.error(column, "a UK postcode such as SW9 9UH", row.get(column))
    return text or None


def street(*parts: str) -> str:
    return ", ".join(part for part in parts if part)


def number(row: Row, column: str, expected: str = "a number, 0 or more") -> Decimal | None:
    text = row.get(column)
    value = _ncs.decimal_or_none(text)
    if text and value is None:
        raise row.error(column, expected, text, "not a number")
    return value


def legacy_date(row: Row, column: str) -> date | None:
    """An export date: "20190901 00:00:00" or "31-Aug-21" (DD-Mon-RR); None when empty."""
    text = row.get(column)
    if not text:
        return None
    full = re.fullmatch(r"(\d{4})(\d\d)(\d\d)( \d\d:\d\d:\d\d)?", text)
    short = re.fullmatch(r"(\d\d)-([A-Z][a-z]{2})-(\d\d)", text)
    try:
        if full:
            return date(int(full[1]), int(full[2]), int(full[3]))
        if short and short[2] in _ncs.MONTHS:
            return date(2000 + int(short[3]), _ncs.MONTHS[short[2]], int(short[1]))
    except ValueError:
        pass  # well-formed but impossible, such as 31-Feb-21
    raise row.error(column, "a date such as 20190901 00:00:00 or 31-Aug-21", text)


def coded(row: Row, column: str, code_list: _ncs.CodeList) -> NamedNode | None:
    """The concept of ``code_list`` the cell names; None when empty."""
    code = row.get(column)
    if not code:
        return None
    if code_list.label_of(code) is None:
        expected = "one of " + ", ".join(code_list.codes)
        raise row.error(column, expected, code, "unknown code")
    return _ctdl.code_iri(code_list.name, code)


# --- Areas the legacy tables name --------------------------------------------------------------


@cache
def la_numbers(data_dir: Path) -> dict[str, NamedNode]:
    """DfE's local authority numbers (813) to their areas, from dfe-geography-lookups."""
    folder = data_dir / dfe_geography_lookups.SOURCE.slug
    if not folder.is_dir():
        raise SourceError(
            "local authority numbers are resolved with dfe-geography-lookups, which is missing",
            file=str(folder),
            expected="the dfe-geography-lookups folder beside this source's folder",
            got="no such folder",
        )
    triples = dfe_geography_lookups.SOURCE.read(folder)
    return {t.object.value: t.subject for t in triples if t.predicate == SG.oldLaCode}  # type: ignore[misc]


def geography_dir(folder: Path) -> Path:
    """The folder holding the geography sources beside ``folder`` (through a link, its target's:
    so copies of this source beside linked geography share one index)."""
    return (folder.parent / dfe_geography_lookups.SOURCE.slug).resolve().parent


def local_authority(row: Row, folder: Path) -> NamedNode | None:
    """The area of the provider's DfE local authority number, if it gives one."""
    code = row.get("DFE_LOCAL_AUTHORITY_CODE")
    if not code:
        return None
    area = la_numbers(geography_dir(folder)).get(code)
    if area is None:
        expected = "a DfE local authority number listed in dfe-geography-lookups"
        raise row.error("DFE_LOCAL_AUTHORITY_CODE", expected, code, "unknown code")
    return area


def region(name: str, folder: Path) -> NamedNode | None:
    """The region an export's REGION_NAME ("NORTH WEST ENGLAND") names, if exactly one."""
    index = _areas.area_index(geography_dir(folder))
    for candidate in (name, re.sub(r"\s+england$", "", name, flags=re.IGNORECASE)):
        found = index.candidates(candidate, ("region",))
        if len(found) == 1:
            return next(iter(found))
    return None


# --- Legacy tables ------------------------------------------------------------------------------


def providers(path: Path, directory: Directory) -> Iterator[Triple]:
    """Providers by UKPRN, with their address (in their DfE local authority, where given)."""
    names = ["PROV_TRADING_NAME", "PROV_LEGAL_NAME", "PROV_ALIAS"]
    where = ["ADDRESS_1", "ADDRESS_2", "TOWN", "POSTCODE", "DFE_LOCAL_AUTHORITY_CODE"]
    for row in table_rows(path, ["PROVIDER_ID", "PROVIDER_NAME", "UKPRN", *names, *where]):
        provider_id = new_id(row, "PROVIDER_ID", directory.providers)
        ukprn = directory.providers[provider_id] = row.require("UKPRN", UKPRN, UKPRN_FORM)
        address = iris.place_iri(f"ukprn-{ukprn}", "address")
        yield from directory.organisation(
            ukprn,
            row.require("PROVIDER_NAME", expected="a name"),
            alternate_names=[row.get(column) for column in names],
            webpage=web_address(row, "WEBSITE"),
            email=email(row, "EMAIL"),
            address=address,
        )
        where_ = street(row.get("ADDRESS_1"), row.get("ADDRESS_2"))
        area = local_authority(row, directory.folder)
        yield from place(address, None, where_, row.get("TOWN"), postcode(row), area)


def place(
    node: NamedNode,
    name: str | None,
    where: str,
    town: str,
    code: str | None,
    area: NamedNode | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Iterator[Triple]:
    """A ceterms:Place, with the postcode district of its postcode."""
    yield from _ctdl.place(node, name, where, town, code, area, latitude, longitude)
    if code:
        yield Triple(
            node, SG.postcodeDistrict, Literal(code.split()[0] if " " in code else code[:-3])
        )


def venues(path: Path, directory: Directory) -> Iterator[Triple]:
    """Venues by the directory's VENUE_ID."""
    columns = ["PROVIDER_ID", "VENUE_ID", "VENUE_NAME", "ADDRESS_1", "ADDRESS_2", "TOWN"]
    for row in table_rows(path, [*columns, "POSTCODE"]):
        venue = new_id(row, "VENUE_ID", directory.venues)
        directory.venues.add(venue)
        known(row, "PROVIDER_ID", directory.providers, PROVIDERS)
        where = street(row.get("ADDRESS_1"), row.get("ADDRESS_2"))
        name = row.require("VENUE_NAME", expected="a name")
        yield from place(venue_iri(venue), name, where, row.get("TOWN"), postcode(row))


def venue_iri(venue_id: str) -> NamedNode:
    return iris.place_iri("ncs-venue", venue_id)


def courses(path: Path, directory: Directory) -> Iterator[Triple]:
    """Courses of the legacy directory, each preparing for its qualification where it names one."""
    columns = ["COURSE_ID", "PROVIDER_ID", "PROVIDER_COURSE_TITLE", "COURSE_SUMMARY"]
    columns += ["PROVIDER_COURSE_ID", "COURSE_URL", "QUAL_REFERENCE", "LDCS1", "LDCS5"]
    for row in table_rows(path, columns):
        course_id = new_id(row, "COURSE_ID", directory.courses)
        ukprn = directory.providers[known(row, "PROVIDER_ID", directory.providers, PROVIDERS)]
        node = iris.course_iri(ukprn, f"ncs-{course_id}")
        directory.courses[course_id] = (node, ukprn)
        ref = row.get("QUAL_REFERENCE").replace("/", "")
        if ref and not re.fullmatch(_ncs.LEARNING_AIM, ref):
            expected = "a LARS learning aim reference or QAN (8 characters)"
            raise row.error("QUAL_REFERENCE", expected, row.get("QUAL_REFERENCE"))
        yield from _ctdl.learning_opportunity(
            node,
            row.require("PROVIDER_COURSE_TITLE", expected="a title"),
            description=row.get("COURSE_SUMMARY") or None,
            webpage=web_address(row, "COURSE_URL"),
            offered_by=[iris.organisation_iri(ukprn)],
            prepares_for=[iris.credential_iri("lars-aim", ref)] if ref else [],
            code=row.get("PROVIDER_COURSE_ID") or None,
        )
        yield from directory.aim(ref) if ref else iter(())
        for column in (f"LDCS{i}" for i in range(1, 6)):
            yield from ldcs_subject(row, column, node)


def ldcs_subject(row: Row, column: str, course: NamedNode) -> Iterator[Triple]:
    """A course's LearnDirect subject code as a stated ceterms:subject alignment."""
    code = row.get(column)
    if not code:
        return
    if not re.fullmatch(r"[A-Z]{2}\.\d*|[A-Z]", code):
        raise row.error(column, "an LDCS code such as FN.22", code)
    target = _ctdl.code_iri(LDCS.key, code)
    yield from _ctdl.alignment(course, CETERMS.subject, LDCS, code, Link.stated(COURSES), target)


def opportunities(path: Path, directory: Directory) -> Iterator[Triple]:
    """Course runs: where, how long, what they cost, how they are attended."""
    columns = ["OPPORTUNITY_ID", "COURSE_ID", "VENUE_ID", "REGION_NAME", "PRICE"]
    columns += ["PRICE_DESCRIPTION", "DURATION_VALUE", "DURATION_UNITS", "DURATION_DESCRIPTION"]
    columns += ["END_DATE", "STUDY_MODE", "ATTENDANCE_MODE", "ATTENDANCE_PATTERN"]
    for row in table_rows(path, [*columns, "PLACES_AVAILABLE", "OPPORTUNITY_SUMMARY"]):
        run_id = new_id(row, "OPPORTUNITY_ID", directory.runs)
        course, ukprn = directory.courses[known(row, "COURSE_ID", directory.courses, COURSES)]
        node = iris.part_iri(course, "offering", run_id)
        end = legacy_date(row, "END_DATE")
        directory.runs[run_id] = (node, end)
        places, place_triples = run_place(row, directory)
        yield from place_triples
        yield from _ctdl.offering(
            node,
            course,
            end=end,
            places=places,
            offered_by=[iris.organisation_iri(ukprn)],
            description=row.get("OPPORTUNITY_SUMMARY") or None,
        )
        yield from places_available(row, node)
        yield from legacy_duration(row, node)
        yield from _ncs.cost(node, number(row, "PRICE"), row.get("PRICE_DESCRIPTION"))
        modes = (
            ("STUDY_MODE", SG.studyMode, _ncs.LEGACY_STUDY_MODE),
            ("ATTENDANCE_MODE", SG.attendanceMode, _ncs.LEGACY_ATTENDANCE_MODE),
            ("ATTENDANCE_PATTERN", SG.attendancePattern, _ncs.LEGACY_ATTENDANCE_PATTERN),
        )
        for column, predicate, code_list in modes:
            concept = coded(row, column, code_list)
            if concept is not None:
                yield Triple(node, predicate, concept)


def run_place(row: Row, directory: Directory) -> tuple[list[NamedNode], list[Triple]]:
    """The run's venue, else the region it is offered in (a place in that region's area)."""
    venue = row.get("VENUE_ID")
    if venue:
        node = venue_iri(row.require("VENUE_ID", r"\d+", "a number"))
        # A venue the export does not list is still where the run is: a place with no name.
        return [node], [] if venue in directory.venues else [Triple(node, RDF.type, _ctdl.PLACE)]
    name = row.get("REGION_NAME")
    if not name:
        return [], []
    node = iris.place_iri("ncs-region", _areas.fold(name))
    return [node], list(_ctdl.place(node, name, area=region(name, directory.folder)))


def places_available(row: Row, node: NamedNode) -> Iterator[Triple]:
    """The places left on a run (schema:remainingAttendeeCapacity), where given."""
    text = row.get("PLACES_AVAILABLE")
    if text and not text.isdigit():
        raise row.error("PLACES_AVAILABLE", "a whole number, 0 or more", text, "not a number")
    if text:
        count = Literal(str(int(text)), datatype=XSD.integer)
        yield Triple(node, SCHEMA.remainingAttendeeCapacity, count)


def legacy_duration(row: Row, node: NamedNode) -> Iterator[Triple]:
    """DURATION_VALUE in DURATION_UNITS (DU1-DU7), and the provider's words."""
    value = number(row, "DURATION_VALUE", "a number of units")
    unit = row.get("DURATION_UNITS")
    if unit and unit not in _ncs.DURATION_UNITS or (value is not None and not unit):
        expected = "one of " + ", ".join(u for u in _ncs.DURATION_UNITS if u.startswith("DU"))
        raise row.error("DURATION_UNITS", expected, unit, "unknown code")
    yield from _ncs.duration(node, value, unit, row.get("DURATION_DESCRIPTION"))


def start_dates(path: Path, directory: Directory) -> Iterator[Triple]:
    """Each run's start dates; a month-only start (DATE_FORMAT Mon-RRRR) as sg:startMonth."""
    for row in table_rows(
        path, ["OPPORTUNITY_ID", "START_DATE", "PLACES_AVAILABLE", "DATE_FORMAT"]
    ):
        node, end = directory.runs[known(row, "OPPORTUNITY_ID", directory.runs, OPPORTUNITIES)]
        start = legacy_date(row, "START_DATE")
        if start is None:
            raise row.error("START_DATE", "a date such as 20190901 00:00:00", "")
        if end is not None and start > end:
            raise row.error("START_DATE", f"a date on or before the run's end, {end}", str(start))
        precision = row.get("DATE_FORMAT")
        if precision and not precision.startswith(("DD-", "Mon-")):
            raise row.error("DATE_FORMAT", "DD-Mon-RR or Mon-RRRR", precision, "unknown format")
        if precision.startswith("Mon-"):
            yield Triple(node, SG.startMonth, _ncs.month(start.year, start.month))
        else:
            yield Triple(node, SCHEMA.startDate, _ctdl.day(start))
        yield from places_available(row, node)


# --- Find a Course API ---------------------------------------------------------------------------


def api_code(item: Json, key: str, code_list: _ncs.CodeList, label_key: str = "") -> NamedNode:
    """An API code ("2") or enum name ("FullTime") as a concept; its label checked if given."""
    value = item.text(key, expected=f"a code of {code_list.label}")
    code = _ncs.API_NAMES[code_list.name].get(value, value)
    label = code_list.label_of(code)
    if label is None:
        expected = "one of " + ", ".join([*code_list.codes, *_ncs.API_NAMES[code_list.name]])
        raise item.child(key).error(expected, value, "unknown code")
    if label_key and _areas.fold(item.text(label_key)) != _areas.fold(label):
        raise item.child(label_key).error(f"{label!r} (code {code})", item.text(label_key))
    return _ctdl.code_iri(code_list.name, code)


def api_course(
    item: Json, ukprn: str, name: str, description: str, directory: Directory, webpage: str = ""
) -> Iterator[Triple]:
    """A course of the API, preparing for its learning aim, at its LARS level."""
    course = iris.course_iri(ukprn, "ncs-" + item.text("courseId", GUID, "a GUID"))
    ref = item.text("learnAimRef", _ncs.LEARNING_AIM, "an 8-character LARS learning aim reference")
    text = html.unescape(description).replace("\r\n", "\n").strip() or None
    yield from _ctdl.learning_opportunity(
        course,
        name,
        description=text,
        webpage=webpage or None,
        offered_by=[iris.organisation_iri(ukprn)],
        prepares_for=[iris.credential_iri("lars-aim", ref)],
    )
    yield from directory.aim(ref)
    level = item.text("qualificationLevel", r"[1-8]|[EHMX]", "a LARS notional NVQ level")
    if level != LEVEL_X:
        target = _ctdl.code_iri(dfe_lars.LEVELS.key, level)
        link = Link.stated(item.file)
        yield from _ctdl.alignment(course, CETERMS.atLevel, dfe_lars.LEVELS, level, link, target)


def api_run(item: Json, course: NamedNode, ukprn: str, venue: NamedNode) -> Iterator[Triple]:
    """A course run of the API: start, duration, cost, at its venue."""
    run = iris.part_iri(course, "run", item.text("courseRunId", GUID, "a GUID"))
    start = item.day("startDate")
    organisation = iris.organisation_iri(ukprn)
    yield from _ctdl.offering(run, course, start=start, places=[venue], offered_by=[organisation])
    flexible = item.flag("flexibleStartDate")
    if flexible is not None:
        yield Triple(run, SG.flexibleStartDate, _ctdl.boolean(flexible))
    unit = item.text("durationUnit", "|".join(u for u in _ncs.DURATION_UNITS if u[0] != "D"))
    yield from _ncs.duration(run, item.number("durationValue"), unit, "")
    yield from _ncs.cost(run, item.number("cost"), item.optional_text("costDescription"))


def search_results(path: Path, directory: Directory) -> Iterator[Triple]:
    """The search response's results: provider, course, run and venue of each."""
    for result in _ncs.read_json(path).items("results"):
        ukprn = result.text("ukprn", UKPRN, UKPRN_FORM)
        yield from directory.organisation(ukprn, result.text("providerName"))
        yield from api_course(
            result,
            ukprn,
            result.text("courseName"),
            result.optional_text("courseDescription"),
            directory,
        )
        course = iris.course_iri(ukprn, "ncs-" + result.text("courseId"))
        name = result.text("venueName")
        venue = iris.place_iri(f"ukprn-{ukprn}", "venue-" + _areas.fold(name))
        address = result.text("venueAddress")
        location = result.child("venueLocation")
        latitude, longitude = location.number("latitude", True), location.number("longitude", True)
        town = result.optional_text("venueTown")
        code = _ncs.postcode_in(address)
        yield from place(venue, name, address, town, code, None, latitude, longitude)
        yield from api_run(result, course, ukprn, venue)
        run = iris.part_iri(course, "run", result.text("courseRunId"))
        modes = (
            ("venueStudyMode", SG.studyMode, _ncs.API_STUDY_MODE),
            ("venueAttendancePattern", SG.attendancePattern, _ncs.API_ATTENDANCE_PATTERN),
            ("deliveryMode", SG.deliveryMode, _ncs.API_DELIVERY_MODE),
        )
        for key, predicate, code_list in modes:
            label_key = "deliveryModeDescription" if key == "deliveryMode" else key + "Description"
            yield Triple(run, predicate, api_code(result, key, code_list, label_key))


def course_details(path: Path, directory: Directory) -> Iterator[Triple]:
    """The course-details response: provider, course, qualification, venue and the run."""
    doc = _ncs.read_json(path)
    provider, course_part = doc.child("provider"), doc.child("course")
    ukprn = provider.text("ukprn", UKPRN, UKPRN_FORM)
    address = iris.place_iri(f"ukprn-{ukprn}", "address")
    others = [provider.optional_text(k) for k in ("tradingName", "alias", "courseDirectoryName")]
    website = provider.optional_text("website")
    yield from directory.organisation(
        ukprn,
        provider.text("providerName"),
        alternate_names=others,
        webpage=website or None,
        email=provider.optional_text("email") or None,
        address=address,
    )
    yield from json_place(provider, address, None)
    ref = course_part.text("learnAimRef")
    qualification = doc.child("qualification")
    if qualification.text("learnAimRef") != ref:
        raise qualification.child("learnAimRef").error(f"the course's learnAimRef {ref!r}", None)
    description = course_part.optional_text("courseDescription")
    webpage = doc.optional_text("courseURL")
    yield from api_course(
        course_part, ukprn, doc.text("courseName"), description, directory, webpage
    )
    course = iris.course_iri(ukprn, "ncs-" + course_part.text("courseId"))
    venue_part = doc.child("venue")
    venue = iris.place_iri(f"ukprn-{ukprn}", "venue-" + _areas.fold(venue_part.text("venueName")))
    yield from json_place(venue_part, venue, venue_part.text("venueName"))
    for item in (doc, *doc.items("alternativeCourseRuns")):
        yield from api_run(item, course, ukprn, venue)
        run = iris.part_iri(course, "run", item.text("courseRunId"))
        yield Triple(run, SG.studyMode, api_code(item, "studyMode", _ncs.API_STUDY_MODE))
        pattern = api_code(item, "attendancePattern", _ncs.API_ATTENDANCE_PATTERN)
        yield Triple(run, SG.attendancePattern, pattern)
        yield Triple(run, SG.deliveryMode, api_code(item, "deliveryMode", _ncs.API_DELIVERY_MODE))


def json_place(part: Json, node: NamedNode, name: str | None) -> Iterator[Triple]:
    """An address object of the details response (addressLine1/2, town, postcode, lat/long)."""
    code = part.optional_text("postcode").upper() or None
    if code and not _ncs.POSTCODE.fullmatch(code):
        raise part.child("postcode").error("a UK postcode such as NE12 8ER", code)
    where = street(part.optional_text("addressLine1"), part.optional_text("addressLine2"))
    has = isinstance(part.value, dict) and "latitude" in part.value
    latitude = part.number("latitude", True) if has else None
    longitude = part.number("longitude", True) if has else None
    town = part.optional_text("town")
    yield from place(node, name, where, town, code, None, latitude, longitude)


SOURCE = Source(
    slug="ncs-course-directory-samples",
    title="National Careers Service course directory: legacy export tables and Find a Course API",
    holds="4 providers, 4 venues, 4 courses and 5 runs of the legacy export, and 4 courses and "
    "runs of the Find a Course API (search and details), as CTDL",
    files=(PROVIDERS, VENUES, COURSES, OPPORTUNITIES, START_DATES, SEARCH, DETAILS),
    read=read,
    # Provider and region areas are resolved with, and checked against, the geography sources;
    # LDCS subjects point at dfe-lars's code lists (whose own links need ons-soc2020 beside them).
    depends_on=("dfe-geography-lookups", "dfe-lsip-lookups", "ons-soc2020", "dfe-lars"),
)
