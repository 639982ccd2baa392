#!/usr/bin/python3
"""Checks the campaign rule files config/campaigns/*.json (docs/rules.md).

Usage: /usr/bin/python3 tests/config/validate_rules.py <repo root> [<seeds dir>]

Run it with Debian's interpreter, which has python3-jsonschema. It checks, and exits 1 naming every
failure:
  1. the schema: valid draft 2020-12, closed everywhere, equal to what gen_rules_schema.py generates;
  2. every rule file against the schema, read strictly (duplicate keys, fractions and exponents are
     errors, as in PROTOCOL.md §1), and its file name equal to its campaign id;
  3. the facts of DOMAIN.md with exact assertions: the 2021 and 2023 quotas, deadlines, thresholds,
     scenario lists and review settings, 2023's eligibility equal to 2021's, the recommending
     authorities equal to tests/testdata/reference-data.json, no parks before 2021;
  4. that deliberately broken copies fail (a float quota, an unknown metric, ...), so that the checks
     above cannot pass vacuously;
  5. when the seed documents are at hand (argument 2, $PILOT_SEEDS_DIR or /work/shared/seeds), that
     every criterion text of 2021 and 2023 is quoted from the 2021 guide and that each source names
     its document. CI has only the repository and skips this step, saying so.
"""

import copy
import datetime
import decimal
import json
import os
import pathlib
import re
import sys

try:
    import jsonschema
except ImportError:
    sys.exit("validate_rules.py: jsonschema is missing; run it with /usr/bin/python3 (python3-jsonschema)")

sys.path.insert(0, str(pathlib.Path(__file__).resolve().parent))
import gen_rules_schema  # noqa: E402

CAMPAIGN_DIR = "config/campaigns"
REFERENCE_DATA = "tests/testdata/reference-data.json"
XPCC_AUTHORITY = "660000"  # DOMAIN.md: the XPCC has no GB/T 2260 code; its authority code is 660000
HISTORICAL = ["2017", "2018", "2019", "2020"]
SELECTION = ["2021", "2023"]

# DOMAIN.md "Recommending authorities and quotas".
EXPECTED_QUOTAS = {
    "2021": {
        "province": {"enterprise": 3, "street": 10, "park": 3, "base": 3},
        "planned_city_or_xpcc": {"enterprise": 2, "street": 5, "park": 1, "base": 1},
        "soe_group": {"total": 1},
    },
    "2023": {
        "province": {"enterprise": 3, "street": 8, "park": 3, "base": 3},
        "planned_city_or_xpcc": {"enterprise": 2, "street": 4, "park": 2, "base": 2},
        "soe_group": {"total": 1},
    },
}
# DOMAIN.md deadlines, inclusive to the end of the day in Asia/Shanghai (DOMAIN-NOTES R-TIME-1).
EXPECTED_DEADLINES = {"2021": "2021-11-30T23:59:59+08:00", "2023": "2023-10-31T23:59:59+08:00"}
EXPECTED_PROVISIONAL = {"2021": False, "2023": True}
EXPECTED_DOCUMENTS = {
    "2017": "工信厅联电子〔2017〕75号", "2018": "工信厅联电子〔2018〕63号",
    "2019": "工信厅联电子〔2019〕133号", "2020": "工信厅联电子〔2020〕164号",
    "2021": "工信厅联电子函〔2021〕270号", "2023": "工信厅联电子函〔2023〕265号",
}
EXPECTED_SOURCES = {"2021": "seeds/001_b07b6ba523f6df00.txt", "2023": "seeds/000_179bb89f735ad8fc.txt"}
# DOMAIN-NOTES §3.4: the seeds' own lists. 2021 has no 老年食堂; 2023 drops 智慧助老餐厅 and 虚拟养老院.
ALL_SCENARIOS = set(gen_rules_schema.SCENARIOS)
EXPECTED_SCENARIOS = {
    "2021": ALL_SCENARIOS - {"elderly_canteen"},
    "2023": ALL_SCENARIOS - {"smart_elderly_restaurant", "virtual_nursing_home"},
}
# docs/rules.md "Scoring": the calls give no scale; the project's assumption.
EXPECTED_SCORING = {"min": 0, "max": 100, "scores_required": 3}
# docs/rules.md "Documents": what each step must cite. 2023 (四(二), 二); 2021 ran online (三(一)): none.
EXPECTED_REQUIRED_DOCUMENTS = {
    "2021": None,
    "2023": {"submission.filed": ["申报材料"], "recommendation.issued": ["推荐意见", "汇总表"],
             "review.requested": ["复核申请表"], "review.recommended": ["推荐意见", "汇总表"]},
}
# docs/rules.md "Checks": 2023 四(一) 现场调研与材料审核相结合; 2021 三(二) 实地考察和评审.
EXPECTED_CHECKS = {"methods": ["site_visit", "material_review"]}
# docs/rules.md "Applicants": 2021 guide 二(一), (三), (四); 2023 §一 (中央企业组织成员单位申报).
EXPECTED_APPLICANTS = {"county_level": ["base", "street"], "company_code": ["enterprise"],
                       "soe_member_categories": ["enterprise", "park"]}
