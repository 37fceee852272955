"""The catalogue of canned queries: ``queries/<slug>.rq`` files with a header, as typed objects.

A file is a valid SPARQL query whose leading comment lines are its header::

    # title: Median pay by occupation
    # description: Median gross annual pay of full-time employees ... (indented lines
    #   continue a field)
    # tags: demand, pay
    # param soc: type=soc; version=2020; levels=4; required; example=2136
    #   The SOC 2020 unit group (indented lines describe the parameter).

A parameter's fields: type (soc, area, year, integer, enum, text, title), required, default, example,
values (enum, comma-separated), minimum, maximum, version and levels (soc), kinds (area),
max_length (text).

A query tagged ``chart`` has a ``chart:`` field saying what its page draws: the column of the
labels (x), the numeric column(s) of the series (y, comma-separated) and the kind (bar, hbar for
horizontal bars, or line), e.g. ``# chart: x=occupation; y=demand,supply; kind=hbar``.

Parameters appear in the query as variables named ``?_<name>``. Their values are parsed into RDF
terms and bound by a ``VALUES`` block that replaces the body's ``# @parameters`` line(s): a value is
never spliced into the query text, only a term pyoxigraph wrote.

A ``title`` parameter is a job title for skillsgap's title coder: besides ``?_<name>`` (the text)
the query gets one row per SOC 2020 unit group the coder proposes, best first, as
``?_<name>_group``, ``?_<name>_score`` (0 to 1) and ``?_<name>_rank`` (1 for the best); no row at
all when nothing matches.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from pyoxigraph import Literal, NamedNode

from skillsgap import iris, resources
from skillsgap.errors import SkillsgapError
from skillsgap.namespaces import XSD

PLACEHOLDER = "# @parameters"
TYPES = ("soc", "area", "year", "integer", "enum", "text", "title")
RANKED = ("group", "score", "rank")  # the variables a title parameter adds: ?_<name>_group ...
CHART_KINDS = ("bar", "hbar", "line")
_VARIABLE = re.compile(r"[?$]_([A-Za-z][A-Za-z0-9_]*)")


@dataclass
class CatalogError(SkillsgapError):
    """A query file whose header or parameters are wrong; found at start-up and in tests."""


@dataclass
class ParameterError(SkillsgapError):
    """A parameter value that does not fit its declaration (an HTTP 422 naming the parameter)."""

    parameter: str = ""
    expected: str = ""
    got: str = ""

    def __str__(self) -> str:
        got = self.got if len(self.got) <= 80 else self.got[:79] + "…"
        return f"parameter {self.parameter!r}: expected {self.expected}, got {got!r}"


@dataclass(frozen=True)
class Parameter:
    """One declared parameter of a canned query."""

    name: str
    type: str
    description: str = ""
    required: bool = False
    default: str | None = None
    example: str | None = None
    values: tuple[str, ...] = ()
    minimum: int | None = None
    maximum: int | None = None
    version: str = "2020"
    levels: tuple[int, ...] = (1, 2, 3, 4)
    kinds: tuple[str, ...] = ()
    max_length: int = 200

    def expected(self) -> str:
        """What a value must look like, in words (for errors and documentation)."""
        if self.type == "soc":
            digits = " or ".join(str(level) for level in self.levels)
            return f"a SOC {self.version} code of {digits} digit(s) that exists"
        if self.type == "area":
            kinds = ", ".join(self.kinds) or "any"
            return f"a GSS code (e.g. E69000014) or an unambiguous name of an area ({kinds})"
        if self.type in ("year", "integer"):
            return f"an integer from {self.minimum} to {self.maximum}"
        if self.type == "enum":
            return "one of " + ", ".join(self.values)
        if self.type == "title":
            return f"a job title of 1 to {self.max_length} characters"
        return f"text of 1 to {self.max_length} characters"

    def pattern(self) -> str | None:
        """A regular expression for documentation (OpenAPI); parsing checks more."""
        if self.type == "soc":
            return "^[0-9]{" + ",".join(map(str, (min(self.levels), max(self.levels)))) + "}$"
        if self.type in ("year", "integer"):
            return "^-?[0-9]+$"
        return None


@dataclass(frozen=True)
class Chart:
    """What a query's page draws: labels from column x, one series per column in y."""

    x: str
    y: tuple[str, ...]
    kind: str = "bar"


@dataclass(frozen=True)
class CannedQuery:
    """A canned query: its slug, documentation, parameters and SPARQL text."""

    slug: str
    title: str
    description: str
    tags: tuple[str, ...]
    parameters: tuple[Parameter, ...]
    text: str = field(repr=False)
    chart: Chart | None = None

    def parameter(self, name: str) -> Parameter | None:
        return next((p for p in self.parameters if p.name == name), None)


# The store-facing checks a parameter needs, supplied by the caller (the catalog never opens it).
Lookup = Callable[[str, Parameter], NamedNode | None]
# A title parameter's unit groups, best first: (group, score, rank) terms, from the title coder.
Ranked = list[tuple[NamedNode, Literal, Literal]]
Ranker = Callable[[str, Parameter], Ranked]


