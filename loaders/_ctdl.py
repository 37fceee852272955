"""CTDL building blocks shared by the supply loaders: organisations, credentials, courses, places.

The pattern (see ``ontology/skillsgap.ttl`` and ``shapes/ctdl.ttl``):

- a provider or awarding body is a ``ceterms:CredentialOrganization`` (:func:`organisation`), named
  by UKPRN where the source gives one (``iris.organisation_iri``), else by the register's own code
  (``iris.organisation_code_iri``); its UKPRN and other codes are ``ceterms:identifier`` →
  ``ceterms:IdentifierValue`` nodes (:func:`identifier`);
- a qualification or apprenticeship is a credential (:func:`credential`) of a CTDL class:
  ``APPRENTICESHIP`` for standards and frameworks, ``CERTIFICATE``/``DIPLOMA`` where the type is
  known, else ``CREDENTIAL``. Learning aims are ``iris.credential_iri("lars-aim", ref)``: a
  regulated qualification's LARS reference is its Ofqual number (QAN) without slashes, so LARS,
  the funded-qualifications list, NCS and XCRI-CAP feeds all name it alike;
- a course is a ``ceterms:Course`` (:func:`learning_opportunity`) that ``ceterms:isPreparationFor``
  its qualification; it inherits the qualification's occupations through that link (query it,
  do not copy it); its runs are ``ceterms:ScheduledOffering`` s (:func:`offering`) at
  ``ceterms:Place`` s (:func:`place`) with the ONS area they lie in (``sg:inArea``);
- every link to a classification goes through a ``ceterms:CredentialAlignmentObject``
  (:func:`alignment`): occupations (``ceterms:occupationType`` → a SOC 2020 group,
  :func:`occupation`), subjects (``ceterms:subject`` → a sector subject area), levels
  (``ceterms:atLevel``), CTDL's own vocabularies (``ceterms:agentType``). Each alignment says how
  it was made (:class:`Link`): stated by the source, from a published mapping, or derived by
  skillsgap with an algorithm and a score.

No blank nodes: every node has an IRI from ``iris`` (parts of a node, such as its alignments and
identifier values, via ``iris.part_iri``). Text is English (``@en``) unless a source says otherwise.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from functools import cache, lru_cache

from pyoxigraph import Literal, NamedNode, Triple

from skillsgap import iris, namespaces
from skillsgap.namespaces import XSD, Namespace


class Terms:
    """A namespace whose terms are made once each: loaders write hundreds of thousands."""

    def __init__(self, namespace: Namespace) -> None:
        self._namespace = namespace

    def __getattr__(self, local: str) -> NamedNode:
        term = self._namespace[local]
        setattr(self, local, term)
        return term


CETERMS = Terms(namespaces.CETERMS)
DCT = Terms(namespaces.DCT)
RDF = Terms(namespaces.RDF)
SG = Terms(namespaces.SG)
SKOS = Terms(namespaces.SKOS)
XKOS = Terms(namespaces.XKOS)
SCHEMA = Terms(Namespace("https://schema.org/"))

APPRENTICESHIP = CETERMS.ApprenticeshipCertificate
CERTIFICATE = CETERMS.Certificate
DIPLOMA = CETERMS.Diploma
CREDENTIAL = CETERMS.Credential
ORGANISATION = CETERMS.CredentialOrganization
COURSE = CETERMS.Course
LEARNING_OPPORTUNITY = CETERMS.LearningOpportunityProfile
OFFERING = CETERMS.ScheduledOffering
PLACE = CETERMS.Place
ALIGNMENT = CETERMS.CredentialAlignmentObject

STATED = SG.Stated
PUBLISHED_MAPPING = SG.PublishedMapping
DERIVED = SG.Derived

# Identifier schemes (ceterms:identifierType) and the name each IdentifierValue gives its scheme.
IDENTIFIER_SCHEMES = {
    "ukprn": "UK Provider Reference Number (UKPRN)",
    "lars-aim": "LARS learning aim reference",
    "lars-standard": "LARS apprenticeship standard code",
    "lars-framework": "LARS framework code, programme type and pathway code",
    "lars-awarding-org": "LARS awarding organisation code",
    "lars-issuing-authority": "LARS framework issuing authority code",
    "lars-version": "LARS version number",
    "qan": "Ofqual qualification number (QAN)",
}

# CTDL's organisation types used so far (ceterms:OrganizationType), with CTDL's own labels.
ORGANISATION_TYPES = {
    "CertificationBody": "Certification Body",
    "Postsecondary": "Postsecondary Educational Institution",
    "TrainingProvider": "Education and Training Provider",
    "Government": "Government Agency",
}
ORG_TYPE = Namespace("https://purl.org/ctdl/vocabs/orgType/")


@lru_cache(maxsize=65536)  # names and labels repeat across rows
def en(text: str) -> Literal:
    """Text in English."""
    return Literal(text, language="en")


def day(value: date) -> Literal:
    """A date as xsd:date."""
    return Literal(value.isoformat(), datatype=XSD.date)


def boolean(value: bool) -> Literal:
    """A yes/no as xsd:boolean."""
    return Literal("true" if value else "false", datatype=XSD.boolean)


# --- How a link was made ------------------------------------------------------------------------


@dataclass(frozen=True)
class Link:
    """How a link was made: stated by the source, from a published mapping, or derived by us."""

    method: NamedNode
    source: str | None = None  # the file (and column) or mapping table the link comes from
    algorithm: str | None = None  # derived links: the method and its version
    score: Decimal | None = None  # derived links: 0 (no match) to 1 (certain)
    rank: int | None = None  # derived links: 1 for the algorithm's best candidate

    def __post_init__(self) -> None:
        if self.method == DERIVED and not (self.algorithm and self.score is not None):
            raise ValueError("a derived link needs its algorithm and score")
        if self.score is not None and not Decimal(0) <= self.score <= Decimal(1):
            raise ValueError(f"a link score is between 0 and 1, not {self.score}")
        if self.method == PUBLISHED_MAPPING and not self.source:
            raise ValueError("a link from a published mapping names the mapping (source)")

    @classmethod
    def stated(cls, source: str | None = None) -> Link:
        """The source states the link (``source``: which file and column, if worth saying)."""
        return cls(STATED, source)

    @classmethod
    def mapping(cls, source: str) -> Link:
        """The link comes from the mapping table ``source`` (a file name or URL)."""
        return cls(PUBLISHED_MAPPING, source)

    @classmethod
    def derived(
        cls, algorithm: str, score: Decimal, source: str | None = None, rank: int | None = None
    ) -> Link:
        """skillsgap made the link with ``algorithm`` (name/version), scoring it ``score``; its
        ``rank`` among the algorithm's candidates for the same subject, 1 for the best."""
        return cls(DERIVED, source, algorithm, score, rank)

    def triples(self, node: NamedNode) -> Iterator[Triple]:
        """The link's provenance on its alignment node."""
        yield Triple(node, SG.linkMethod, self.method)
        if self.source:
            yield Triple(node, DCT.source, Literal(self.source))
        if self.algorithm:
            yield Triple(node, SG.linkAlgorithm, Literal(self.algorithm))
        if self.score is not None:
            yield Triple(node, SG.linkScore, _decimal(self.score))
        if self.rank is not None:
            yield Triple(node, SG.linkRank, Literal(str(self.rank), datatype=XSD.integer))