EXPECTED_REVIEW = {"batches": ["2017", "2018", "2019"], "cap_bp": 7000, "base": "listed", "one_track": True}


def m(metric, value):
    return {"metric": metric, "min": value}


def eq(metric, value):
    return {"metric": metric, "equals": value}


# DOMAIN.md "Eligibility (2021 guide ...)": every threshold, by criterion id (texts checked apart).
EXPECTED_ELIGIBILITY_2021 = {
    "enterprise": {
        "E-2": m("years_registered", 3), "E-3": eq("violations_3y", False),
        "E-4": eq("dishonest_debtor", False), "E-5": m("deployed_projects", 2),
        "E-6": eq("business_model", True),
    },
    "enterprise.product": {
        "EP-1": m("revenue", 10000000), "EP-2": m("rnd_ratio_bp", 400), "EP-3": m("ip_items", 10),
    },
    "enterprise.platform": {
        "EPL-1": m("revenue", 8000000), "EPL-2": m("market_revenue_bp", 1000),
        "EPL-3": m("monthly_orders", 100000), "EPL-4": m("users", 500000),
        "EPL-5": m("product_kinds", 10),
    },
    "enterprise.institution": {
        "EI-1": m("revenue", 8000000), "EI-2": m("beds", 300), "EI-3": m("product_kinds", 5),
        "EI-4": eq("information_system", True),
    },
    "enterprise.service": {
        "ES-1": m("revenue", 8000000), "ES-2": m("users", 10000),
        "ES-3": eq("service_platform", True), "ES-4": eq("service_standards", True),
    },
    "park": {
        "P-1": eq("government_key_project", True),
        "P-3": {"any_of": [m("field_enterprises", 20), m("new_field_enterprises", 3)]},
        "P-4": m("field_revenue_bp", 5000), "P-5": eq("talent_mechanism", True),
        "P-6": m("demo_enterprises", 1), "P-7a": eq("violations_3y", False),
        "P-7b": eq("dishonest_debtor", False),
    },
    "street": {
        "T-1a": m("investment", 10000000), "T-1b": m("it_investment", 2000000),
        "T-2a": m("product_kinds", 5), "T-2b": m("service_kinds", 5), "T-2c": m("people_served", 10000),
        "T-3a": {"scenarios_min": 4}, "T-3b": {"scenarios_include": ["medical_elderly_integration"]},
        "T-4": eq("online_offline", True), "T-5": eq("contractor_evaluation", True),
    },
    "base": {
        "B-1": m("it_investment", 8000000), "B-2a": eq("development_plan", True),
        "B-2b": eq("supporting_policies", True), "B-3": eq("unified_platform", True),
        "B-4a": m("experience_centres", 1), "B-4b": m("demo_streets", 3), "B-5": {"scenarios_min": 8},
        "B-6": m("medical_elderly_institutions", 1), "B-7": eq("service_standards", True),
    },
}
# DOMAIN.md: "The 2017–2020 batches required 2 years' registration and revenue ≥ 10,000,000 yuan
# (product makers) or ≥ 8,000,000 (others); they had no parks."
EXPECTED_ELIGIBILITY_HISTORICAL = {
    "enterprise": {"E-2": m("years_registered", 2)},
    "enterprise.product": {"EP-1": m("revenue", 10000000)},
    "enterprise.platform": {"EPL-1": m("revenue", 8000000)},
    "enterprise.institution": {"EI-1": m("revenue", 8000000)},
    "enterprise.service": {"ES-1": m("revenue", 8000000)},
}