def load_catalog() -> dict[str, CannedQuery]:
    """Every packaged query, by slug; a CatalogError if any file is wrong.

    Files whose name starts with "_" are internal (parameter look-ups) and not listed.
    """
    queries = {}
    for file in resources.package_files("queries"):
        slug = file.name.removesuffix(".rq")
        if slug.startswith("_"):
            continue
        queries[slug] = parse_query_file(slug, file.read_text(encoding="utf-8"))
    return queries


def parse_query_file(slug: str, text: str) -> CannedQuery:
    """One query file as a CannedQuery; a CatalogError naming the file and the problem."""
    fields, params = _header_fields(slug, _header(slug, text))
    if not fields.get("title") or not fields.get("description"):
        raise CatalogError(f"queries/{slug}.rq: the header needs a title and a description")
    parameters = tuple(_parameter(slug, name, spec, doc) for name, (spec, doc) in params.items())
    _check_variables(slug, text, parameters)
    tags = tuple(t.strip() for t in fields.get("tags", "").split(",") if t.strip())
    return CannedQuery(
        slug=slug,
        title=fields["title"],
        description=fields["description"],
        tags=tags,
        parameters=parameters,
        text=text,
        chart=_chart(slug, fields.get("chart"), "chart" in tags, text),
    )


def bind(
    query: CannedQuery, raw: Mapping[str, str], lookup: Lookup, rank: Ranker | None = None
) -> tuple[str, dict[str, str]]:
    """The query text with its parameters bound as terms, and the values used (for metadata)."""
    unknown = sorted(set(raw) - {p.name for p in query.parameters})
    if unknown:
        known = ", ".join(p.name for p in query.parameters) or "none"
        raise ParameterError(
            "unknown parameter",
            parameter=unknown[0],
            expected=f"one of: {known}",
            got=raw[unknown[0]],
        )
    used: dict[str, str] = {}
    terms: dict[str, NamedNode | Literal] = {}
    ranked: dict[str, Ranked] = {}
    for parameter in query.parameters:
        value = raw.get(parameter.name, parameter.default)
        if value is None or value == "":
            if parameter.required:
                raise ParameterError(
                    "missing parameter",
                    parameter=parameter.name,
                    expected=parameter.expected(),
                    got="",
                )
            continue
        terms[parameter.name] = parse_value(parameter, value, lookup)
        used[parameter.name] = value
        if parameter.type == "title":
            if rank is None:
                raise CatalogError(f"queries/{query.slug}.rq: no title coder to rank {value!r}")
            ranked[parameter.name] = rank(str(terms[parameter.name].value), parameter)
    return _with_values(query.text, terms, ranked), used


def parse_value(parameter: Parameter, value: str, lookup: Lookup) -> NamedNode | Literal:
    """One raw value as the RDF term it stands for; a ParameterError if it does not fit."""
    text = value.strip()
    problem = ParameterError(
        "bad parameter", parameter=parameter.name, expected=parameter.expected(), got=value
    )
    if not text or len(text) > max(parameter.max_length, 20) or "\x00" in text:
        raise problem
    if parameter.type in ("year", "integer"):
        return _integer(parameter, text, problem)
    if parameter.type == "enum":
        if text not in parameter.values:
            raise problem
        return Literal(text)
    if parameter.type in ("text", "title"):
        return Literal(text)
    found = lookup(text, parameter)
    if found is None:
        raise problem
    return found


def soc_candidate(text: str, parameter: Parameter) -> NamedNode | None:
    """The SOC concept IRI a code would have, if the code has an allowed number of digits."""
    if text.isdigit() and len(text) in parameter.levels:
        return iris.soc_iri(parameter.version, text)
    return None


def _integer(parameter: Parameter, text: str, problem: ParameterError) -> Literal:
    if not re.fullmatch(r"-?\d{1,9}", text):
        raise problem
    number = int(text)
    low = parameter.minimum if parameter.minimum is not None else -(10**9)
    high = parameter.maximum if parameter.maximum is not None else 10**9
    if not low <= number <= high:
        raise problem
    return Literal(str(number), datatype=XSD.integer)


def _with_values(
    text: str, terms: Mapping[str, NamedNode | Literal], ranked: Mapping[str, Ranked]
) -> str:
    """The ``# @parameters`` line(s) replaced by VALUES blocks of terms in N-Triples syntax,
    as pyoxigraph writes them."""
    blocks = []
    if terms:
        names = " ".join(f"?_{name}" for name in terms)
        values = " ".join(str(term) for term in terms.values())
        blocks.append(f"VALUES ({names}) {{ ({values}) }}")
    for name, rows in ranked.items():
        names = " ".join(f"?_{name}_{part}" for part in RANKED)
        values = " ".join("(" + " ".join(str(term) for term in row) + ")" for row in rows)
        blocks.append(f"VALUES ({names}) {{ {values} }}")
    return text.replace(PLACEHOLDER, " ".join(blocks))


def _header(slug: str, text: str) -> list[str]:
    lines = []
    for line in text.splitlines():
        if not line.startswith("#"):
            break
        lines.append(line[2:] if line.startswith("# ") else line[1:])
    if not lines:
        raise CatalogError(
            f"queries/{slug}.rq: no header; expected '# title:' and '# description:'"
        )
    return lines


