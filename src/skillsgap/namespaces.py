"""The vocabularies skillsgap uses, as IRI prefixes, and helpers to make terms from them."""

from __future__ import annotations

from pyoxigraph import NamedNode


class Namespace(str):
    """An IRI prefix; ``NS["local"]`` and ``NS.local`` give a NamedNode."""

    def __getitem__(self, local: str) -> NamedNode:  # type: ignore[override]
        return NamedNode(str(self) + local)

    def __getattr__(self, local: str) -> NamedNode:
        if local.startswith("__"):
            raise AttributeError(local)
        return NamedNode(str(self) + local)


# Identifiers are fixed: data loaded today must join data loaded next year, whatever host serves it.
SG_BASE = "https://w3id.org/skillsgap/"

SG = Namespace(SG_BASE + "def/")
ID = Namespace(SG_BASE + "id/")
GRAPH = Namespace(SG_BASE + "graph/")

RDF = Namespace("http://www.w3.org/1999/02/22-rdf-syntax-ns#")
RDFS = Namespace("http://www.w3.org/2000/01/rdf-schema#")
XSD = Namespace("http://www.w3.org/2001/XMLSchema#")
OWL = Namespace("http://www.w3.org/2002/07/owl#")
SKOS = Namespace("http://www.w3.org/2004/02/skos/core#")
XKOS = Namespace("http://rdf-vocabulary.ddialliance.org/xkos#")
DCT = Namespace("http://purl.org/dc/terms/")
PROV = Namespace("http://www.w3.org/ns/prov#")
SH = Namespace("http://www.w3.org/ns/shacl#")
QB = Namespace("http://purl.org/linked-data/cube#")
SDMX_DIMENSION = Namespace("http://purl.org/linked-data/sdmx/2009/dimension#")
SDMX_MEASURE = Namespace("http://purl.org/linked-data/sdmx/2009/measure#")
SDMX_ATTRIBUTE = Namespace("http://purl.org/linked-data/sdmx/2009/attribute#")
CETERMS = Namespace("https://purl.org/ctdl/terms/")
SPDX = Namespace("http://spdx.org/rdf/terms#")
# ONS statistical geography: areas by GSS code, entity types by code prefix (E12, E69...).
STATGEO = Namespace("http://statistics.data.gov.uk/id/statistical-geography/")
STATENTITY = Namespace("http://statistics.data.gov.uk/id/statistical-entity/")
STATDEF_GEO = Namespace("http://statistics.data.gov.uk/def/statistical-geography#")
STATDEF_ENTITY = Namespace("http://statistics.data.gov.uk/def/statistical-entity#")
# ESCO publishes ISCO-08 groups as SKOS concepts: C + the ISCO code.
ISCO = Namespace("http://data.europa.eu/esco/isco/C")

# Publisher and licence of most bundled sources (ONS, Crown copyright, Open Government Licence).
ONS = NamedNode("https://www.ons.gov.uk/")
OGL = NamedNode("http://www.nationalarchives.gov.uk/doc/open-government-licence/version/3/")

PREFIXES: dict[str, str] = {
    "sg": str(SG),
    "sgid": str(ID),
    "rdf": str(RDF),
    "rdfs": str(RDFS),
    "xsd": str(XSD),
    "owl": str(OWL),
    "skos": str(SKOS),
    "xkos": str(XKOS),
    "dct": str(DCT),
    "prov": str(PROV),
    "sh": str(SH),
    "qb": str(QB),
    "sdmx-dimension": str(SDMX_DIMENSION),
    "sdmx-measure": str(SDMX_MEASURE),
    "sdmx-attribute": str(SDMX_ATTRIBUTE),
    "ceterms": str(CETERMS),
    "spdx": str(SPDX),
    "statgeo": str(STATGEO),
    "statentity": str(STATENTITY),
    "statdef": str(STATDEF_GEO),
    "isco": str(ISCO),
}
