#!/usr/bin/env python3
"""Generate shapes/ctdl.ttl from the Credential Registry policy and the CTDL vocabulary.

Run from the repository root:

    python scripts/ctdl_shapes.py                 # write shapes/ctdl.ttl
    python scripts/ctdl_shapes.py --check         # fail if shapes/ctdl.ttl differs from a fresh run

Inputs (none is shipped; only the generated shapes are):
  --policy   Credential Engine's policy-browser data, policyBrowserData.json (March 2022)
  --schema   the CTDL vocabulary as JSON-LD, ctdl/schema.json (credreg.net, 2026)
  --context  the CTDL JSON-LD context (bundled: src/skillsgap/data/ctdl/ctdl/context.json)

What is derived, and how, is written at the top of the output (see HEADER).
"""

from __future__ import annotations

import argparse
import json
import sys
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
SHARED = Path("/work/shared/data")
DEFAULT_POLICY = SHARED / "ctdl-policy-browser" / "policyBrowserData.json"
DEFAULT_SCHEMA = SHARED / "ctdl" / "ctdl" / "schema.json"
DEFAULT_CONTEXT = ROOT / "src" / "skillsgap" / "data" / "ctdl" / "ctdl" / "context.json"
TARGET = ROOT / "shapes" / "ctdl.ttl"

# The CTDL classes skillsgap writes, each with the policy entry whose lists it takes. The policy
# has no entry for ceterms:Credential (the general class: the lists common to every credential
# class are used) or ceterms:Course (a subclass of LearningOpportunityProfile in CTDL: its lists).
CLASSES = {
    "ceterms:ApprenticeshipCertificate": "ceterms:ApprenticeshipCertificate",
    "ceterms:Certificate": "ceterms:Certificate",
    "ceterms:Diploma": "ceterms:Diploma",
    "ceterms:Credential": "category:Credentials",
    "ceterms:CredentialOrganization": "ceterms:CredentialOrganization",
    "ceterms:LearningOpportunityProfile": "ceterms:LearningOpportunityProfile",
    "ceterms:Course": "ceterms:LearningOpportunityProfile",
    "ceterms:CostProfile": "ceterms:CostProfile",
    "ceterms:CredentialAlignmentObject": "ceterms:CredentialAlignmentObject",
}
# Required, but a record without it is still usable: checked at sh:Warning (see HEADER). Only a
# record without a name is refused.
REFUSED_WITHOUT = {"ceterms:name"}
# Rules the policy and vocabulary do not state, added by hand (see HEADER).
PATTERNS = {
    "ceterms:ctid": "^ce-[0-9a-f]{8}(-[0-9a-f]{4}){3}-[0-9a-f]{12}$",
    "ceterms:email": "^[^@\\s]+@[^@\\s]+$",
}
ONE_PER_LANGUAGE = {"ceterms:name", "ceterms:description"}
REGISTRY_TERMS = "https://credreg.net/ctdl/terms/"
PREFIXES = {
    "sh": "http://www.w3.org/ns/shacl#",
    "rdf": "http://www.w3.org/1999/02/22-rdf-syntax-ns#",
    "rdfs": "http://www.w3.org/2000/01/rdf-schema#",
    "xsd": "http://www.w3.org/2001/XMLSchema#",
    "skos": "http://www.w3.org/2004/02/skos/core#",
    "dct": "http://purl.org/dc/terms/",
    "ceterms": "https://purl.org/ctdl/terms/",
    "ceasn": "https://purl.org/ctdlasn/terms/",
    "sg": "https://w3id.org/skillsgap/def/",
    "sgsh": "https://w3id.org/skillsgap/shapes/",
}


@dataclass
class Policy:
    """What the Registry requires and recommends for one class: sets of alternative properties."""

    required: list[tuple[str, ...]] = field(default_factory=list)
    recommended: list[tuple[str, ...]] = field(default_factory=list)