def _decimal(value: Decimal) -> Literal:
    text = format(value.normalize(), "f")
    return Literal(text if "." in text else text + ".0", datatype=XSD.decimal)


# --- Alignments to classifications ------------------------------------------------------------


@dataclass(frozen=True)
class Framework:
    """A classification that alignments point into: its short key (for IRIs), scheme and name."""

    key: str
    iri: NamedNode
    name: str


SOC2020 = Framework("soc2020", iris.soc_scheme_iri("2020"), "SOC 2020")
SSA = Framework("ssa", iris.code_list_iri("ssa"), "Sector subject areas (Ofqual/ESFA)")
ORGANISATION_TYPE = Framework("org-type", CETERMS.OrganizationType, "Organization Type")


def alignment(
    subject: NamedNode,
    prop: NamedNode,
    framework: Framework,
    code: str,
    link: Link,
    target: NamedNode | None = None,
    target_name: str | None = None,
) -> Iterator[Triple]:
    """``subject`` ``prop`` an alignment to ``code`` of ``framework`` (its concept ``target``)."""
    kind = prop.value.rsplit("/", 1)[-1]
    node = iris.alignment_iri(subject, kind, framework.key, code)
    yield Triple(subject, prop, node)
    yield Triple(node, RDF.type, ALIGNMENT)
    yield Triple(node, CETERMS.framework, framework.iri)
    yield Triple(node, CETERMS.frameworkName, en(framework.name))
    yield Triple(node, CETERMS.codedNotation, Literal(code))
    if target is not None:
        yield Triple(node, CETERMS.targetNode, target)
    if target_name:
        yield Triple(node, CETERMS.targetNodeName, en(target_name))
    yield from link.triples(node)


def occupation(
    subject: NamedNode, soc_code: str, link: Link, title: str | None = None
) -> Iterator[Triple]:
    """``subject`` leads to the SOC 2020 group ``soc_code`` (ceterms:occupationType)."""
    target = iris.soc_iri("2020", soc_code)
    yield from alignment(subject, CETERMS.occupationType, SOC2020, soc_code, link, target, title)


