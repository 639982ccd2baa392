#!/usr/bin/python3
"""Generates config/campaigns/rules.schema.json, the JSON Schema of the campaign rule files.

The schema spells out, per eligibility group, which metric may be compared how (an integer metric
with "min", a yes/no metric with "equals"), so it is long and regular: it is written by this script
rather than by hand. Edit the tables below, then run

    /usr/bin/python3 tests/config/gen_rules_schema.py <repo root>

validate_rules.py fails when the committed schema differs from what this script produces.
The vocabulary is DOMAIN.md's (metric table and scenario codes); docs/rules.md explains the format.
"""

import json
import pathlib
import sys

SCHEMA_PATH = "config/campaigns/rules.schema.json"

CATEGORIES = ["enterprise", "park", "street", "base"]
SUBTYPES = ["product", "platform", "institution", "service"]

# DOMAIN.md "Scenarios (典型应用场景)": the 14 codes, in DOMAIN.md's order.
SCENARIOS = [
    "family_health", "primary_care_health", "elderly_health_promotion", "rehabilitation_aids",
    "internet_medical", "family_care_beds", "community_day_care", "home_visit_services",
    "elderly_canteen", "smart_nursing_home", "care_supervision", "smart_elderly_restaurant",
    "virtual_nursing_home", "medical_elderly_integration",
]

# DOMAIN.md's metric table, per eligibility group. Kinds:
#   "int"   an integer (yuan or a count) compared with "min"
#   "bp"    an integer ratio in basis points (0-10000) compared with "min"
#   "true"  a yes/no condition that must hold: "equals": true
#   "false" a yes/no condition that must not hold (violations, dishonest debtor): "equals": false
METRICS = {
    "enterprise": {
        "years_registered": "int", "violations_3y": "false", "dishonest_debtor": "false",
        "deployed_projects": "int", "business_model": "true",
    },
    "enterprise.product": {"revenue": "int", "rnd_ratio_bp": "bp", "ip_items": "int"},
    "enterprise.platform": {
        "revenue": "int", "market_revenue_bp": "bp", "monthly_orders": "int", "users": "int",
        "product_kinds": "int",
    },
    "enterprise.institution": {
        "revenue": "int", "beds": "int", "product_kinds": "int", "information_system": "true",
    },
    "enterprise.service": {
        "revenue": "int", "users": "int", "service_platform": "true", "service_standards": "true",
    },
    "park": {
        "government_key_project": "true", "field_enterprises": "int", "new_field_enterprises": "int",
        "field_revenue_bp": "bp", "talent_mechanism": "true", "demo_enterprises": "int",
        "violations_3y": "false", "dishonest_debtor": "false",
    },
    "street": {
        "investment": "int", "it_investment": "int", "product_kinds": "int", "service_kinds": "int",
        "people_served": "int", "online_offline": "true", "contractor_evaluation": "true",
    },
    "base": {
        "it_investment": "int", "development_plan": "true", "supporting_policies": "true",
        "unified_platform": "true", "experience_centres": "int", "demo_streets": "int",
        "medical_elderly_institutions": "int", "service_standards": "true",
    },
}
GROUPS = list(METRICS)

MAX_SAFE_INTEGER = 2**53 - 1  # PROTOCOL.md §1: integers in [-(2^53-1), 2^53-1]
ID_PATTERN = "^[A-Za-z0-9._:-]{1,64}$"  # PROTOCOL.md §2 event ids; campaign ids use the same alphabet
CRITERION_ID_PATTERN = "^[A-Z]{1,3}-[0-9]{1,2}[a-z]?$"  # E-2, P-7b, EPL-3 (docs/rules.md)
# RFC 3339 date-time (section 5.6), upper-case T and Z, no leap second; seconds are required.
RFC3339_PATTERN = (
    "^[0-9]{4}-(0[1-9]|1[0-2])-(0[1-9]|[12][0-9]|3[01])"
    "T([01][0-9]|2[0-3]):[0-5][0-9]:[0-5][0-9](\\.[0-9]{1,9})?"
    "(Z|[+-]([01][0-9]|2[0-3]):[0-5][0-9])$"
)
# One line of text without control characters; 500 characters stay under the ledger's 2000-byte limit.
TEXT = {"type": "string", "minLength": 1, "maxLength": 500, "pattern": "^[^\\u0000-\\u001f\\u007f]+$"}