@dataclass
class Vocabulary:
    """The CTDL terms (by CURIE) and the JSON-LD context's coercions."""

    terms: dict[str, dict[str, Any]]
    context: dict[str, Any]

    def concepts(self, scheme: str) -> list[str]:
        """The concepts CTDL lists in one of its concept schemes."""
        return sorted(
            curie
            for curie, term in self.terms.items()
            if term.get("@type") == "skos:Concept" and scheme in term.get("skos:inScheme", [])
        )

    def expand(self, curie: str) -> str:
        prefix, local = curie.split(":", 1)
        return str(self.context[prefix]) + local


# --- Reading the policy -------------------------------------------------------------------------


def own_property_sets(entry: dict[str, Any]) -> list[dict[str, Any]]:
    """A class's own property sets: the file appends another class's sets to some classes, so
    the class's own list ends where a set of properties repeats."""
    seen: set[tuple[str, ...]] = set()
    own = []
    for property_set in entry.get("PropertySets", []):
        key = tuple(property_set["PropertyURIs"])
        if key in seen:
            break
        seen.add(key)
        own.append(property_set)
    return own


def class_policy(data: dict[str, Any], curie: str) -> Policy:
    """Required sets from RawShapes (the Registry's required shapes; a class with none requires
    nothing), recommended from Policy."""
    raw = [shape for shape in data["RawShapes"] if shape["ClassURI"] == curie]
    entry = next(item for item in data["Policy"]["Classes"] if item["URI"] == curie)
    required = [tuple(s["PropertyURIs"]) for shape in raw for s in shape["PropertySets"]]
    policy = Policy(required=required)
    for property_set in own_property_sets(entry):
        key = tuple(property_set["PropertyURIs"])
        level = property_set.get("ImportanceLevel", "")
        if key == (curie,) or property_set.get("StatusURI") != "vs:stable":
            continue  # "credential type" is the class itself; pending policy is not policy yet
        if level == "constraintType:RequiresProperty" and key not in required:
            raise SystemExit(f"{curie}: policy requires {key} but RawShapes do not")
        # RecommendsProperty, or the one misspelt level ("RequiressProperty",
        # ApprenticeshipCertificate advancedStandingFrom) that RawShapes do not require.
        stated = ("constraintType:RequiresProperty", "constraintType:OptionalProperty")
        if level not in stated and key not in required:
            policy.recommended.append(key)
    return policy


def category_policy(data: dict[str, Any], category: str) -> Policy:
    """The sets every class of a policy category requires (recommends)."""
    members = [c["URI"] for c in data["Policy"]["Classes"] if c.get("CategoryURI") == category]
    policies = [class_policy(data, member) for member in members]
    required = [s for s in policies[0].required if all(s in p.required for p in policies)]
    recommended = [s for s in policies[0].recommended if all(s in p.recommended for p in policies)]
    return Policy(required, recommended)


def read_policies(data: dict[str, Any]) -> dict[str, Policy]:
    """The policy of each class in CLASSES."""
    return {
        curie: category_policy(data, source)
        if source.startswith("category:")
        else class_policy(data, source)
        for curie, source in CLASSES.items()
    }


# --- Turtle ------------------------------------------------------------------------------------


def a(word: str) -> str:
    """``word`` with its indefinite article."""
    return ("an " if word[0].lower() in "aeiou" else "a ") + word


def shape_name(*parts: str) -> str:
    return "sgsh:ctdl-" + "-".join(part.split(":", 1)[-1] for part in parts)


def quoted(text: str) -> str:
    return json.dumps(text, ensure_ascii=False)


def top_level_classes(vocabulary: Vocabulary) -> set[str]:
    """Classes whose instances are Registry resources (they have a CTID): referenced, not embedded."""
    return set(vocabulary.terms["ceterms:ctid"]["schema:domainIncludes"])