class RuleFileError(Exception):
    pass


def _no_duplicate_keys(pairs):
    keys = [k for k, _ in pairs]
    dups = sorted({k for k in keys if keys.count(k) > 1})
    if dups:
        raise RuleFileError("duplicate key(s) " + ", ".join(dups))
    return dict(pairs)


def _no_constant(name):
    raise RuleFileError(name + " is not JSON")


def load_strict(text):
    """Parses JSON as the ledger does: duplicate keys are errors, and a number with a fraction or an
    exponent becomes a Decimal, which no "type": "integer" accepts (Python's jsonschema would take
    the float 3.0 for an integer)."""
    return json.loads(text, object_pairs_hook=_no_duplicate_keys, parse_float=decimal.Decimal,
                      parse_constant=_no_constant)


def non_integers(value, path="$"):
    """Paths of every number that is not a plain integer."""
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in non_integers(v, f"{path}.{k}")]
    if isinstance(value, list):
        return [p for i, v in enumerate(value) for p in non_integers(v, f"{path}[{i}]")]
    if isinstance(value, (float, decimal.Decimal)):
        return [path]
    return []


def _leaves(error):
    """A oneOf error names the whole instance; descend into the branch that came closest (fewest
    errors, then the branch made for the criterion's metric, then the deepest) so that the message
    names the offending field."""
    if not error.context:
        return [error]
    branches = {}
    for sub in error.context:
        branches.setdefault(sub.relative_schema_path[0], []).append(sub)
    def distance(errs):
        wrong_metric = sum(1 for e in errs if e.validator == "enum" and list(e.absolute_path)[-1:] == ["metric"])
        return (len(errs), wrong_metric, -max(len(e.absolute_path) for e in errs))

    closest = min(branches.values(), key=distance)
    return [leaf for sub in closest for leaf in _leaves(sub)]


def schema_errors(validator, rules):
    errors = [f"number with a fraction or exponent at {p}" for p in non_integers(rules)]
    for e in sorted(validator.iter_errors(rules), key=lambda e: list(e.absolute_path)):
        for leaf in _leaves(e):
            where = "$" + "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in leaf.absolute_path)
            message = leaf.message if len(leaf.message) <= 240 else leaf.message[:240] + "..."
            errors.append(f"schema: at {where}: {message}")
    return errors


def closed_everywhere(schema, path="schema"):
    """Every object schema in `schema` that names properties must close itself."""
    problems = []
    if isinstance(schema, dict):
        if ("properties" in schema or "patternProperties" in schema or schema.get("type") == "object") \
                and schema.get("additionalProperties") is not False:
            problems.append(f"{path}: object schema without additionalProperties: false")
        for k, v in schema.items():
            if k in ("properties", "patternProperties", "$defs"):
                problems += [p for name, sub in v.items() for p in closed_everywhere(sub, f"{path}.{k}.{name}")]
            elif k not in ("enum", "const", "required"):
                problems += closed_everywhere(v, f"{path}.{k}")
    elif isinstance(schema, list):
        problems += [p for i, sub in enumerate(schema) for p in closed_everywhere(sub, f"{path}[{i}]")]
    return problems


