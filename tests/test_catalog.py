"""The canned-query catalogue: headers parse into typed queries; values bind as terms only."""

from __future__ import annotations

import pytest
from pyoxigraph import NamedNode

from skillsgap import iris
from skillsgap.catalog import (
    CatalogError,
    Chart,
    Parameter,
    ParameterError,
    bind,
    load_catalog,
    parse_query_file,
)

HEADER = """# title: Test
# description: A test query
#   over two lines.
# tags: a, b
# param soc: type=soc; version=2020; levels=4; required; example=2136
#   A unit group.
# param year: type=year; minimum=2015; maximum=2035; default=2020
# param mode: type=enum; values=fast,slow
"""
BODY = """SELECT * WHERE {
  # @parameters
  ?_soc ?p ?o . BIND(?_year AS ?y) BIND(?_mode AS ?m)
}"""


def exists(text: str, parameter: Parameter) -> NamedNode | None:
    return iris.soc_iri(parameter.version, text) if text == "2136" else None


def test_header_parses_into_typed_parameters() -> None:
    query = parse_query_file("test", HEADER + BODY)
    assert query.title == "Test" and query.description == "A test query over two lines."
    assert query.tags == ("a", "b")
    soc = query.parameter("soc")
    assert (
        soc is not None
        and soc.required
        and soc.levels == (4,)
        and soc.description == "A unit group."
    )
    assert query.parameter("mode").values == ("fast", "slow")  # type: ignore[union-attr]


def test_values_are_bound_as_terms_in_a_values_block() -> None:
    query = parse_query_file("test", HEADER + BODY)
    text, used = bind(query, {"soc": "2136", "mode": "slow"}, exists)
    assert "VALUES (?_soc ?_year ?_mode) { (<https://w3id.org/skillsgap/id/soc2020/2136> " in text
    assert '"2020"^^<http://www.w3.org/2001/XMLSchema#integer> "slow") }' in text
    assert used == {"soc": "2136", "year": "2020", "mode": "slow"}


@pytest.mark.parametrize(
    "raw,parameter",
    [
        ({"soc": "21a"}, "soc"),
        ({"soc": "9999"}, "soc"),
        ({}, "soc"),
        ({"soc": "2136", "year": "1999"}, "year"),
        ({"soc": "2136", "year": "20 20"}, "year"),
        ({"soc": "2136", "mode": "} ; DROP ALL"}, "mode"),
        ({"soc": "2136", "other": "x"}, "other"),
        ({"soc": "x" * 10_000}, "soc"),
    ],
)
def test_bad_values_name_the_parameter(raw: dict[str, str], parameter: str) -> None:
    query = parse_query_file("test", HEADER + BODY)
    with pytest.raises(ParameterError) as error:
        bind(query, raw, exists)
    assert error.value.parameter == parameter and "expected" in str(error.value)


CHART_BODY = "SELECT ?name ?demand ?supply WHERE { ?s ?p ?name ; ?q ?demand ; ?r ?supply }"


def test_chart_field_parses_into_a_typed_chart() -> None:
    text = (
        "# title: T\n# description: D\n# tags: gap, chart\n"
        "# chart: x=name; y=demand, supply; kind=hbar\n" + CHART_BODY
    )
    assert parse_query_file("t", text).chart == Chart(x="name", y=("demand", "supply"), kind="hbar")
    plain = parse_query_file("t", "# title: T\n# description: D\n" + CHART_BODY)
    assert plain.chart is None
    default = parse_query_file("t", "# title: T\n# description: D\n# tags: chart\n"
                               "# chart: x=name; y=demand\n" + CHART_BODY)  # fmt: skip
    assert default.chart == Chart(x="name", y=("demand",), kind="bar")


@pytest.mark.parametrize(
    "header,message",
    [
        ("# tags: chart", "go together"),
        ("# chart: x=name; y=demand", "go together"),
        ("# tags: chart\n# chart: x=name", "expected 'x=COLUMN"),
        ("# tags: chart\n# chart: x=name; y=demand; colour=red", "expected 'x=COLUMN"),
        ("# tags: chart\n# chart: x=name; y=demand; kind=pie", "kind=one of"),
        ("# tags: chart\n# chart: x=name; y=demand,profit", "no column ?profit"),
    ],
)
def test_bad_chart_fields_fail_with_the_file_named(header: str, message: str) -> None:
    with pytest.raises(CatalogError) as error:
        parse_query_file("broken", f"# title: T\n# description: D\n{header}\n{CHART_BODY}")
    assert "queries/broken.rq: chart" in str(error.value) and message in str(error.value)


@pytest.mark.parametrize(
    "text,message",
    [
        ("SELECT * {}", "no header"),
        ("# title: T\nSELECT * {}", "needs a title and a description"),
        ("# title: T\n# description: D\n# nonsense here\nSELECT * {}", "header line 3"),
        ("# title: T\n# description: D\nSELECT * { ?_x ?p ?o }", "undeclared parameter(s) ?_x"),
        ("# title: T\n# description: D\n# param x: type=text\nSELECT * { ?s ?p ?o }", "not used"),
        (
            "# title: T\n# description: D\n# param x: type=text\nSELECT * { ?_x ?p ?o }",
            "# @parameters",
        ),
        (
            "# title: T\n# description: D\n# param x: type=colour\nSELECT * { ?_x ?p ?o }",
            "type=one of",
        ),
        (
            "# title: T\n# description: D\n# param x: type=enum\nSELECT * { ?_x ?p ?o }",
            "needs values",
        ),
        (
            "# title: T\n# description: D\n# param x: type=text; size=3\nSELECT * {?_x ?p ?o}",
            "unknown field",
        ),
    ],
)
def test_bad_query_files_fail_with_the_file_named(text: str, message: str) -> None:
    with pytest.raises(CatalogError) as error:
        parse_query_file("broken", text)
    assert "queries/broken.rq" in str(error.value) and message in str(error.value)


def test_packaged_catalogue_loads() -> None:
    catalog = load_catalog()
    assert {"area", "soc-crosswalk", "last-loads"} <= set(catalog)
    assert not any(slug.startswith("_") for slug in catalog)
    for query in catalog.values():
        for parameter in query.parameters:
            assert parameter.name not in ("format", "limit", "offset", "sparql")
    assert catalog["soc2020-titles-per-major-group"].chart == Chart(
        x="major_group_title", y=("job_titles",), kind="hbar"
    )