def form(prop: str, vocabulary: Vocabulary) -> tuple[list[str], str] | None:
    """The constraints on a property's values, from the context's coercion and the range."""
    coercion = vocabulary.context.get(prop, {})
    ranges = vocabulary.terms.get(prop, {}).get("schema:rangeIncludes", [])
    kind = coercion.get("@type") if isinstance(coercion, dict) else None
    if isinstance(coercion, dict) and coercion.get("@container") == "@language":
        found = (["sh:datatype rdf:langString"], "text with a language tag")
    elif kind == "@id" and ranges and all(r == "xsd:anyURI" for r in ranges):
        found = (["sh:nodeKind sh:IRI"], "an IRI")
    elif kind == "@id" and ranges and not set(ranges) & top_level_classes(vocabulary):
        classes = " ".join(f"[ sh:class {r} ]" for r in ranges)
        constraint = f"sh:class {ranges[0]}" if len(ranges) == 1 else f"sh:or ( {classes} )"
        found = ([constraint], a(" or ".join(ranges) + " node"))
    elif kind == "@id":
        found = (["sh:nodeKind sh:BlankNodeOrIRI"], "a node (an IRI), not a literal")
    elif kind and kind.startswith("xsd:"):
        found = ([f"sh:datatype {kind}"], f"a literal of type {kind}")
    else:
        return None
    constraints, words = found
    if prop in PATTERNS:
        constraints.append(f"sh:pattern {quoted(PATTERNS[prop])}")
        words += f" matching {PATTERNS[prop]}"
    if prop in ONE_PER_LANGUAGE:
        constraints.append("sh:uniqueLang true")
        words += ", at most one per language"
    return constraints, words


def property_block(lines: list[str], severity: str, message: str) -> str:
    body = "".join(f"        {line} ;\n" for line in lines)
    return (
        f"    sh:property [\n{body}        sh:severity sh:{severity} ;\n"
        f"        sh:message {quoted(message)} ;\n    ]"
    )


def node_shape(name: str, curie: str, extra: list[str], parts: list[str]) -> str:
    """A node shape targeting ``curie`` with header lines ``extra`` and property shapes ``parts``."""
    head = f"{name}\n    a sh:NodeShape ;\n    sh:targetClass {curie} ;\n"
    head += "".join(f"    {line} ;\n" for line in extra)
    return head + " ;\n".join(parts) + " .\n"


def comment(curie: str, policy: Policy) -> str:
    sets = [
        ", ".join(" or ".join(s) for s in sets) for sets in (policy.required, policy.recommended)
    ]
    return (
        f"Credential Registry policy (March 2022) for {CLASSES[curie]}: requires "
        f"{sets[0] or 'nothing'}; recommends {sets[1] or 'nothing'}."
    )


def form_shape(curie: str, policy: Policy, vocabulary: Vocabulary) -> str:
    """The gate's shape for a class: it has a name, and every value has the form CTDL gives it."""
    label = curie.split(":", 1)[1]
    parts = [
        property_block([f"sh:path {p}", "sh:minCount 1"], "Violation", f"{a(label)} needs a {p}")
        for p in sorted(REFUSED_WITHOUT)
        if (p,) in policy.required
    ]
    levels = [(s, "Violation", "required") for s in policy.required]
    levels += [(s, "Warning", "recommended") for s in policy.recommended]
    seen: set[str] = set()
    for property_set, severity, status in levels:
        for prop in property_set:
            found = form(prop, vocabulary)
            if found is None or prop in seen or prop not in vocabulary.terms:
                continue
            seen.add(prop)
            constraints, words = found
            message = f"{prop} ({status} for {a(label)}) must be {words}"
            parts.append(property_block([f"sh:path {prop}", *constraints], severity, message))
    return node_shape(
        shape_name(curie), curie, [f"rdfs:comment {quoted(comment(curie, policy))}"], parts
    )


def registry_message(curie: str, property_set: tuple[str, ...], level: str) -> str:
    label = curie.split(":", 1)[1]
    return f"the Credential Registry {level} {' or '.join(property_set)} for {a(label)}"