def number_types(schema, path="schema"):
    """Every numeric type in the schema must be "integer"."""
    problems = []
    if isinstance(schema, dict):
        if schema.get("type") == "number" or (isinstance(schema.get("type"), list) and "number" in schema["type"]):
            problems.append(f"{path}: type number (only integers are allowed)")
        for k, v in schema.items():
            if k not in ("enum", "const"):
                problems += number_types(v, f"{path}.{k}")
    elif isinstance(schema, list):
        problems += [p for i, sub in enumerate(schema) for p in number_types(sub, f"{path}[{i}]")]
    return problems


def expected_authority_kinds(reference):
    kinds = {}
    for p in reference["provincial_divisions"]:
        if p["quota_region_kind"] == "province_level":
            kinds[p["gb2260_code"]] = "province"
        elif p.get("kind") == "xpcc" and p["gb2260_code"] is None:
            kinds[XPCC_AUTHORITY] = "planned_city_or_xpcc"
        else:
            raise RuleFileError("reference data: unexpected provincial division " + json.dumps(p, ensure_ascii=False))
    for c in reference["separately_planned_cities"]:
        kinds[c["gb2260_code"]] = "planned_city_or_xpcc"
    return kinds


def show(value):
    """JSON for messages; Decimals (fractions read strictly) and sets included."""
    def default(v):
        return str(v) if isinstance(v, decimal.Decimal) else sorted(v)
    return json.dumps(value, ensure_ascii=False, default=default)


def as_2021(eligibility):
    """2023's provisional criteria read back as 2021's: the prior year 2022 becomes 2020."""
    return json.loads(json.dumps(eligibility, ensure_ascii=False).replace("2022年", "2020年"))


def without_text(criterion):
    return {k: v for k, v in criterion.items() if k not in ("id", "text")}


def eligibility_errors(campaign, eligibility, expected):
    errors = []
    if set(eligibility) != set(expected):
        errors.append(f"{campaign}: eligibility groups {sorted(eligibility)} != {sorted(expected)}")
    for group, want in expected.items():
        got = eligibility.get(group, [])
        ids = [c.get("id") for c in got]
        if ids != list(want):
            errors.append(f"{campaign}: eligibility.{group} ids {ids} != {list(want)}")
        for c in got:
            if c.get("id") in want and without_text(c) != want[c["id"]]:
                errors.append(f"{campaign}: eligibility.{group} {c['id']} is {show(without_text(c))},"
                              f" DOMAIN.md says {show(want[c['id']])}")
    return errors


