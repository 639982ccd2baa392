// Every body schema (projections/bodies.cc): the input is one JSON body, parsed for every event
// type. ParseBody never throws and refuses with schema_violation naming a field; a body it accepts
// for a type is made into an event of that type signed by the world's actors who may sign it, and
// goes through Check and Apply (fuzz/admission.h).
#include "fuzz/admission.h"

namespace {

// Who signs each type in the world (the default policy's first clause that the world can meet).
std::vector<std::string> SignersOf(std::string_view type) {
  if (type == "actor.registered" || type == "actor.revoked" || type == "objection.filed" || type == "objection.resolved") return {"miit"};
  if (type == "spotcheck.recorded" || type == "score.recorded") return {"expert-1"};
  if (type == "submission.filed" || type == "review.requested") return {"gd-miit"};
  if (type == "recommendation.issued" || type == "review.recommended") return {"gd-miit"};
  return {"miit", "mca", "nhc"};
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const uint8_t* data, size_t size) {
  using namespace pilotledger;
  using namespace pilotledger::fuzz;
  Result<Json> body = ParseStrictJson(AsText(data, size));
  if (!body.ok()) return 0;
  for (const EventTypeInfo& info : EventTypes()) {
    Result<projections::Body> parsed = Status(Code::kInternal, "not run");
    NoThrow("ParseBody", [&] { parsed = projections::ParseBody(info.type, *body); });
    if (!parsed.ok()) {
      CheckError(parsed.status());
      FUZZ_CHECK(parsed.status().code() == Code::kSchemaViolation, std::string(info.name) + ": " + parsed.status().ToString());
      const Json& field = parsed.status().details().contains("field") ? parsed.status().details()["field"] : Json();
      FUZZ_CHECK(field.is_string(), std::string(info.name) + ": a schema violation without details.field: " + parsed.status().ToString());
      continue;
    }
    FUZZ_CHECK(parsed->value.index() == projections::EmptyBody(info.type).value.index(), "ParseBody returned another type's body");
    if (info.type == EventType::kGenesis || !body->is_object()) continue;
    Result<SignedEvent> e = MakeEvent("fuzz-1", std::string(info.name), TheWorld().now, *body);
    if (!e.ok()) continue;  // the envelope refuses it (e.g. a body too large for an event)
    for (const std::string& s : SignersOf(info.name)) e->sigs.push_back({s, std::string(64, '\0'), std::nullopt});
    CheckAdmission(*e);
  }
  return 0;
}