def registry_shapes(curie: str, policy: Policy) -> str:
    """The Registry's own profile of a class (presence of each property): switched off in the gate."""
    blocks = []
    for level, sets, severity in (
        ("requires", policy.required, "Violation"),
        ("recommends", policy.recommended, "Warning"),
    ):
        extra = ["sh:deactivated true", f"rdfs:comment {quoted(comment(curie, policy))}"]
        parts = [
            property_block(
                [f"sh:path {prop}", "sh:minCount 1"],
                severity,
                registry_message(curie, (prop,), level),
            )
            for (prop, *others) in sets
            if not others
        ]
        if parts:
            blocks.append(node_shape(shape_name(curie, "registry", level), curie, extra, parts))
        for property_set in (s for s in sets if len(s) > 1):
            members = " ".join(f"[ sh:path {p} ; sh:minCount 1 ]" for p in property_set)
            choice = [
                "sh:deactivated true",
                f"sh:or ( {members} )",
                f"sh:severity sh:{severity}",
                f"sh:message {quoted(registry_message(curie, property_set, level))}",
            ]
            name = shape_name(curie, "registry", level, *property_set)
            blocks.append(node_shape(name, curie, choice, []).replace(" ;\n .", " ."))
    return "\n".join(blocks)


def scheme_shape(prop: str, scheme: str, vocabulary: Vocabulary) -> str:
    """An alignment through ``prop`` points into CTDL's concept scheme for it."""
    concepts = " ".join(f"<{vocabulary.expand(c)}>" for c in vocabulary.concepts(scheme))
    # The Registry's own records name the scheme by its credreg.net page, not its purl IRI.
    names = f"{scheme} <{REGISTRY_TERMS}{scheme.split(':', 1)[1]}>"
    return (
        f"{shape_name(prop, 'alignment')}\n    a sh:NodeShape ;\n    sh:targetObjectsOf {prop} ;\n"
        f"    sh:property [\n        sh:path ceterms:framework ;\n        sh:in ( {names} ) ;\n"
        f"        sh:message {quoted(f'the framework of a {prop} alignment is {scheme}')} ;\n"
        f"    ] ;\n    sh:property [\n        sh:path ceterms:targetNode ;\n"
        f"        sh:in ( {concepts} ) ;\n"
        f"        sh:message {quoted(f'the target of a {prop} alignment is a concept of {scheme}')} ;\n"
        f"    ] .\n"
    )


def scheme_properties(policies: dict[str, Policy], vocabulary: Vocabulary) -> dict[str, str]:
    """Properties of the shaped classes whose targets CTDL lists in one of its concept schemes."""
    found = {}
    for policy in policies.values():
        for property_set in policy.required + policy.recommended:
            for prop in property_set:
                for scheme in vocabulary.terms.get(prop, {}).get("meta:targetScheme", []):
                    if vocabulary.concepts(scheme):
                        found[prop] = scheme
    return dict(sorted(found.items()))


def generate(data: dict[str, Any], vocabulary: Vocabulary) -> str:
    """The whole shapes file."""
    policies = read_policies(data)
    prefixes = "".join(f"@prefix {p}: <{iri}> .\n" for p, iri in PREFIXES.items())
    blocks = [
        HEADER,
        prefixes,
        "\n# --- The gate: names and the form of every value, per class ---\n",
    ]
    blocks += [form_shape(curie, policy, vocabulary) for curie, policy in policies.items()]
    blocks.append("# --- Alignments into CTDL's own concept schemes ---\n")
    for prop, scheme in scheme_properties(policies, vocabulary).items():
        blocks.append(scheme_shape(prop, scheme, vocabulary))
    blocks.append(PROJECT_RULES)
    blocks.append(REGISTRY_HEADER)
    blocks += [registry_shapes(curie, policy) for curie, policy in policies.items()]
    return "\n".join(blocks)