def ref(name):
    return {"$ref": "#/$defs/" + name}


def closed(properties, required=None):
    """An object schema that allows exactly `properties` (all required unless `required` says)."""
    return {
        "type": "object",
        "additionalProperties": False,
        "required": list(properties) if required is None else required,
        "properties": properties,
    }


def def_name(group):
    return group.replace(".", "_")


def criterion_shapes(group, top):
    """The five criterion forms for `group`; a top-level criterion also has an id and a text."""
    extra = {"id": ref("criterion_id"), "text": ref("text")} if top else {}
    by_kind = {}
    for metric, kind in METRICS[group].items():
        by_kind.setdefault(kind, []).append(metric)
    shapes = []
    if "int" in by_kind:
        shapes.append(closed({**extra, "metric": {"enum": by_kind["int"]}, "min": ref("count")}))
    if "bp" in by_kind:
        shapes.append(closed({**extra, "metric": {"enum": by_kind["bp"]}, "min": ref("basis_points")}))
    if "true" in by_kind:
        shapes.append(closed({**extra, "metric": {"enum": by_kind["true"]}, "equals": {"const": True}}))
    if "false" in by_kind:
        shapes.append(closed({**extra, "metric": {"enum": by_kind["false"]}, "equals": {"const": False}}))
    shapes.append(closed({**extra, "any_of": {
        "type": "array", "minItems": 2, "items": ref("criterion_" + def_name(group))}}))
    shapes.append(closed({**extra, "scenarios_min": ref("scenario_count")}))
    shapes.append(closed({**extra, "scenarios_include": {
        "type": "array", "minItems": 1, "uniqueItems": True, "items": ref("scenario")}}))
    return shapes


def eligibility(groups, required):
    props = {g: {"type": "array", "items": ref("top_criterion_" + def_name(g))} for g in groups}
    return closed(props, required=list(groups) if required else [])


