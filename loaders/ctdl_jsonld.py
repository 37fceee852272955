"""CTDL documents in JSON-LD (Credential Registry records, a provider's own export) as triples.

A document whose ``@context`` is CTDL's (``https://credreg.net/ctdl/schema/context/json`` and
its http, CTDL-ASN and trailing-slash variants) is expanded with pyld against the copy of that
context bundled in ``skillsgap/data/ctdl/``. Nothing is ever fetched: any other remote ``@context``
is refused with an error naming the file and the URL. schema.org's context, which CTDL documents
often list beside CTDL's, stands in as an empty context: CTDL's own context defines the
``schema:`` prefix, so it changes nothing for prefixed terms, and a key only schema.org's
context would define is caught by the next rule.

Expansion silently drops keys no context defines; here such a key is an error naming it and the
node it is in, so nothing in a document is lost without a word. Blank nodes become IRIs of ours
(``iris.skolem_iri``: the document's SHA-256 and the node's label). An occupation or industry
alignment the document gives without saying how it was made is marked ``sg:Stated`` with the
document as ``dct:source``: the document states it.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Iterable, Iterator
from functools import cache
from pathlib import Path
from typing import Any

from pyld import jsonld
from pyoxigraph import BlankNode, DefaultGraph, Literal, NamedNode, Quad, RdfFormat, Triple, parse

from skillsgap import iris, resources
from skillsgap.errors import Found, SourceError
from skillsgap.loaders._tables import read_bytes
from skillsgap.namespaces import CETERMS, DCT, SG

BUNDLED = {
    "credreg.net/ctdl/schema/context/json": "ctdl/context.json",
    "credreg.net/ctdlasn/schema/context/json": "ctdlasn/context.json",
}
STAND_INS = {
    "schema.org",
    "schema.org/docs/jsonldcontext.json",
    "schema.org/docs/jsonldcontext.jsonld",
}
# Keys no context defines expand against this vocabulary, so they can be found and reported.
UNDEFINED = "urn:skillsgap:undefined-term:"
LINKED_PROPERTIES = (CETERMS.occupationType, CETERMS.industryType)

Loader = Callable[[str, Any], dict[str, Any]]


def context_key(url: str) -> str:
    """A context URL without its scheme and trailing slash, as BUNDLED and STAND_INS name it."""
    return url.split("://", 1)[-1].rstrip("/")


def is_ctdl_document(path: Path) -> bool:
    """Whether the JSON file at ``path`` names a CTDL context in its top-level ``@context``."""
    try:
        document = json.loads(path.read_bytes())
    except (OSError, ValueError):
        return False
    found = document.get("@context") if isinstance(document, dict) else None
    urls = found if isinstance(found, list) else [found]
    return any(isinstance(url, str) and context_key(url) in BUNDLED for url in urls)


def read_document(path: Path, strict: bool = True) -> list[Triple]:
    """A CTDL JSON-LD document's triples; a SourceError for anything that would be fetched, or
    (``strict``, the default) lost: ``strict=False`` drops undefined keys as JSON-LD does."""
    data = read_bytes(path)
    digest = hashlib.sha256(data).hexdigest()
    document = _parse_json(path.name, data)
    expanded = expand(path.name, document, iris.file_iri(digest).value + "/", strict)
    if strict:
        _check_defined(path.name, expanded)
    quads = _to_quads(path.name, expanded)
    triples = list(skolemised(quads, digest))
    return triples + list(stated_links(triples, path.name))


def read_documents(folder: Path) -> Iterator[Triple]:
    """Every ``*.jsonld`` CTDL document in ``folder``, in name order."""
    for path in sorted(folder.glob("*.jsonld")):
        yield from read_document(path)


# --- Expansion without the network ----------------------------------------------------------------


@cache
def bundled_context(name: str) -> dict[str, Any]:
    """A bundled context file, parsed once."""
    text = resources.bundled_data().joinpath("ctdl", name).read_text(encoding="utf-8")
    context: dict[str, Any] = json.loads(text)
    return context


def document_loader(file_name: str) -> Loader:
    """A pyld document loader that serves the bundled contexts and refuses every other URL."""

    def load(url: str, _options: Any) -> dict[str, Any]:
        key = context_key(url)
        if key in BUNDLED:
            document = bundled_context(BUNDLED[key])
        elif key in STAND_INS:
            document = {"@context": {}}
        else:
            raise SourceError(
                "remote @context refused: skillsgap never fetches contexts; inline it, or use "
                "CTDL's (https://credreg.net/ctdl/schema/context/json)",
                file=file_name,
                expected="a CTDL context or an inline @context",
                got=Found(url),
            )
        return {"contextUrl": None, "documentUrl": url, "document": document}

    return load


def expand(file_name: str, document: Any, base: str, strict: bool = True) -> list[Any]:
    """The document expanded by pyld against the bundled contexts (``strict``: undefined keys
    kept under the UNDEFINED vocabulary so they can be reported).

    Relative IRIs resolve against ``base``: the document's own IRI (by its SHA-256), so the same
    document gives the same triples wherever its file lies.
    """
    options: dict[str, Any] = {"documentLoader": document_loader(file_name), "base": base}
    if strict:
        options["expandContext"] = {"@vocab": UNDEFINED}
    try:
        expanded: list[Any] = jsonld.expand(document, options)
    except jsonld.JsonLdError as exc:
        refused = _cause(exc)
        if refused is not None:
            raise refused from None
        raise SourceError(f"not valid JSON-LD: {_first_line(exc)}", file=file_name) from None
    return expanded


def _cause(exc: BaseException | None) -> SourceError | None:
    """The SourceError our loader raised, however deep pyld wrapped it."""
    while exc is not None:
        if isinstance(exc, SourceError):
            return exc
        exc = exc.__cause__ or exc.__context__
    return None


def _first_line(exc: jsonld.JsonLdError) -> str:
    details = getattr(exc, "details", None) or {}
    return f"{getattr(exc, 'code', '') or exc.args[0]} {details}".strip()


def _check_defined(file_name: str, expanded: list[Any]) -> None:
    """A SourceError naming the keys (and types) no context defines, which JSON-LD would drop."""
    found = sorted(set(_undefined(expanded, "the document")))
    if found:
        listed = "; ".join(f"{key!r} in {where}" for key, where in found)
        raise SourceError(
            "keys that no @context defines would be dropped silently",
            file=file_name,
            expected="every key and @type defined by the document's @context",
            got=Found(listed),
        )


def _undefined(value: Any, where: str) -> Iterator[tuple[str, str]]:
    """(key, where) pairs of the expanded document that fell through to the UNDEFINED vocabulary."""
    if isinstance(value, list):
        for item in value:
            yield from _undefined(item, where)
    elif isinstance(value, dict):
        node = value.get("@id", where)
        for key, inner in value.items():
            if key.startswith(UNDEFINED):
                yield key.removeprefix(UNDEFINED), node
            elif key == "@type":
                types = inner if isinstance(inner, list) else [inner]
                undefined = (t for t in types if t.startswith(UNDEFINED))
                yield from ((f"@type {t.removeprefix(UNDEFINED)}", node) for t in undefined)
            elif not key.startswith("@"):
                yield from _undefined(inner, f"{key} of {node}")


# --- RDF ----------------------------------------------------------------------------------------


def _to_quads(file_name: str, expanded: list[Any]) -> list[Quad]:
    """The expanded document as RDF quads, read back by pyoxigraph."""
    try:
        nquads = jsonld.to_rdf(expanded, {"format": "application/n-quads"})
    except jsonld.JsonLdError as exc:
        raise SourceError(f"not convertible to RDF: {_first_line(exc)}", file=file_name) from None
    quads = list(parse(nquads.encode(), format=RdfFormat.N_QUADS))
    named = next((q.graph_name for q in quads if not isinstance(q.graph_name, DefaultGraph)), None)
    if named is not None:
        raise SourceError(
            "named graphs are not read from CTDL documents",
            file=file_name,
            expected="a document whose nodes are all in its default graph",
            got=Found(f"a graph named {named}"),
        )
    return quads


def skolemised(quads: Iterable[Quad], digest: str) -> Iterator[Triple]:
    """Triples with each blank node replaced by an IRI of ours made from the document and label."""

    def named(term: Any) -> Any:
        return iris.skolem_iri(digest, term.value) if isinstance(term, BlankNode) else term

    for quad in quads:
        yield Triple(named(quad.subject), quad.predicate, named(quad.object))


def stated_links(triples: list[Triple], file_name: str) -> Iterator[Triple]:
    """sg:Stated (from this document) for occupation and industry alignments that say nothing."""
    described = {t.subject for t in triples if t.predicate == SG.linkMethod}
    targets = {t.object for t in triples if t.predicate in LINKED_PROPERTIES}
    for node in sorted(targets - described, key=str):
        if isinstance(node, NamedNode):
            yield Triple(node, SG.linkMethod, SG.Stated)
            yield Triple(node, DCT.source, Literal(file_name))


def _parse_json(file_name: str, data: bytes) -> Any:
    """The document as JSON; a SourceError with the line of a syntax error."""
    try:
        return json.loads(data)
    except UnicodeDecodeError as exc:
        raise SourceError("not UTF-8 text", file=file_name, got=Found(str(exc))) from None
    except json.JSONDecodeError as exc:
        raise SourceError(
            f"not valid JSON: {exc.msg} (column {exc.colno})", file=file_name, row=exc.lineno
        ) from None