def load_vocabulary(schema: Path, context: Path) -> Vocabulary:
    terms = {t["@id"]: t for t in json.loads(schema.read_text(encoding="utf-8"))["@graph"]}
    return Vocabulary(terms, json.loads(context.read_text(encoding="utf-8"))["@context"])


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--policy", type=Path, default=DEFAULT_POLICY)
    parser.add_argument("--schema", type=Path, default=DEFAULT_SCHEMA)
    parser.add_argument("--context", type=Path, default=DEFAULT_CONTEXT)
    parser.add_argument("--check", action="store_true", help="compare with shapes/ctdl.ttl")
    options = parser.parse_args(argv)
    data = json.loads(options.policy.read_text(encoding="utf-8"))
    text = generate(data, load_vocabulary(options.schema, options.context))
    if options.check:
        same = TARGET.read_text(encoding="utf-8") == text
        print("shapes/ctdl.ttl is up to date" if same else "shapes/ctdl.ttl differs: regenerate")
        return 0 if same else 1
    TARGET.write_text(text, encoding="utf-8")
    print(f"wrote {TARGET.relative_to(ROOT)}")
    return 0


HEADER = """\
# SHACL shapes for the CTDL (Credential Transparency Description Language) data skillsgap holds:
# credentials, organisations, learning opportunities, costs and alignments, from every source.
#
# GENERATED by scripts/ctdl_shapes.py: edit the script, not this file.
#
# Derivation
# - Which properties each class needs comes from the Credential Registry's own policy (Credential
#   Engine's policy-browser data, March 2022, via philbarker/CredRegSHACL): "RawShapes" list what
#   the Registry *requires* per class, "Policy" what it *recommends* (importance level
#   RecommendsProperty). A set of several properties means "one of them" (ownedBy or offeredBy).
#   The policy appends another class's property sets to some classes; a class's own list is taken
#   to end where a set repeats. One level is misspelt ("RequiressProperty": advancedStandingFrom
#   of ApprenticeshipCertificate); RawShapes do not require it, so it counts as recommended.
#   ceterms:Credential has no policy entry: it gets what every credential class requires and
#   recommends. ceterms:Course (a LearningOpportunityProfile in CTDL) gets that class's lists.
# - What a value must look like comes from the CTDL JSON-LD context (how a CTDL document's value
#   becomes RDF) and the range in the CTDL vocabulary (schema.json, 2026): a language map is text
#   with a language tag; an @id whose range is xsd:anyURI is an IRI; an @id whose range is a class
#   that CTDL embeds (no CTID: alignments, places, identifier values, cost profiles) must be a
#   node of that class; an @id whose range is a Registry resource (a credential, an organisation)
#   must be a node, wherever it is described; a typed literal has that datatype.
# - Alignments through a property whose targets CTDL lists in one of its own concept schemes
#   (agentType -> OrganizationType, credentialStatusType -> CredentialStatus...) must name that
#   scheme as framework (by its purl IRI, or by its credreg.net page as Registry records do) and
#   one of its concepts as target.
# - Added by hand: a CTID is "ce-" and a lower-case UUID; an email has an @; a name and a
#   description are one per language.
#
# Two profiles in this file
# - The gate (active shapes): every record has a ceterms:name (sh:Violation); every value of a
#   property the Registry requires has the form CTDL gives it (sh:Violation), and every value of
#   a property it recommends too (sh:Warning); alignments stay inside CTDL's concept schemes
#   (sh:Violation); and skillsgap's own rules at the end (how each occupation link was made...).
# - The Registry's own profile (shapes with sh:deactivated true, at the end): each property the
#   Registry requires must be present (sh:Violation), each it recommends should be (sh:Warning).
#   It is switched off in the gate because no UK public source can meet it: none has CTIDs
#   (Registry identifiers), LARS has no descriptions, awarding organisations no addresses. Switch
#   it on (drop the sh:deactivated triples) to ask whether records could be published to the
#   Registry; that is how tests/test_ctdl_shapes.py checks these shapes against Phil Barker's
#   draft shapes and samples (ctdl-shacl-philbarker): their valid samples conform, their error
#   samples fail with the errors they state, and the differences are explained there.
"""

REGISTRY_HEADER = """
# --- The Credential Registry's own profile: switched off in the gate (sh:deactivated true) ---
"""