def campaign_errors(name, rules, authority_kinds):
    """The facts one rule file must state (beyond the schema)."""
    errors = []
    if rules.get("campaign") != name:
        errors.append(f"{name}.json: campaign is {rules.get('campaign')!r}, the file name says {name!r}")
    ids = [c.get("id") for crits in rules.get("eligibility", {}).values() for c in crits]
    dup = sorted({i for i in ids if ids.count(i) > 1})
    if dup:
        errors.append(f"{name}: criterion ids used twice: {dup}")
    if rules.get("authority_kinds") != authority_kinds:
        got = rules.get("authority_kinds") or {}
        diff = sorted(set(got.items()) ^ set(authority_kinds.items()))
        errors.append(f"{name}: authority_kinds differ from reference-data.json (31 provinces, 5 planned "
                      f"cities, XPCC {XPCC_AUTHORITY}): {diff}")
    if name in EXPECTED_DOCUMENTS and rules.get("document") != EXPECTED_DOCUMENTS[name]:
        errors.append(f"{name}: document {rules.get('document')!r} != {EXPECTED_DOCUMENTS[name]!r}")
    scenarios = set(rules.get("scenarios", []))
    for group, crits in rules.get("eligibility", {}).items():
        for c in crits:
            for code in c.get("scenarios_include", []):
                if code not in scenarios:
                    errors.append(f"{name}: {c.get('id')} requires scenario {code}, not in this campaign's list")
            if isinstance(c.get("scenarios_min"), int) and c["scenarios_min"] > len(scenarios):
                errors.append(f"{name}: {c.get('id')} asks {c['scenarios_min']} scenarios of {len(scenarios)}")
    if rules.get("historical"):
        if "park" in rules.get("categories", []) or "park" in rules.get("eligibility", {}):
            errors.append(f"{name}: historical batches had no parks (DOMAIN.md)")
        for key in ("deadline", "quotas", "review"):
            if key in rules:
                errors.append(f"{name}: historical batches carry no {key}")
        if name in HISTORICAL:
            errors += eligibility_errors(name, rules.get("eligibility", {}), EXPECTED_ELIGIBILITY_HISTORICAL)
            if rules.get("categories") != ["enterprise", "street", "base"]:
                errors.append(f"{name}: categories {rules.get('categories')} != enterprise, street, base")
        return errors
    if name in HISTORICAL:
        errors.append(f"{name}: the {name} batch must say \"historical\": true")
    if set(rules.get("quotas", {}).get("province", {})) != set(rules.get("categories", [])):
        errors.append(f"{name}: quota categories differ from categories")
    deadline = rules.get("deadline", "")
    try:
        parsed = datetime.datetime.fromisoformat(deadline.replace("Z", "+00:00"))
        if parsed.tzinfo is None:
            errors.append(f"{name}: deadline {deadline!r} has no offset")
    except ValueError as e:
        errors.append(f"{name}: deadline {deadline!r} is not a date-time: {e}")
    if name in SELECTION:
        checks = [
            ("quotas", rules.get("quotas"), EXPECTED_QUOTAS[name]),
            ("deadline", deadline, EXPECTED_DEADLINES[name]),
            ("provisional", rules.get("provisional"), EXPECTED_PROVISIONAL[name]),
            ("source", rules.get("source"), EXPECTED_SOURCES[name]),
            ("categories", rules.get("categories"), ["enterprise", "park", "street", "base"]),
            ("subtypes", rules.get("subtypes"), ["product", "platform", "institution", "service"]),
            ("scenarios", scenarios, EXPECTED_SCENARIOS[name]),
            ("review", rules.get("review"), EXPECTED_REVIEW if name == "2023" else None),
            ("scoring", rules.get("scoring"), EXPECTED_SCORING),
            ("recommendation_check", rules.get("recommendation_check"), EXPECTED_CHECKS),
            ("applicants", rules.get("applicants"), EXPECTED_APPLICANTS),
            ("documents", rules.get("documents"), EXPECTED_REQUIRED_DOCUMENTS[name]),
        ]
        for what, got, want in checks:
            if got != want:
                errors.append(f"{name}: {what} is {show(got)}, DOMAIN.md says {show(want)}")
        errors += eligibility_errors(name, rules.get("eligibility", {}), EXPECTED_ELIGIBILITY_2021)
    return errors


def cross_file_errors(all_rules):
    errors = []
    for name in HISTORICAL + SELECTION:
        if name not in all_rules:
            errors.append(f"config/campaigns/{name}.json is missing")
    if "2021" in all_rules and "2023" in all_rules:
        if as_2021(all_rules["2023"].get("eligibility")) != all_rules["2021"].get("eligibility"):
            errors.append("2023: eligibility differs from 2021's (2023 is provisional: it must equal 2021's,"
                          " texts included but for the revenue year, 2022 for 2020)")
        if "2020年" in json.dumps(all_rules["2023"].get("eligibility"), ensure_ascii=False):
            errors.append("2023: a criterion text cites 2020; the 2023 call's prior year is 2022")
    review = all_rules.get("2023", {}).get("review", {})
    for batch in review.get("batches", []):
        if not all_rules.get(batch, {}).get("historical"):
            errors.append(f"2023: review batch {batch} is not a historical campaign file")
    return errors