def rules_variant(historical):
    """The two kinds of rule file: a selection campaign, or a historical batch (titles imported)."""
    common = {
        "campaign": ref("campaign_id"),
        "title": ref("text"),
        "document": ref("text"),
        "source": ref("source"),
        "historical": {"const": historical},
        "provisional": {"type": "boolean"},
    }
    if historical:
        props = {
            **common,
            "categories": {"type": "array", "minItems": 1, "uniqueItems": True,
                           "items": {"enum": [c for c in CATEGORIES if c != "park"]}},
            "subtypes": ref("subtypes"),
            "scenarios": ref("scenarios"),
            "authority_kinds": ref("authority_kinds"),
            "eligibility": eligibility([g for g in GROUPS if g != "park"], required=False),
        }
        required = ["campaign", "title", "document", "source", "historical", "provisional",
                    "categories", "subtypes", "authority_kinds"]
    else:
        props = {
            **common,
            "deadline": ref("deadline"),
            "categories": ref("categories"),
            "subtypes": ref("subtypes"),
            "scenarios": ref("scenarios"),
            "authority_kinds": ref("authority_kinds"),
            "quotas": ref("quotas"),
            "eligibility": eligibility(GROUPS, required=True),
            "review": ref("review"),
            "scoring": ref("scoring"),
            "documents": ref("required_documents"),
            "applicants": closed({k: {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": CATEGORIES}}
                                  for k in ["county_level", "company_code", "soe_member_categories"]}),
            "recommendation_check": closed({"methods": {"type": "array", "minItems": 1, "uniqueItems": True,
                                                        "items": {"enum": ["material_review", "site_visit"]}}}),
        }
        required = [k for k in props if k not in ("review", "documents", "recommendation_check", "applicants")]
    return closed(props, required=required)


def build_schema():
    defs = {
        "selection_rules": rules_variant(historical=False),
        "historical_rules": rules_variant(historical=True),
        "campaign_id": {"type": "string", "pattern": ID_PATTERN},
        "text": TEXT,
        "source": {"type": "string", "maxLength": 500,
                   "pattern": "^(seeds/[0-9]{3}_[0-9a-f]{16}\\.txt|https?://[^\\s]+)$"},
        "deadline": {"type": "string", "format": "date-time", "pattern": RFC3339_PATTERN},
        "categories": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": CATEGORIES}},
        "subtypes": {"type": "array", "minItems": 1, "uniqueItems": True, "items": {"enum": SUBTYPES}},
        "scenario": {"enum": SCENARIOS},
        "scenarios": {"type": "array", "minItems": 1, "uniqueItems": True, "items": ref("scenario")},
        "scenario_count": {"type": "integer", "minimum": 1, "maximum": len(SCENARIOS)},
        "count": {"type": "integer", "minimum": 0, "maximum": MAX_SAFE_INTEGER},
        "basis_points": {"type": "integer", "minimum": 0, "maximum": 10000},
        "criterion_id": {"type": "string", "pattern": CRITERION_ID_PATTERN},
        "authority_kinds": {
            "type": "object",
            "minProperties": 1,
            "patternProperties": {"^[0-9]{6}$": {"enum": ["province", "planned_city_or_xpcc"]}},
            "additionalProperties": False,
        },
        "category_quota": closed({c: ref("count") for c in ["enterprise", "street", "park", "base"]}),
        "quotas": closed({
            "province": ref("category_quota"),
            "planned_city_or_xpcc": ref("category_quota"),
            "soe_group": closed({"total": ref("count")}),
        }),
        "required_documents": {
            "type": "object",
            "additionalProperties": False,
            "properties": {t: {"type": "array", "minItems": 1, "uniqueItems": True, "items": ref("text")}
                           for t in ["submission.filed", "recommendation.issued", "review.requested", "review.recommended"]},
        },
        "scoring": closed({
            "min": {"type": "integer", "minimum": 0, "maximum": 10000},
            "max": {"type": "integer", "minimum": 1, "maximum": 10000},
            "scores_required": {"type": "integer", "minimum": 0, "maximum": 100},
        }),
        "review": closed({
            "batches": {"type": "array", "minItems": 1, "uniqueItems": True, "items": ref("campaign_id")},
            "cap_bp": ref("basis_points"),
            "base": {"enum": ["listed", "requested_and_titled"]},
            "one_track": {"type": "boolean"},
        }),
    }
    for group in GROUPS:
        name = def_name(group)
        defs["criterion_" + name] = {"oneOf": criterion_shapes(group, top=False)}
        defs["top_criterion_" + name] = {"oneOf": criterion_shapes(group, top=True)}
    return {
        "$schema": "https://json-schema.org/draft/2020-12/schema",
        "$id": "urn:pilotledger:campaign-rules:1",
        "title": "PilotLedger campaign rules",
        "description": "One campaign's rules (config/campaigns/<campaign>.json), as carried by "
                       "campaign.opened and campaign.amended. See docs/rules.md.",
        "$comment": "Generated by tests/config/gen_rules_schema.py: edit that script, not this file.",
        "oneOf": [ref("selection_rules"), ref("historical_rules")],
        "$defs": defs,
    }


def render():
    return json.dumps(build_schema(), indent=2, ensure_ascii=False) + "\n"


def main(argv):
    if len(argv) != 2:
        print("usage: gen_rules_schema.py <repo root>", file=sys.stderr)
        return 2
    path = pathlib.Path(argv[1]) / SCHEMA_PATH
    path.write_text(render(), encoding="utf-8")
    print("wrote", path)
    return 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
