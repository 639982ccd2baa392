#!/usr/bin/python3
"""Checks docs/openapi.yaml against the official OpenAPI 3.1 schema and against the server.

Usage: /usr/bin/python3 tests/tools/validate_openapi.py REPO_ROOT

1. The document validates against the OpenAPI 3.1 JSON Schema (tests/testdata/openapi-3.1-schema.json,
   schemas/v3.1/schema.json of OAI/OpenAPI-Specification, which uses the JSON Schema 2020-12
   meta-schema that python3-jsonschema ships).
2. Every component schema is a valid JSON Schema 2020-12 schema, every local $ref resolves, and no
   schema describes a number that is not an integer (the API has no fractions).
3. Every example in a request or response body validates against that body's schema, and every error
   example's code answers with the HTTP status under which it is listed.
4. The routes: every route the server implements (ROUTES below, checked against the literal path
   segments in server/*.cc) is in the spec, and every operation in the spec is implemented.
5. The error codes: the ErrorCode enum holds exactly the codes of ledger/status.cc (all but "ok"),
   and its x-http-status map matches the table.

Exits 0 when everything holds; otherwise prints each problem and exits 1 (2 for usage errors).
"""
import json
import pathlib
import re
import sys

import jsonschema
import yaml

# (method, path) of everything server/api.cc, api_projections.cc, api_reports.cc, api_tiles.cc and
# http_server.cc answer. Path parameters are written {name}; their names need not match the spec's.
ROUTES = [
    ("POST", "/v1/entries"),
    ("GET", "/v1/entries"),
    ("GET", "/v1/entries/{seq}"),
    ("GET", "/v1/checkpoint"),
    ("GET", "/v1/ledger-key"),
    ("GET", "/v1/ledger-keys"),
    ("GET", "/v1/proofs/inclusion"),
    ("GET", "/v1/proofs/consistency"),
    ("GET", "/v1/units"),
    ("GET", "/v1/units/{id}"),
    ("GET", "/v1/campaigns"),
    ("GET", "/v1/campaigns/{campaign}"),
    ("GET", "/v1/campaigns/{campaign}/quotas"),
    ("GET", "/v1/campaigns/{campaign}/reports/{name}"),
    ("POST", "/v1/check"),
    ("GET", "/v1/campaigns/{campaign}/review-scope"),
    ("GET", "/v1/campaigns/{campaign}/outcomes"),
    ("GET", "/v1/documents/{sha256}"),
    ("GET", "/v1/actors"),
    ("GET", "/v1/actors/{actor}"),
    ("GET", "/v1/stream"),  # the WebSocket upgrade (http_server.cc, Api::OpenStream)
    ("GET", "/tlog/checkpoint"),  # the C2SP tlog-tiles read API (api_tiles.cc)
    ("GET", "/tlog/tile/{level}/{index}"),
    ("GET", "/tlog/tile/entries/{index}"),
    ("GET", "/healthz"),
    ("GET", "/metrics"),
]
SERVER_SOURCES = ["server/api.cc", "server/api_projections.cc", "server/api_reports.cc", "server/api_tiles.cc", "server/http_server.cc"]
METHODS = ("get", "put", "post", "delete", "options", "head", "patch", "trace")


class Checker:
    def __init__(self, root: pathlib.Path):
        self.root = root
        self.problems = []

    def fail(self, message):
        self.problems.append(message)

    def read(self, relative):
        path = self.root / relative
        try:
            return path.read_text(encoding="utf-8")
        except OSError as e:
            self.fail(f"cannot read {path}: {e}")
            return None


def walk(node, path=""):
    """Yields (json pointer, value) for every node of a parsed YAML/JSON document."""
    yield path, node
    if isinstance(node, dict):
        for k, v in node.items():
            yield from walk(v, f"{path}/{str(k).replace('~', '~0').replace('/', '~1')}")
    elif isinstance(node, list):
        for i, v in enumerate(node):
            yield from walk(v, f"{path}/{i}")


def resolve_pointer(doc, ref):
    if not ref.startswith("#"):
        raise KeyError(f"not a local reference: {ref}")
    node = doc
    for part in ref[1:].split("/")[1:]:
        part = part.replace("~1", "/").replace("~0", "~")
        if isinstance(node, list):
            node = node[int(part)]
        else:
            node = node[part]
    return node


def normalise(path):
    return re.sub(r"\{[^}]*\}", "{}", path)


