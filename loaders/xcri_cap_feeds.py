"""XCRI-CAP 1.2 course marketing feeds (with the LSIP profile) as CTDL.

Each ``provider`` is a ``ceterms:CredentialOrganization`` (by UKPRN where the feed gives one,
else by its own ``dc:identifier``), each ``course`` a ``ceterms:Course`` it offers, each
``mlo:qualification`` the credential the course prepares for (a LARS learning aim,
``credential_iri("lars-aim", ref)``, where the LSIP profile gives ``lsip:LAR``; otherwise a
credential of the course's own), each ``presentation`` a ``ceterms:ScheduledOffering`` (dates,
duration, places, places taken, costs, study mode, attendance mode and pattern, language) at a
``ceterms:Place`` (the venue, or the provider's address). Subjects: JACS 3 codes become the
``jacs3`` code list (labels as the feeds give them), LDCS codes and LSIP sector subject areas
align to LARS's own lists (``lars-ldcs``, ``ssa``), RQF levels to LARS's notional NVQ levels
(version 2 follows the RQF); keywords are ``ceterms:keyword``. An LSIP ``careerOutcome`` SOC 2020
code is a stated occupation of the credential (the gate checks it against SOC 2020).

Places get ``sg:inArea`` only where the feed names a local authority district or county (town
or address line, resolved by ``_areas``): there is no postcode lookup in the data. In the bundled
feeds that is the Open University's address (Milton Keynes) and Wychwolf's (West Sussex); the
Adam Smith College venues are in Fife (Scotland), outside the England geography loaded, and keep
their postcode and postcode district only.

Not loaded by default: ``ou-example.xml`` (a 2011 excerpt of the OU feed, superseded by
``ou-conversion.xml``, whose course identifiers differ) and ``PG-Generic-XCRI-CAP-1.2.xml``
(fictional "Poppleton University" reference example); :func:`read_feed` reads either.
Not mapped: credit (``mlo:credit``), application dates and routes, typed descriptions other than
the LSIP career outcome (topics, leads-to, free-text career outcomes), course levels given as
free text, and ``dcterms:educationLevel``. OU's qualification "May lead to a variety of
qualifications" names no qualification and is not a credential.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable, Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

from lxml import etree
from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris
from skillsgap.loaders import Source, _ctdl, _xcri
from skillsgap.loaders._areas import AreaIndex, area_index
from skillsgap.loaders._ctdl import CETERMS, RDF, SG, Framework, Link
from skillsgap.loaders.dfe_lars import LEVELS
from skillsgap.namespaces import XSD

FEEDS = ("ou-conversion.xml", "adam_smith_charset_issue.xml", "wychwolf-moodle.xml")
NS = {
    "x": "http://xcri.org/profiles/1.2/catalog",
    "dc": "http://purl.org/dc/elements/1.1/",
    "dcterms": "http://purl.org/dc/terms/",
    "mlo": "http://purl.org/net/mlo",
    "lsip": "https://www.businessldn.co.uk/schemas/lsip",
}
NOT_A_QUALIFICATION = {"may lead to a variety of qualifications"}
LDCS = Framework(
    "lars-ldcs",
    _ctdl.code_list_iri("lars-ldcs"),
    "LearnDirect classification system (LDCS) subjects",
)
LDCS_TEXT = re.compile(r"LDCS\d?:\s*([A-Z]{1,2}\.\d*)")
JACS = Framework("jacs3", _ctdl.code_list_iri("jacs3"), "JACS 3.0 subjects")
# XCRI-CAP 1.2 vocabularies for presentations: (property, code list, label, {code: label}).
MODES = (
    ("studyMode", "xcri-study-mode", "XCRI-CAP study modes", {
        "FT": "Full time", "PT": "Part time", "FL": "Flexible"}),
    ("attendanceMode", "xcri-attendance-mode", "XCRI-CAP attendance modes", {
        "CM": "Campus", "DA": "Distance with attendance", "DS": "Distance without attendance",
        "NC": "Face-to-face non-campus", "MM": "Mixed mode", "WB": "Work-based"}),
    ("attendancePattern", "xcri-attendance-pattern", "XCRI-CAP attendance patterns", {
        "DT": "Daytime", "EV": "Evening", "WE": "Weekend", "CS": "Customised",
        "BL": "Block delivery"}),
)  # fmt: skip
MODE_SOURCE = "XCRI-CAP 1.2 vocabularies (xcri.org)"


def fold(text: str) -> str:
    """Text folded for matching a vocabulary label: case, hyphens and spacing ignored."""
    return " ".join(re.sub(r"[^a-z0-9]+", " ", text.casefold()).split())


def mode_code(vocabulary: dict[str, str], element: etree._Element, text: str) -> str | None:
    """The XCRI code a study or attendance element gives (identifier, or its label)."""
    code = (element.get("identifier") or "").strip().upper()
    if code in vocabulary:
        return code
    labels = {fold(label): key for key, label in vocabulary.items()}
    return labels.get(fold(text))


class Reader:
    """Reads feeds one by one, gathering what spans them (JACS labels, issues, counts)."""

    def __init__(self, areas: AreaIndex | None) -> None:
        self.areas = areas
        self.jacs: dict[str, dict[str, None]] = {}  # code -> labels, in order seen
        self.issues: list[_xcri.TextIssue] = []
        self.counts: Counter[str] = Counter()
        self.file = ""
        self.seen_places: set[NamedNode] = set()
        self.modes_used: set[str] = set()

    # --- text ---

    def text(self, element: etree._Element | None, where: str) -> str:
        """An element's text, mojibake repaired, problems recorded; "" if absent."""
        if element is None:
            return ""
        found = _xcri.plain_text(element)
        repaired, problem = _xcri.repair(found)
        if problem:
            self.issues.append(
                _xcri.TextIssue(self.file, element.sourceline, where, problem, found, repaired)
            )
        return repaired

    def first(self, element: etree._Element, path: str, where: str) -> str:
        """The text of the first child at ``path``."""
        return self.text(element.find(path, NS), f"{where} {path}")

    # --- the feed ---

    def feed(self, path: Path) -> Iterator[Triple]:
        """Every provider of one feed."""
        self.file = path.name
        root = _xcri.parse(path, self.issues)
        for provider in root.iterfind("x:provider", NS):
            yield from self.provider(provider)

    def provider(self, element: etree._Element) -> Iterator[Triple]:
        """An organisation, its address, and its courses."""
        ukprn = typed_identifier(element, "ukprn")
        key = ukprn or self.first(element, "dc:identifier", "provider")
        if not key:
            raise _xcri.field_error(
                self.file, element, "provider", "a dc:identifier or UKPRN", "none", "no identifier"
            )
        node = iris.organisation_iri(ukprn) if ukprn else iris.organisation_code_iri("xcri", key)
        name = self.first(element, "dc:title", f"provider {key}")
        address = None
        if element.find("mlo:location", NS) is not None:
            address = iris.place_iri(key, "address")
            yield from self.place(address, None, element)
        webpage = web(self.first(element, "mlo:url", f"provider {key}"))
        yield from _ctdl.organisation(node, name, ukprn, webpage=webpage, address=address)
        for position, course in enumerate(element.iterfind("x:course", NS), 1):
            yield from self.course(course, position, key, node, name)

    def course(
        self, element: etree._Element, position: int, scope: str, provider: NamedNode, by: str
    ) -> Iterator[Triple]:
        """A course, its qualification, subjects and presentations."""
        key = course_key(element, position)
        node, where = iris.course_iri(scope, key), f"course {key}"
        self.counts["courses"] += 1
        title = self.first(element, "dc:title", where)
        if not title:
            raise _xcri.field_error(self.file, element, where, "a dc:title", "none", "untitled")
        credentials = list(self.qualification(element, node, where, provider, by))
        prepares = [t.subject for t in credentials[:1]]
        description = self.description(element, where)
        webpage = web(self.first(element, "mlo:url", where))
        internal = typed_identifier(element, "internalid")
        yield from _ctdl.learning_opportunity(
            node, title, _ctdl.COURSE, description, webpage, [provider], prepares, internal
        )
        yield from credentials
        yield from self.subjects(element, node, where)
        yield from self.conditions(element, node, where)
        for number, presentation in enumerate(element.iterfind("x:presentation", NS), 1):
            yield from self.presentation(presentation, number, node, provider, scope, where)

    def description(self, element: etree._Element, where: str) -> str:
        """The course's plain descriptions (dc: or dcterms:), else its abstract."""
        paths = ("dc:description", "dcterms:description")
        parts = [
            self.text(d, f"{where} {p}")
            for p in paths
            for d in element.iterfind(p, NS)
            if not _xcri.local_type(d)
        ]
        return "\n\n".join(p for p in parts if p) or self.first(element, "x:abstract", where)

    def conditions(self, element: etree._Element, node: NamedNode, where: str) -> Iterator[Triple]:
        """Entry requirements (a ceterms:ConditionProfile) and assessment."""
        entry = self.first(element, "mlo:prerequisite", where)
        if entry:
            condition = iris.part_iri(node, "entry-condition")
            yield Triple(node, CETERMS.entryCondition, condition)
            yield Triple(condition, RDF.type, CETERMS.ConditionProfile)
            yield Triple(condition, CETERMS.description, _ctdl.en(entry))
        assessment = self.first(element, "mlo:assessment", where)
        if assessment:
            yield Triple(node, CETERMS.assessmentMethodDescription, _ctdl.en(assessment))

    # --- qualification ---

    def qualification(
        self, course: etree._Element, course_node: NamedNode, where: str, provider: NamedNode,
        by: str,
    ) -> Iterator[Triple]:  # fmt: skip
        """The credential the course prepares for (first triple: its type), if it names one."""
        element = course.find("mlo:qualification", NS)
        if element is None:
            return
        where = f"{where} mlo:qualification"
        lar = typed_identifier(element, "lar")
        title = self.first(element, "dc:title", where)
        if not lar and (not title or title.casefold() in NOT_A_QUALIFICATION):
            self.counts["qualifications not credentials"] += 1
            return
        if lar and not re.fullmatch(r"[0-9A-Z]{8}", lar):
            found = element.find("dc:identifier", NS)
            raise _xcri.field_error(
                self.file, found, where, "a LARS learning aim reference (8 characters)", lar,
                "malformed LARS reference",
            )  # fmt: skip
        node = iris.credential_iri("lars-aim", lar) if lar else iris.part_iri(course_node, "qual")
        yield from _ctdl.credential(
            node, _ctdl.CREDENTIAL, title or f"LARS learning aim {lar}",
            description=self.first(element, "dc:description", where) or None,
            webpage=web(self.first(element, "mlo:url", where)),
            owned_by=list(self.awarding_body(element, where, provider, by)),
        )  # fmt: skip
        if lar:
            yield from _ctdl.identifier(node, "lars-aim", lar)
        yield from self.awarding_body_triples(element, where, by)
        yield from self.level(element, node, where)
        yield from self.career_outcomes(element, node, where)

    def awarding_body(
        self, element: etree._Element, where: str, provider: NamedNode, by: str
    ) -> Iterator[NamedNode]:
        """The organisation awarding the qualification: the provider, or one named by it."""
        name = self.first(element, "x:awardedBy", where)
        if name:
            yield provider if name == by else iris.organisation_code_iri("xcri-awarding", name)

    def awarding_body_triples(
        self, element: etree._Element, where: str, by: str
    ) -> Iterator[Triple]:
        """An awarding body other than the provider, known by its name only."""
        name = self.first(element, "x:awardedBy", where)
        if name and name != by:
            yield from _ctdl.organisation(iris.organisation_code_iri("xcri-awarding", name), name)

    def level(self, element: etree._Element, node: NamedNode, where: str) -> Iterator[Triple]:
        """An LSIP RQF level, aligned to LARS's notional NVQ levels (version 2 = RQF)."""
        for level in element.iterfind("mlo:level", NS):
            if _xcri.local_type(level) != "rqf":
                continue
            value = self.text(level, f"{where} mlo:level")
            if not re.fullmatch(r"[1-8]|E", value):
                raise _xcri.field_error(
                    self.file, level, where, "an RQF level: E or 1 to 8", value, "unknown level"
                )
            target = _ctdl.code_iri(LEVELS.key, value)
            yield from _ctdl.alignment(
                node, CETERMS.atLevel, LEVELS, value, Link.stated(self.file), target
            )

    def career_outcomes(
        self, element: etree._Element, node: NamedNode, where: str
    ) -> Iterator[Triple]:
        """LSIP career outcomes: stated SOC 2020 unit groups of the credential."""
        for outcome in element.iter("{*}careerOutcome"):
            identifier = outcome.find("dc:identifier", NS)
            if identifier is None or _xcri.local_type(identifier) != "soc2020":
                continue
            code = self.text(identifier, f"{where} careerOutcome")
            if not re.fullmatch(r"\d{4}", code):
                raise _xcri.field_error(
                    self.file, identifier, where, "a SOC 2020 unit group (4 digits)", code,
                    "malformed SOC code",
                )  # fmt: skip
            title = self.first(outcome, "dc:description", where) or None
            yield from _ctdl.occupation(node, code, Link.stated(self.file), title)

    # --- subjects ---

    def subjects(self, element: etree._Element, node: NamedNode, where: str) -> Iterator[Triple]:
        """Coded subjects as alignments; other subjects as keywords."""
        for subject in element.iterfind("dc:subject", NS):
            kind, code = _xcri.local_type(subject), (subject.get("identifier") or "").strip()
            label = self.text(subject, f"{where} dc:subject")
            inner = subject.find("dc:identifier", NS)
            if inner is not None:  # LSIP: <dc:subject><dc:identifier xsi:type="lsip:SSA2">
                kind, code = _xcri.local_type(inner), self.text(inner, where)
                label = self.first(subject, "dc:description", where)
            textual = LDCS_TEXT.fullmatch(label)
            if not kind and textual:  # OU 2011: <dc:subject>LDCS1: DB.</dc:subject>
                kind, code = "ldcs", textual[1]
            yield from self.subject(node, kind, code, label, where, subject)

    def subject(
        self, node: NamedNode, kind: str, code: str, label: str, where: str,
        element: etree._Element,
    ) -> Iterator[Triple]:  # fmt: skip
        """One subject: JACS 3, LDCS or SSA tier 2 code; else (no code, or a code of a scheme
        not known) a keyword."""
        link = Link.stated(self.file)
        if kind == "jacs3" and re.fullmatch(r"[A-Z]\d{3}", code):
            self.jacs.setdefault(code, {})[label] = None
            target = _ctdl.code_iri(JACS.key, code)
            yield from _ctdl.alignment(node, CETERMS.subject, JACS, code, link, target, label)
        elif kind.startswith("ldcs") and re.fullmatch(r"[A-Z]{1,2}\.?\d*", code):
            target = _ctdl.code_iri(LDCS.key, code)
            yield from _ctdl.alignment(node, CETERMS.subject, LDCS, code, link, target, label)
        elif kind == "ssa2":
            if not re.fullmatch(r"\d{1,2}\.\d", code):
                raise _xcri.field_error(
                    self.file, element, where, "a tier 2 sector subject area (e.g. 1.1)", code,
                    "malformed sector subject area",
                )  # fmt: skip
            target = _ctdl.code_iri(_ctdl.SSA.key, code)
            yield from _ctdl.alignment(node, CETERMS.subject, _ctdl.SSA, code, link, target, label)
        elif label:
            self.counts["subjects as keywords"] += 1
            yield Triple(node, CETERMS.keyword, _ctdl.en(label))

    def code_lists(self, sources: Iterable[str]) -> Iterator[Triple]:
        """The JACS 3 codes the feeds used, and the XCRI-CAP presentation vocabularies they used."""
        if self.jacs:
            yield from _ctdl.code_list(JACS.key, JACS.name, ", ".join(sources))
        for code, labels in sorted(self.jacs.items()):
            label, *others = labels
            yield from _ctdl.code(JACS.key, code, label, (SG.JACSSubject,), None, others)
        for _tag, name, label, vocabulary in MODES:
            if name not in self.modes_used:
                continue
            yield from _ctdl.code_list(name, label, MODE_SOURCE)
            for code, text in vocabulary.items():
                yield from _ctdl.code(name, code, text, (SG.XCRICode,))

    # --- presentations ---

    def presentation(
        self, element: etree._Element, number: int, course: NamedNode, provider: NamedNode,
        scope: str, where: str,
    ) -> Iterator[Triple]:  # fmt: skip
        """One run of a course."""
        key = self.first(element, "dc:identifier", where) or str(number)
        node, where = iris.part_iri(course, "presentation", key), f"{where} presentation {key}"
        self.counts["presentations"] += 1
        dates = [self.date(element, path, where) for path in ("mlo:start", "x:end")]
        notes = list(self.notes(element, where))
        venue = element.find("x:venue/x:provider", NS)
        places = [iris.place_iri(scope, venue_key(venue, self, where))] if venue is not None else []
        capacity = self.places(element, "mlo:places", where)
        yield from _ctdl.offering(
            node, course, *dates, places, [provider], capacity, "\n".join(notes) or None
        )
        if venue is not None:
            yield from self.place(places[0], self.first(venue, "dc:title", where), venue)
        yield from self.lsip_presentation(element, node, where)
        yield from self.modes(element, node, where)
        yield from self.duration(element, node, where)
        yield from self.costs(element, node, where)
        language = self.first(element, "mlo:languageOfInstruction", where)
        if re.fullmatch(r"[A-Za-z]{2,3}(-[A-Za-z0-9]+)*", language):
            yield Triple(node, CETERMS.inLanguage, Literal(language.lower(), datatype=XSD.language))

    def date(self, element: etree._Element, path: str, where: str) -> date | None:
        """The date at ``path``, if there is one and it is a date."""
        found = element.find(path, NS)
        return None if found is None else _xcri.when(self.file, found, f"{where} {path}")

    def notes(self, element: etree._Element, where: str) -> Iterator[str]:
        """What the presentation says in prose: descriptions, undated starts, unknown modes."""
        for found in element.iterfind("dcterms:description", NS):
            yield self.text(found, f"{where} dcterms:description")
        start = element.find("mlo:start", NS)
        if start is not None and self.date(element, "mlo:start", where) is None:
            yield "Start: " + self.text(start, f"{where} mlo:start")

    def places(self, element: etree._Element, path: str, where: str) -> int | None:
        """A count of places at ``path``, if given."""
        found = element.find(path, NS)
        return None if found is None else _xcri.count(self.file, found, where)

    def lsip_presentation(
        self, element: etree._Element, node: NamedNode, where: str
    ) -> Iterator[Triple]:
        """LSIP places taken and flexible start."""
        taken = self.places(element, "lsip:placesTaken", where)
        if taken is not None:
            yield Triple(node, SG.placesTaken, Literal(str(taken), datatype=XSD.integer))
        flexible = element.find("lsip:flexibleStartDate", NS)
        if flexible is not None:
            value = self.text(flexible, where).casefold()
            if value not in ("true", "false", "1", "0"):
                raise _xcri.field_error(
                    self.file, flexible, where, "true or false", value, "not a yes/no value"
                )
            yield Triple(node, SG.flexibleStartDate, _ctdl.boolean(value in ("true", "1")))

    def modes(self, element: etree._Element, node: NamedNode, where: str) -> Iterator[Triple]:
        """Study mode, attendance mode and pattern as XCRI-CAP codes; other values as text."""
        for tag, name, _label, vocabulary in MODES:
            found = element.find(f"x:{tag}", NS)
            if found is None:
                continue
            text = self.text(found, f"{where} {tag}")
            code = mode_code(vocabulary, found, text)
            if code:
                self.modes_used.add(name)
                yield Triple(node, getattr(SG, tag), _ctdl.code_iri(name, code))
            elif text:
                self.counts[f"{tag} not an XCRI code"] += 1
                yield Triple(node, getattr(SG, f"{tag}Description"), _ctdl.en(text))

    def duration(self, element: etree._Element, node: NamedNode, where: str) -> Iterator[Triple]:
        """The duration (ceterms:DurationProfile): its ISO 8601 interval and its text."""
        found = element.find("mlo:duration", NS)
        if found is None:
            return
        interval, text = found.get("interval"), self.text(found, f"{where} mlo:duration")
        if interval and not re.fullmatch(r"P(?!$)(\d+Y)?(\d+M)?(\d+W)?(\d+D)?", interval):
            raise _xcri.field_error(
                self.file, found, where, "an ISO 8601 duration such as P4M", interval,
                "malformed duration",
            )  # fmt: skip
        profile = iris.part_iri(node, "duration")
        yield Triple(node, CETERMS.estimatedDuration, profile)
        yield Triple(profile, RDF.type, CETERMS.DurationProfile)
        if interval:
            yield Triple(profile, CETERMS.exactDuration, Literal(interval, datatype=XSD.duration))
        if text:
            yield Triple(profile, CETERMS.description, _ctdl.en(text))

    def costs(self, element: etree._Element, node: NamedNode, where: str) -> Iterator[Triple]:
        """Prices: the LSIP price elements, or amounts read from XCRI's free-text cost."""
        for cost in element.iterfind("mlo:cost", NS):
            price = cost.find("lsip:price", NS)
            if price is not None:
                amount = money(self.file, price, where, self.text(price, where))
                currency = self.first(cost, "lsip:priceCurrency", where) or "GBP"
                label = self.first(cost, "dc:description", where)
                yield from _ctdl.cost(node, "price", amount, currency, label)
                continue
            text = self.text(cost, f"{where} mlo:cost")
            yield from self.text_costs(cost, node, where, text)

    def text_costs(
        self, cost: etree._Element, node: NamedNode, where: str, text: str
    ) -> Iterator[Triple]:
        """Amounts in a free-text cost ("UK fee: GBP155.00; ..." or "84.0000" or "free")."""
        if text.casefold() == "free":
            yield from _ctdl.cost(node, "price", Decimal(0), description=text)
            return
        if re.fullmatch(r"-?\d+(\.\d+)?", text):
            yield from _ctdl.cost(node, "price", money(self.file, cost, where, text))
            return
        found = re.findall(r"(?:([A-Za-z][\w ]*?):\s*)?GBP\s?([\d,]+(?:\.\d+)?)([^;]*)", text)
        for number, (label, amount, rest) in enumerate(found, 1):
            key = fold(label).replace(" ", "-") if label else str(number)
            described = f"{label}{rest}".strip() if label else f"GBP{amount}{rest}".strip()
            value = money(self.file, cost, where, amount.replace(",", ""))
            yield from _ctdl.cost(node, key, value, description=described)
        if not found:
            self.counts["costs without an amount"] += 1
            yield Triple(node, CETERMS.description, _ctdl.en(f"Cost: {text}"))

    # --- places ---

    def place(self, node: NamedNode, name: str | None, element: etree._Element) -> Iterator[Triple]:
        """The place ``element`` (a provider or venue) gives in its mlo:location, with the area
        its town or an address line names (if one does)."""
        location = element.find("mlo:location", NS)
        if location is None:
            yield from _ctdl.place(node, name)
            return
        where = f"place {name or node.value}"
        town = self.first(location, "mlo:town", where)
        lines = [self.text(a, where) for a in location.iterfind("mlo:address", NS)]
        street = self.first(location, "mlo:street", where) or ", ".join(lines) or None
        postcode = " ".join(self.first(location, "mlo:postcode", where).upper().split())
        area = self.area([town, *lines])
        if node not in self.seen_places:
            self.seen_places.add(node)
            self.counts["places"] += 1
            self.counts["places in an area"] += area is not None
        yield from _ctdl.place(node, name or None, street, town or None, postcode or None, area)
        if postcode:
            yield Triple(node, SG.postcodeDistrict, Literal(postcode.split()[0]))

    def area(self, names: list[str]) -> NamedNode | None:
        """The one district (else county) a town or address line names, if any."""
        if self.areas is None:
            return None
        for kinds in (("lad",), ("utla",)):
            for name in filter(None, names):
                found = self.areas.candidates(name, kinds)
                if len(found) == 1:
                    return next(iter(found))
        return None