def all_errors(validator, all_rules, authority_kinds):
    errors = []
    for name, rules in sorted(all_rules.items()):
        errors += [f"{name}.json: {e}" for e in schema_errors(validator, rules)]
        errors += campaign_errors(name, rules, authority_kinds)
    return errors + cross_file_errors(all_rules)


def _raw_number(rules, setter, literal):
    """Serialises `rules` with a number literal (e.g. 3.0, 3e0) planted by `setter`, and reads it back."""
    broken = copy.deepcopy(rules)
    setter(broken, "@@NUMBER@@")
    return load_strict(json.dumps(broken, ensure_ascii=False).replace('"@@NUMBER@@"', literal))


def broken_copies(all_rules):
    """(what, the rule set with one defect, the campaign it replaces). Every one must be refused."""
    r21, r23, r17 = all_rules["2021"], all_rules["2023"], all_rules["2017"]

    def changed(rules, fn):
        out = copy.deepcopy(rules)
        fn(out)
        return out

    def quota(r, v):
        r["quotas"]["province"]["enterprise"] = v

    street = lambda r: r["eligibility"]["street"]  # noqa: E731
    return [
        ("a float quota 3.0", _raw_number(r21, quota, "3.0"), "2021"),
        ("an exponent quota 3e0", _raw_number(r21, quota, "3e0"), "2021"),
        ("a float threshold 10000000.5",
         _raw_number(r21, lambda r, v: r["eligibility"]["enterprise.product"][0].__setitem__("min", v), "10000000.5"),
         "2021"),
        ("a float cap_bp 7000.0", _raw_number(r23, lambda r, v: r["review"].__setitem__("cap_bp", v), "7000.0"), "2023"),
        ("an unknown metric", changed(r21, lambda r: street(r)[0].__setitem__("metric", "total_investment")), "2021"),
        ("a metric of another category (beds in street)",
         changed(r21, lambda r: street(r)[0].__setitem__("metric", "beds")), "2021"),
        ("a yes/no metric with min",
         changed(r21, lambda r: r["eligibility"]["enterprise"].__setitem__(
             4, {"id": "E-6", "metric": "business_model", "min": 1, "text": "x"})), "2021"),
        ("an integer metric with equals",
         changed(r21, lambda r: r["eligibility"]["enterprise"].__setitem__(
             0, {"id": "E-2", "metric": "years_registered", "equals": True, "text": "x"})), "2021"),
        ("violations_3y equals true",
         changed(r21, lambda r: r["eligibility"]["enterprise"][1].__setitem__("equals", True)), "2021"),
        ("a criterion with both min and equals",
         changed(r21, lambda r: street(r)[0].__setitem__("equals", True)), "2021"),
        ("a criterion without id", changed(r21, lambda r: street(r)[0].pop("id")), "2021"),
        ("a criterion without text", changed(r21, lambda r: street(r)[0].pop("text")), "2021"),
        ("a criterion with an unknown key", changed(r21, lambda r: street(r)[0].__setitem__("max", 5)), "2021"),
        ("a threshold as a string", changed(r21, lambda r: street(r)[0].__setitem__("min", "10000000")), "2021"),
        ("a negative threshold", changed(r21, lambda r: street(r)[0].__setitem__("min", -1)), "2021"),
        ("basis points above 10000",
         changed(r21, lambda r: r["eligibility"]["park"][2].__setitem__("min", 10001)), "2021"),
        ("any_of with one alternative",
         changed(r21, lambda r: r["eligibility"]["park"][1]["any_of"].pop()), "2021"),
        ("an id inside any_of",
         changed(r21, lambda r: r["eligibility"]["park"][1]["any_of"][0].__setitem__("id", "P-3x")), "2021"),
        ("an unknown scenario code",
         changed(r21, lambda r: r["scenarios"].append("smart_everything")), "2021"),
        ("an unknown scenario in scenarios_include",
         changed(r21, lambda r: street(r)[6].__setitem__("scenarios_include", ["yiyang"])), "2021"),
        ("an unknown eligibility group",
         changed(r21, lambda r: r["eligibility"].__setitem__("enterprise.software", [])), "2021"),
        ("an unknown top-level key", changed(r21, lambda r: r.__setitem__("notes", "x")), "2021"),
        ("an unknown quota category",
         changed(r21, lambda r: r["quotas"]["province"].__setitem__("hospital", 1)), "2021"),
        ("a missing quota category", changed(r21, lambda r: r["quotas"]["province"].pop("park")), "2021"),
        ("a date-only deadline", changed(r21, lambda r: r.__setitem__("deadline", "2021-11-30")), "2021"),
        ("a deadline without offset",
         changed(r21, lambda r: r.__setitem__("deadline", "2021-11-30T23:59:59")), "2021"),
        ("a selection campaign without deadline", changed(r21, lambda r: r.pop("deadline")), "2021"),
        ("a selection campaign without quotas", changed(r21, lambda r: r.pop("quotas")), "2021"),
        ("an authority code of 5 digits",
         changed(r21, lambda r: r["authority_kinds"].__setitem__("66000", "province")), "2021"),
        ("an unknown authority kind",
         changed(r21, lambda r: r["authority_kinds"].__setitem__("660000", "corps")), "2021"),
        ("a review base not supported",
         changed(r23, lambda r: r["review"].__setitem__("base", "titled")), "2023"),
        ("a historical batch with a park",
         changed(r17, lambda r: r["categories"].append("park")), "2017"),
        ("a historical batch with quotas",
         changed(r17, lambda r: r.__setitem__("quotas", copy.deepcopy(r21["quotas"]))), "2017"),
        ("a historical batch with a deadline",
         changed(r17, lambda r: r.__setitem__("deadline", "2017-09-30T23:59:59+08:00")), "2017"),
        # Facts the schema cannot know: the cross-file checks must refuse these.
        ("2023 street quota 10 instead of 8",
         changed(r23, lambda r: r["quotas"]["province"].__setitem__("street", 10)), "2023"),
        ("2023 eligibility differing from 2021's",
         changed(r23, lambda r: r["eligibility"]["enterprise"][0].__setitem__("min", 2)), "2023"),
        ("2021 deadline a day early",
         changed(r21, lambda r: r.__setitem__("deadline", "2021-11-29T23:59:59+08:00")), "2021"),
        ("a province missing from authority_kinds",
         changed(r21, lambda r: r["authority_kinds"].pop("440000")), "2021"),
        ("Shenzhen counted as a province",
         changed(r21, lambda r: r["authority_kinds"].__setitem__("440300", "province")), "2021"),
        ("2021 without virtual_nursing_home",
         changed(r21, lambda r: r["scenarios"].remove("virtual_nursing_home")), "2021"),
        ("a historical batch with 3 years' registration",
         changed(r17, lambda r: r["eligibility"]["enterprise"][0].__setitem__("min", 3)), "2017"),
        ("2023 review cap 80%", changed(r23, lambda r: r["review"].__setitem__("cap_bp", 8000)), "2023"),
    ]