def check_document(c: Checker, spec, oas_schema):
    validator = jsonschema.Draft202012Validator(oas_schema)
    errors = sorted(validator.iter_errors(spec), key=lambda e: list(e.absolute_path))
    for e in errors[:20]:
        where = "/".join(str(p) for p in e.absolute_path) or "(root)"
        c.fail(f"OpenAPI 3.1 schema: at {where}: {e.message[:300]}")
    if len(errors) > 20:
        c.fail(f"OpenAPI 3.1 schema: … and {len(errors) - 20} more errors")
    if not str(spec.get("openapi", "")).startswith("3.1."):
        c.fail(f"openapi must be 3.1.x, got {spec.get('openapi')!r}")


def check_schemas(c: Checker, spec):
    # Values YAML turned into something JSON has no word for (dates, floats) are mistakes.
    for pointer, value in walk(spec):
        if isinstance(value, float):
            c.fail(f"{pointer}: {value!r} is a fraction; every number in the API is an integer")
        elif not isinstance(value, (dict, list, str, int, bool, type(None))):
            c.fail(f"{pointer}: YAML made a {type(value).__name__} of {value!r}; quote it")
    for pointer, value in walk(spec):
        if not isinstance(value, dict):
            continue
        ref = value.get("$ref")
        if isinstance(ref, str):
            try:
                resolve_pointer(spec, ref)
            except (KeyError, IndexError, ValueError):
                c.fail(f"{pointer}: $ref {ref} does not resolve")
        types = value.get("type")
        types = types if isinstance(types, list) else [types]
        if "number" in types and "/example" not in pointer:
            c.fail(f"{pointer}: type number; use integer (the API has no fractions)")
        if value.get("format") in ("float", "double"):
            c.fail(f"{pointer}: format {value['format']}; use integer")
    for name, schema in (spec.get("components", {}).get("schemas") or {}).items():
        try:
            jsonschema.Draft202012Validator.check_schema(schema)
        except jsonschema.SchemaError as e:
            c.fail(f"components.schemas.{name} is not a valid JSON Schema 2020-12 schema: {e.message[:300]}")


def check_examples(c: Checker, spec, status_of_code):
    resolver = jsonschema.RefResolver.from_schema(spec)

    def validate(pointer, schema, value):
        validator = jsonschema.Draft202012Validator(schema, resolver=resolver)
        try:
            for e in validator.iter_errors(value):
                where = "/".join(str(p) for p in e.absolute_path) or "(root)"
                c.fail(f"{pointer}: the example does not match its schema at {where}: {e.message[:300]}")
        except jsonschema.RefResolutionError as e:
            c.fail(f"{pointer}: cannot check the example, its schema has a $ref that does not resolve: {e}")

    def examples_of(pointer, media):
        if "example" in media:
            yield f"{pointer}/example", media["example"]
        for name, ex in (media.get("examples") or {}).items():
            if isinstance(ex, dict) and "$ref" in ex:
                ex = resolve_pointer(spec, ex["$ref"])
            if isinstance(ex, dict) and "value" in ex:
                yield f"{pointer}/examples/{name}", ex["value"]

    def response_of(resp):
        return resolve_pointer(spec, resp["$ref"]) if "$ref" in resp else resp

    count = 0
    for path, item in (spec.get("paths") or {}).items():
        for method in METHODS:
            op = item.get(method)
            if not isinstance(op, dict):
                continue
            base = f"paths.{path}.{method}"
            bodies = []
            if "requestBody" in op:
                bodies.append((f"{base}.requestBody", None, op["requestBody"]))
            for status, resp in (op.get("responses") or {}).items():
                bodies.append((f"{base}.responses.{status}", str(status), response_of(resp)))
            for pointer, status, body in bodies:
                for media_type, media in (body.get("content") or {}).items():
                    schema = media.get("schema")
                    for ex_pointer, value in examples_of(f"{pointer}.content.{media_type}", media):
                        count += 1
                        if schema is not None:
                            validate(ex_pointer, schema, value)
                        code = value.get("error", {}).get("code") if isinstance(value, dict) and isinstance(value.get("error"), dict) else None
                        if code and status and status_of_code.get(code) is not None and str(status_of_code[code]) != status:
                            c.fail(f"{ex_pointer}: error code {code} answers HTTP {status_of_code[code]}, but the example is listed under {status}")
    for name, schema in (spec.get("components", {}).get("schemas") or {}).items():
        for i, value in enumerate(schema.get("examples") or []):
            count += 1
            validate(f"components.schemas.{name}.examples[{i}]", schema, value)
    if count == 0:
        c.fail("the spec has no examples to check")