# --- Cells ------------------------------------------------------------------------------------


def typed_identifier(element: etree._Element, kind: str) -> str:
    """The element's dc:identifier of xsi:type ``kind`` (local name, any prefix), or ""."""
    for found in element.iterfind("dc:identifier", NS):
        if _xcri.local_type(found) == kind:
            return (found.text or "").strip()
    return ""


def course_key(element: etree._Element, position: int) -> str:
    """A course's key: its internal ID, else its first identifier, else its position."""
    identifiers = [(i.text or "").strip() for i in element.iterfind("dc:identifier", NS)]
    return typed_identifier(element, "internalid") or next(
        (i for i in identifiers if i), f"position-{position}"
    )


def venue_key(venue: etree._Element, reader: Reader, where: str) -> str:
    """A venue's key within its provider: its identifier, else its name, else its postcode."""
    for path in ("dc:identifier", "dc:title", "mlo:location/mlo:postcode"):
        value = reader.first(venue, path, where)
        if value:
            return value
    return "venue"


def web(url: str) -> str | None:
    """A web address usable as an IRI, or None."""
    return url if re.fullmatch(r"https?://[^\s<>\"{}|\\^`]+", url) else None


def money(file: str, element: etree._Element, where: str, text: str) -> Decimal:
    """An amount of money: a number, zero or more."""
    if not re.fullmatch(r"\d+(\.\d+)?", text):
        raise _xcri.field_error(file, element, where, "an amount, zero or more", text, "bad price")
    return Decimal(text)


# --- Entry points -------------------------------------------------------------------------------


def read_feed(path: Path, areas: AreaIndex | None = None) -> list[Triple]:
    """One XCRI-CAP feed's triples (with the code lists it uses); text problems as warnings."""
    reader = Reader(areas)
    triples = [*reader.feed(path), *reader.code_lists([path.name])]
    _xcri.report(reader.issues)
    return triples


def read(folder: Path) -> Iterator[Triple]:
    """The bundled feeds, their code lists; text problems as XcriTextWarning warnings."""
    reader = Reader(area_index(folder.parent))
    for name in FEEDS:
        yield from reader.feed(folder / name)
    yield from reader.code_lists(FEEDS)
    _xcri.report(reader.issues)


SOURCE = Source(
    slug="xcri-cap-feeds",
    title="XCRI-CAP 1.2 course feeds (Open University, Adam Smith College, Wychwolf Moodle)",
    holds="providers, courses, qualifications, presentations, venues and subjects as CTDL",
    files=FEEDS,
    read=read,
    depends_on=("ons-soc2020", "dfe-geography-lookups", "dfe-lsip-lookups", "dfe-lars"),
)