PROJECT_RULES = """
# --- skillsgap's own rules: how each link to an occupation or industry was made ---

sgsh:ctdl-occupation-alignment
    a sh:NodeShape ;
    sh:targetObjectsOf ceterms:occupationType, ceterms:industryType ;
    rdfs:comment "An occupation or industry link is an alignment object that says how it was made (sg:linkMethod): stated by the source, from a published mapping, or derived by skillsgap." ;
    sh:class ceterms:CredentialAlignmentObject ;
    sh:message "an occupation or industry link is a ceterms:CredentialAlignmentObject" ;
    sh:property [
        sh:path sg:linkMethod ;
        sh:minCount 1 ;
        sh:maxCount 1 ;
        sh:in ( sg:Stated sg:PublishedMapping sg:Derived ) ;
        sh:message "an occupation or industry link has one sg:linkMethod: sg:Stated, sg:PublishedMapping or sg:Derived" ;
    ] ;
    sh:property [
        sh:path sg:linkScore ;
        sh:maxCount 1 ;
        sh:datatype xsd:decimal ;
        sh:minInclusive 0 ;
        sh:maxInclusive 1 ;
        sh:message "sg:linkScore is one xsd:decimal from 0 to 1" ;
    ] ;
    sh:property [
        sh:path sg:linkRank ;
        sh:maxCount 1 ;
        sh:datatype xsd:integer ;
        sh:minInclusive 1 ;
        sh:message "sg:linkRank is one xsd:integer from 1 (the best candidate)" ;
    ] ;
    sh:property [
        sh:path ceterms:targetNode ;
        sh:nodeKind sh:IRI ;
        sh:or (
            [ sh:class sg:SOC2020Group ]
            [ sh:class sg:SOC2010Group ]
            [ sh:class sg:SICCode ]
            [ sh:not [ sh:pattern "^https://w3id\\\\.org/skillsgap/id/(soc20[12]0|sic2007)/" ] ]
        ) ;
        sh:message "the target of an occupation or industry link is an IRI; one of skillsgap's SOC or SIC IRIs must be a group that exists (load ons-soc2020 first)" ;
    ] .

sgsh:ctdl-derived-link
    a sh:NodeShape ;
    sh:targetObjectsOf ceterms:occupationType, ceterms:industryType ;
    sh:or (
        [ sh:not [ sh:path sg:linkMethod ; sh:hasValue sg:Derived ] ]
        [ sh:and (
            [ sh:path sg:linkScore ; sh:minCount 1 ]
            [ sh:path sg:linkAlgorithm ; sh:minCount 1 ; sh:maxCount 1 ]
        ) ]
    ) ;
    sh:message "a derived link names its algorithm (sg:linkAlgorithm) and its score (sg:linkScore)" .

sgsh:ctdl-mapped-link
    a sh:NodeShape ;
    sh:targetObjectsOf ceterms:occupationType, ceterms:industryType ;
    sh:or (
        [ sh:not [ sh:path sg:linkMethod ; sh:hasValue sg:PublishedMapping ] ]
        [ sh:path dct:source ; sh:minCount 1 ]
    ) ;
    sh:message "a link from a published mapping names the mapping (dct:source)" .

sgsh:ctdl-place
    a sh:NodeShape ;
    sh:targetClass ceterms:Place ;
    sh:property [
        sh:path sg:inArea ;
        sh:class sg:Area ;
        sh:message "sg:inArea is an ONS area (sg:Area) that exists in the geography graphs" ;
    ] ;
    sh:property [
        sh:path ceterms:postalCode ;
        sh:datatype xsd:string ;
        sh:maxCount 1 ;
        sh:message "a place has at most one ceterms:postalCode, a plain string" ;
    ] .

sgsh:ctdl-identifier-value
    a sh:NodeShape ;
    sh:targetClass ceterms:IdentifierValue ;
    sh:property [
        sh:path ceterms:identifierValueCode ;
        sh:minCount 1 ;
        sh:maxCount 1 ;
        sh:datatype xsd:string ;
        sh:minLength 1 ;
        sh:message "an identifier value has one non-empty ceterms:identifierValueCode" ;
    ] .
"""

if __name__ == "__main__":
    sys.exit(main())