_FIELD = re.compile(r"^(title|description|tags|chart):\s*(.*)$")
_PARAM = re.compile(r"^param\s+([A-Za-z][A-Za-z0-9_]*):\s*(.*)$")


def _header_fields(
    slug: str, lines: list[str]
) -> tuple[dict[str, str], dict[str, tuple[str, str]]]:
    """Header lines as fields and parameters; indented lines continue the entry above."""
    fields: dict[str, str] = {}
    params: dict[str, tuple[str, str]] = {}
    current: tuple[str, str] | None = None
    for number, line in enumerate(lines, start=1):
        if line[:1].isspace() and current:
            kind, key = current
            if kind == "field":
                fields[key] = f"{fields[key]} {line.strip()}".strip()
            else:
                spec, doc = params[key]
                params[key] = (spec, f"{doc} {line.strip()}".strip())
        elif (match := _FIELD.match(line)) is not None:
            fields[match[1]] = match[2].strip()
            current = ("field", match[1])
        elif (match := _PARAM.match(line)) is not None:
            params[match[1]] = (match[2].strip(), "")
            current = ("param", match[1])
        elif line.strip():
            raise CatalogError(
                f"queries/{slug}.rq: header line {number} {line!r}: expected 'title:', "
                "'description:', 'tags:', 'chart:' or 'param NAME:', or an indented continuation"
            )
    return fields, params


_LISTS = {"values", "levels", "kinds"}
_INTS = {"minimum", "maximum", "max_length"}


def _parameter(slug: str, name: str, spec: str, description: str) -> Parameter:
    where = f"queries/{slug}.rq: parameter {name!r}"
    values: dict[str, Any] = {"description": description}
    for item in (part.strip() for part in spec.split(";")):
        key, has_value, value = item.partition("=")
        key = key.strip()
        if key not in Parameter.__dataclass_fields__ or key in ("name", "description"):
            raise CatalogError(f"{where}: unknown field {key!r}")
        if not has_value:
            values[key] = True
        elif key in _LISTS:
            items = tuple(v.strip() for v in value.split(",") if v.strip())
            values[key] = tuple(int(v) for v in items) if key == "levels" else items
        elif key in _INTS:
            values[key] = int(value)
        else:
            values[key] = value.strip()
    if values.get("type") not in TYPES:
        raise CatalogError(f"{where}: expected type=one of {', '.join(TYPES)}")
    parameter = Parameter(name=name, **values)
    if parameter.type == "enum" and not parameter.values:
        raise CatalogError(f"{where}: an enum needs values")
    if parameter.type in ("year", "integer") and (
        parameter.minimum is None or parameter.maximum is None
    ):
        raise CatalogError(f"{where}: an integer needs minimum and maximum")
    return parameter


def _chart(slug: str, spec: str | None, tagged: bool, text: str) -> Chart | None:
    """The ``chart:`` field as a Chart; it goes with the ``chart`` tag, and names result columns."""
    where = f"queries/{slug}.rq: chart"
    if spec is None or not tagged:
        if spec is not None or tagged:
            raise CatalogError(f"{where}: the 'chart' tag and a 'chart:' field go together")
        return None
    items = dict(part.strip().partition("=")[::2] for part in spec.split(";") if part.strip())
    if set(items) - {"x", "y", "kind"} or not items.get("x") or not items.get("y"):
        raise CatalogError(f"{where}: expected 'x=COLUMN; y=COLUMN[,COLUMN...]; kind=KIND'")
    chart = Chart(
        x=items["x"].strip(),
        y=tuple(c.strip() for c in items["y"].split(",") if c.strip()),
        kind=items.get("kind", "bar").strip(),
    )
    if chart.kind not in CHART_KINDS:
        raise CatalogError(f"{where}: expected kind=one of {', '.join(CHART_KINDS)}")
    for column in (chart.x, *chart.y):
        if not re.search(rf"[?$]{re.escape(column)}\b", text):
            raise CatalogError(f"{where}: the query has no column ?{column}")
    return chart


def _check_variables(slug: str, text: str, parameters: tuple[Parameter, ...]) -> None:
    body = "\n".join(line for line in text.splitlines() if not line.lstrip().startswith("#"))
    used = set(_VARIABLE.findall(body))
    declared = {p.name for p in parameters}
    added = {f"{p.name}_{part}" for p in parameters if p.type == "title" for part in RANKED}
    used -= added
    if used - declared:
        raise CatalogError(
            f"queries/{slug}.rq: the query uses undeclared parameter(s) "
            + ", ".join(f"?_{n}" for n in sorted(used - declared))
        )
    if declared - used:
        raise CatalogError(
            f"queries/{slug}.rq: declared parameter(s) not used in the query: "
            + ", ".join(sorted(declared - used))
        )
    if declared and PLACEHOLDER not in text:
        raise CatalogError(
            f"queries/{slug}.rq: a query with parameters needs a '{PLACEHOLDER}' line"
        )