def negative_errors(validator, all_rules, authority_kinds):
    """Each broken copy must be refused, else the checks are vacuous."""
    errors = []
    try:
        load_strict('{"campaign": "2021", "campaign": "2021"}')
        errors.append("negative test: a duplicate key was accepted")
    except RuleFileError:
        pass
    for what, broken, name in broken_copies(all_rules):
        candidate = dict(all_rules)
        candidate[name] = broken
        if not all_errors(validator, candidate, authority_kinds):
            errors.append(f"negative test: {what} passed validation")
    return errors


def seed_errors(all_rules, seeds_dir):
    def squeeze(s):
        return re.sub(r"\s+", "", s)

    texts = {}
    for name in SELECTION:
        path = seeds_dir / pathlib.Path(EXPECTED_SOURCES[name]).name
        if not path.is_file():
            return [f"seed {path} is missing"]
        texts[name] = squeeze(path.read_text(encoding="utf-8"))
    errors = []
    for name in SELECTION:
        rules = all_rules.get(name, {})
        if squeeze(rules.get("document", "")) not in texts[name]:
            errors.append(f"{name}: document {rules.get('document')!r} is not in its source {rules.get('source')}")
        for group, crits in rules.get("eligibility", {}).items():
            for c in crits:
                # 2023's guide is not in the seeds: its provisional criteria quote the 2021 guide, with
                # the prior year of the 2023 call (2022) where 2021's says 2020.
                quoted = squeeze(c["text"]).replace("2022年", "2020年") if name == "2023" else squeeze(c["text"])
                if quoted not in texts["2021"]:
                    errors.append(f"{name}: {c['id']} text {c['text']!r} is not quoted from the 2021 guide")
    return errors