def check_routes(c: Checker, spec):
    sources = "".join(c.read(s) or "" for s in SERVER_SOURCES)
    for method, path in ROUTES:
        for segment in path.strip("/").split("/"):
            if segment.startswith("{") or segment == "v1":
                continue
            if f'"{segment}"' not in sources and f"/{segment}" not in sources:
                c.fail(f"route {method} {path}: the segment \"{segment}\" appears nowhere in {', '.join(SERVER_SOURCES)}; "
                       "update ROUTES in this script if the server changed")
    implemented = {(m, normalise(p)) for m, p in ROUTES}
    documented = set()
    for path, item in (spec.get("paths") or {}).items():
        for method in METHODS:
            if method in (item or {}):
                documented.add((method.upper(), normalise(path)))
    for m, p in sorted(implemented - documented):
        c.fail(f"the server implements {m} {p}, but docs/openapi.yaml does not describe it")
    for m, p in sorted(documented - implemented):
        c.fail(f"docs/openapi.yaml describes {m} {p}, which the server does not implement")


def status_table(c: Checker):
    text = c.read("ledger/status.cc")
    if text is None:
        return {}
    table = dict()
    for name, status in re.findall(r'case\s+Code::k\w+:\s*return\s*\{\s*"([a-z_]+)"\s*,\s*(\d+)\s*\}', text):
        table[name] = int(status)
    if not table:
        c.fail("found no error-code table in ledger/status.cc (case Code::kX: return {\"name\", status};)")
    table.pop("ok", None)
    return table


def check_error_codes(c: Checker, spec, table):
    schemas = spec.get("components", {}).get("schemas") or {}
    try:
        code_schema = schemas["Error"]["properties"]["error"]["properties"]["code"]
        if "$ref" in code_schema:
            code_schema = resolve_pointer(spec, code_schema["$ref"])
        enum = code_schema["enum"]
    except (KeyError, TypeError):
        c.fail("components.schemas.Error has no error.code enum")
        return
    for code in sorted(set(table) - set(enum)):
        c.fail(f"error code {code} (HTTP {table[code]}, ledger/status.cc) is missing from the Error schema's code enum")
    for code in sorted(set(enum) - set(table)):
        c.fail(f"the Error schema's code enum lists {code}, which ledger/status.cc does not define")
    statuses = code_schema.get("x-http-status", {})
    for code, status in sorted(table.items()):
        if code in statuses and statuses[code] != status:
            c.fail(f"x-http-status says {code} is {statuses[code]}, ledger/status.cc says {status}")


def main(argv):
    if len(argv) != 2:
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1])
    c = Checker(root)
    spec_text = c.read("docs/openapi.yaml")
    schema_text = c.read("tests/testdata/openapi-3.1-schema.json")
    if spec_text is None or schema_text is None:
        print("\n".join(f"FAIL: {p}" for p in c.problems), file=sys.stderr)
        return 1
    try:
        spec = yaml.safe_load(spec_text)
    except yaml.YAMLError as e:
        print(f"FAIL: docs/openapi.yaml is not valid YAML: {e}", file=sys.stderr)
        return 1
    if not isinstance(spec, dict):
        print("FAIL: docs/openapi.yaml is not a mapping", file=sys.stderr)
        return 1
    oas_schema = json.loads(schema_text)

    table = status_table(c)
    check_document(c, spec, oas_schema)
    check_schemas(c, spec)
    check_examples(c, spec, table)
    check_routes(c, spec)
    check_error_codes(c, spec, table)

    if c.problems:
        for p in c.problems:
            print(f"FAIL: {p}", file=sys.stderr)
        print(f"docs/openapi.yaml: {len(c.problems)} problem(s)", file=sys.stderr)
        return 1
    operations = sum(1 for item in spec["paths"].values() for m in METHODS if m in item)
    print(f"docs/openapi.yaml: valid OpenAPI {spec['openapi']} ({oas_schema.get('$id')}); "
          f"{operations} operations match the server's {len(ROUTES)} routes; "
          f"{len(table)} error codes match ledger/status.cc")
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