def agent_type(organisation_node: NamedNode, name: str, link: Link) -> Iterator[Triple]:
    """An organisation's CTDL organisation type, by its local name ("CertificationBody")."""
    label = ORGANISATION_TYPES[name]
    yield from alignment(
        organisation_node, CETERMS.agentType, ORGANISATION_TYPE, name, link, ORG_TYPE[name], label
    )


# --- Resources --------------------------------------------------------------------------------


def identifier(
    subject: NamedNode, scheme: str, code: str, prop: NamedNode | None = None
) -> Iterator[Triple]:
    """``subject``'s identifier ``code`` in ``scheme`` (a key of IDENTIFIER_SCHEMES), through
    ``prop``: ceterms:identifier unless said (ceterms:versionIdentifier for a version)."""
    node = iris.identifier_iri(subject, scheme)
    yield Triple(subject, prop or CETERMS.identifier, node)
    yield Triple(node, RDF.type, CETERMS.IdentifierValue)
    yield Triple(node, CETERMS.identifierType, iris.identifier_scheme_iri(scheme))
    yield Triple(node, CETERMS.identifierTypeName, en(IDENTIFIER_SCHEMES[scheme]))
    yield Triple(node, CETERMS.identifierValueCode, Literal(code))


def _described(
    node: NamedNode,
    cls: NamedNode,
    name: str,
    description: str | None,
    webpage: str | None,
    alternate_names: Iterable[str],
) -> Iterator[Triple]:
    """What every resource has: its class, name, and optionally description, webpage, other names."""
    yield Triple(node, RDF.type, cls)
    yield Triple(node, CETERMS.name, en(name))
    for other in dict.fromkeys(alternate_names):
        if other and other != name:
            yield Triple(node, CETERMS.alternateName, en(other))
    if description:
        yield Triple(node, CETERMS.description, en(description))
    if webpage:
        yield Triple(node, CETERMS.subjectWebpage, NamedNode(webpage))


def organisation(
    node: NamedNode,
    name: str,
    ukprn: str | None = None,
    alternate_names: Iterable[str] = (),
    webpage: str | None = None,
    email: str | None = None,
    address: NamedNode | None = None,
) -> Iterator[Triple]:
    """A ceterms:CredentialOrganization, with its UKPRN as an identifier value when known."""
    yield from _described(node, ORGANISATION, name, None, webpage, alternate_names)
    if ukprn:
        yield from identifier(node, "ukprn", ukprn)
    if email:
        yield Triple(node, CETERMS.email, Literal(email))
    if address is not None:
        yield Triple(node, CETERMS.address, address)


def credential(
    node: NamedNode,
    cls: NamedNode,
    name: str,
    description: str | None = None,
    webpage: str | None = None,
    effective: date | None = None,
    expires: date | None = None,
    alternate_names: Iterable[str] = (),
    owned_by: Iterable[NamedNode] = (),
    offered_by: Iterable[NamedNode] = (),
) -> Iterator[Triple]:
    """A credential of class ``cls`` (APPRENTICESHIP, CERTIFICATE, DIPLOMA or CREDENTIAL)."""
    yield from _described(node, cls, name, description, webpage, alternate_names)
    if effective:
        yield Triple(node, CETERMS.dateEffective, day(effective))
    if expires:
        yield Triple(node, CETERMS.expirationDate, day(expires))
    yield from (Triple(node, CETERMS.ownedBy, owner) for owner in owned_by)
    yield from (Triple(node, CETERMS.offeredBy, offerer) for offerer in offered_by)


def learning_opportunity(
    node: NamedNode,
    name: str,
    cls: NamedNode = COURSE,
    description: str | None = None,
    webpage: str | None = None,
    offered_by: Iterable[NamedNode] = (),
    prepares_for: Iterable[NamedNode] = (),
    code: str | None = None,
) -> Iterator[Triple]:
    """A course (or other learning opportunity) and the credentials it prepares for."""
    yield from _described(node, cls, name, description, webpage, ())
    yield from (Triple(node, CETERMS.offeredBy, offerer) for offerer in offered_by)
    yield from (Triple(node, CETERMS.isPreparationFor, target) for target in prepares_for)
    if code:
        yield Triple(node, CETERMS.codedNotation, Literal(code))