def main(argv):
    if len(argv) not in (2, 3):
        print(__doc__.strip().splitlines()[2], file=sys.stderr)
        return 2
    root = pathlib.Path(argv[1])
    errors = []
    schema_path = root / CAMPAIGN_DIR / "rules.schema.json"
    schema_text = schema_path.read_text(encoding="utf-8")
    schema = load_strict(schema_text)
    validator_cls = jsonschema.Draft202012Validator
    try:
        validator_cls.check_schema(schema)
    except jsonschema.SchemaError as e:
        return fail([f"rules.schema.json is not a valid draft 2020-12 schema: {e.message}"])
    if schema.get("$schema") != "https://json-schema.org/draft/2020-12/schema":
        errors.append("rules.schema.json: $schema is not draft 2020-12")
    if schema_text != gen_rules_schema.render():
        errors.append("rules.schema.json differs from gen_rules_schema.py's output: edit the generator and run "
                      "/usr/bin/python3 tests/config/gen_rules_schema.py <repo root>")
    errors += closed_everywhere(schema) + number_types(schema)
    validator = validator_cls(schema)

    reference = json.loads((root / REFERENCE_DATA).read_text(encoding="utf-8"))
    authority_kinds = expected_authority_kinds(reference)
    if list(authority_kinds.values()).count("province") != 31 or \
            list(authority_kinds.values()).count("planned_city_or_xpcc") != 6:
        errors.append("reference data: expected 31 provinces and 6 planned cities + XPCC")

    all_rules = {}
    for path in sorted((root / CAMPAIGN_DIR).glob("*.json")):
        if path.name == "rules.schema.json":
            continue
        try:
            all_rules[path.stem] = load_strict(path.read_text(encoding="utf-8"))
        except (RuleFileError, ValueError) as e:
            errors.append(f"{path.name}: not strict JSON: {e}")
    errors += all_errors(validator, all_rules, authority_kinds)
    if errors:
        return fail(errors)  # the negative tests need sound files to break

    errors += negative_errors(validator, all_rules, authority_kinds)
    seeds = argv[2] if len(argv) == 3 else os.environ.get("PILOT_SEEDS_DIR", "/work/shared/seeds")
    seeds_dir = pathlib.Path(seeds)
    if seeds_dir.is_dir():
        errors += seed_errors(all_rules, seeds_dir)
        seed_note = f"criterion texts checked against {seeds_dir}"
    else:
        seed_note = f"seed documents not found at {seeds_dir}: quotation check skipped"
    if errors:
        return fail(errors)
    print(f"validate_rules: OK: {len(all_rules)} rule files ({', '.join(sorted(all_rules))}); "
          f"{len(broken_copies(all_rules))} broken copies refused; {seed_note}")
    return 0


def fail(errors):
    print(f"validate_rules: FAILED ({len(errors)} problem(s))", file=sys.stderr)
    for e in errors:
        print("  - " + e, file=sys.stderr)
    return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv))