def place(
    node: NamedNode,
    name: str | None = None,
    street: str | None = None,
    locality: str | None = None,
    postcode: str | None = None,
    area: NamedNode | None = None,
    latitude: Decimal | None = None,
    longitude: Decimal | None = None,
) -> Iterator[Triple]:
    """A ceterms:Place: its address parts, and the ONS area it lies in (``sg:inArea``) if known."""
    yield Triple(node, RDF.type, PLACE)
    texts = ((CETERMS.name, name), (CETERMS.streetAddress, street))
    for predicate, text in (*texts, (CETERMS.addressLocality, locality)):
        if text:
            yield Triple(node, predicate, en(text))
    if postcode:
        yield Triple(node, CETERMS.postalCode, Literal(postcode))
    if area is not None:
        yield Triple(node, SG.inArea, area)
    for predicate, number in ((CETERMS.latitude, latitude), (CETERMS.longitude, longitude)):
        if number is not None:
            yield Triple(node, predicate, Literal(str(number), datatype=XSD.float))


def offering(
    node: NamedNode,
    of: NamedNode,
    start: date | None = None,
    end: date | None = None,
    places: Iterable[NamedNode] = (),
    offered_by: Iterable[NamedNode] = (),
    capacity: int | None = None,
    description: str | None = None,
) -> Iterator[Triple]:
    """One run of the learning opportunity ``of``: its dates, places and provider."""
    yield Triple(of, CETERMS.hasOffering, node)
    yield Triple(node, RDF.type, OFFERING)
    # CTDL gives ScheduledOffering no dates of its own; schema.org's are the usual ones.
    if start:
        yield Triple(node, SCHEMA.startDate, day(start))
    if end:
        yield Triple(node, SCHEMA.endDate, day(end))
    yield from (Triple(node, CETERMS.availableAt, where) for where in places)
    yield from (Triple(node, CETERMS.offeredBy, offerer) for offerer in offered_by)
    if capacity is not None:
        yield Triple(
            node, SCHEMA.maximumAttendeeCapacity, Literal(str(capacity), datatype=XSD.integer)
        )
    if description:
        yield Triple(node, CETERMS.description, en(description))


def cost(
    owner: NamedNode, key: str, price: Decimal, currency: str = "GBP", description: str = ""
) -> Iterator[Triple]:
    """A ceterms:CostProfile of ``owner`` (a course or offering): its price, currency, what for."""
    node = iris.part_iri(owner, "cost", key)
    yield Triple(owner, CETERMS.estimatedCost, node)
    yield Triple(node, RDF.type, CETERMS.CostProfile)
    yield Triple(node, CETERMS.price, _decimal(price))
    yield Triple(node, CETERMS.currency, Literal(currency))
    if description:
        yield Triple(node, CETERMS.description, en(description))


# --- Code lists as SKOS -------------------------------------------------------------------------


code_list_iri = cache(iris.code_list_iri)
code_iri = cache(iris.code_iri)  # codes are linked to many times: made once each


def code_list(name: str, label: str, source: str, levels: int = 1) -> Iterator[Triple]:
    """A published code list as a SKOS concept scheme (``levels`` > 1: with xkos:numberOfLevels)."""
    scheme = iris.code_list_iri(name)
    yield Triple(scheme, RDF.type, SKOS.ConceptScheme)
    yield Triple(scheme, SKOS.prefLabel, en(label))
    yield Triple(scheme, DCT.source, Literal(source))
    if levels > 1:
        yield Triple(scheme, XKOS.numberOfLevels, Literal(str(levels), datatype=XSD.integer))


def code_list_source(name: str, source: str) -> Iterator[Triple]:
    """One more source file of a code list read from several (SSA tiers 1 and 2)."""
    yield Triple(code_list_iri(name), DCT.source, Literal(source))


def code(
    name: str,
    notation: str,
    label: str,
    classes: Iterable[NamedNode] = (),
    broader: str | None = None,
    alternate_labels: Iterable[str] = (),
) -> Iterator[Triple]:
    """A code of the code list ``name``: a top concept, or under the code ``broader``."""
    scheme, node = code_list_iri(name), code_iri(name, notation)
    yield Triple(node, RDF.type, SKOS.Concept)
    yield from (Triple(node, RDF.type, cls) for cls in classes)
    yield Triple(node, SKOS.inScheme, scheme)
    yield Triple(node, SKOS.notation, Literal(notation))
    yield Triple(node, SKOS.prefLabel, en(label))
    for other in dict.fromkeys(alternate_labels):
        if other and other.casefold() != label.casefold():
            yield Triple(node, SKOS.altLabel, en(other))
    if broader is None:
        yield Triple(node, SKOS.topConceptOf, scheme)
        yield Triple(scheme, SKOS.hasTopConcept, node)
    else:
        parent = code_iri(name, broader)
        yield Triple(node, SKOS.broader, parent)
        yield Triple(parent, SKOS.narrower, node)
