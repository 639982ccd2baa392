#include "projections/actors.h"

#include "ledger/encoding.h"
#include "ledger/event.h"
#include "projections/body_schema.h"
#include "projections/uscc.h"
#include "projections/vocabulary.h"

namespace pilotledger::projections {

std::string Actor::authority() const {
  if (role == "provincial") return region;
  if (role == "soe_group") return std::string(kSoeAuthorityPrefix) + id;
  return "";
}

std::string MinistryOfLine(const std::string& department) {
  if (department == "miit") return "miit";
  if (department == "civil") return "mca";
  if (department == "health") return "nhc";
  return "";
}

Result<Actor> ParseActor(const Json& d, const std::string& where, Source source) {
  const auto field = [&](const char* name) { return where.empty() ? std::string(name) : where + "." + name; };
  if (!d.is_object()) return SchemaViolation(where, where + " must be an object");
  const std::string role = d.contains("role") && d["role"].is_string() ? d["role"].get<std::string>() : "";
  if (!OneOf(role, kRoles)) return SchemaViolation(field("role"), "role must be " + ListOf(kRoles));

  std::vector<std::string> allowed = {"actor", "role", "public_key", "name", "documents"};
  if (role == "ministry") allowed.push_back("department");
  if (role == "provincial") allowed.insert(allowed.end(), {"region", "department"});
  if (role == "applicant") allowed.push_back("unit");
  BodyReader r(d, where);
  PL_RETURN_IF_ERROR(r.OnlyFields(allowed));

  Actor a;
  a.role = role;
  PL_ASSIGN_OR_RETURN(a.id, r.Id("actor"));
  PL_ASSIGN_OR_RETURN(a.name, r.Text("name"));
  PL_ASSIGN_OR_RETURN(std::string key_b64, r.String("public_key"));
  if (source == Source::kStored) {
    const std::optional<std::string> raw = Base64Decode(key_b64);
    if (!raw || raw->size() != 32) return SchemaViolation(field("public_key"), "the stored public key is not 32 bytes in base64");
    a.key = PublicKey::FromTrustedRaw(*raw);
  } else {
    Result<PublicKey> key = PublicKey::FromBase64(key_b64);
    if (!key.ok()) return SchemaViolation(field("public_key"), key.status().message());
    a.key = *key;
  }
  if (role == "ministry") {
    PL_ASSIGN_OR_RETURN(a.department, r.String("department"));
    if (!OneOf(a.department, kMinistryDepartments)) {
      return SchemaViolation(field("department"), "a ministry's department is " + ListOf(kMinistryDepartments));
    }
  }
  if (role == "provincial") {
    PL_ASSIGN_OR_RETURN(a.department, r.String("department"));
    if (!OneOf(a.department, kProvincialDepartments)) {
      return SchemaViolation(field("department"), "a provincial department is " + ListOf(kProvincialDepartments));
    }
    PL_ASSIGN_OR_RETURN(a.region, r.String("region"));
    if (!IsRegionCode(a.region)) {
      return SchemaViolation(field("region"), "region must be a 6-digit authority code such as 440000 or 660000");
    }
  }
  if (role == "applicant") {
    PL_ASSIGN_OR_RETURN(a.unit, r.String("unit"));
    if (const std::string p = UsccProblem(a.unit); !p.empty()) {
      return SchemaViolation(field("unit"), "unit " + a.unit + ": " + p);
    }
  }
  PL_RETURN_IF_ERROR(CheckDocuments(d, where));
  return a;
}

Json ActorJson(const Actor& a) {
  Json j = {{"actor", a.id}, {"role", a.role}, {"name", a.name}, {"public_key", a.key.ToBase64()},
            {"registered_seq", a.registered_seq}, {"active", a.active()}};
  if (!a.region.empty()) j["region"] = a.region;
  if (!a.department.empty()) j["department"] = a.department;
  if (!a.unit.empty()) j["unit"] = a.unit;
  if (a.revoked_seq) j["revoked_seq"] = *a.revoked_seq;
  return j;
}

Status CheckDocuments(const Json& body, const std::string& where) {
  if (!body.contains("documents")) return Status::Ok();
  const std::string field = where.empty() ? "documents" : where + ".documents";
  const Json& docs = body["documents"];
  if (!docs.is_array()) return SchemaViolation(field, "documents must be a list");
  for (size_t i = 0; i < docs.size(); ++i) {
    const std::string item = field + "[" + std::to_string(i) + "]";
    BodyReader r(docs[i], item);
    PL_RETURN_IF_ERROR(r.OnlyFields({"name", "sha256", "bytes"}));
    PL_RETURN_IF_ERROR(r.Text("name").status());
    PL_ASSIGN_OR_RETURN(std::string hash, r.String("sha256"));
    bool hex = hash.size() == 64;
    for (const char c : hash) hex = hex && ((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
    if (!hex) return SchemaViolation(item + ".sha256", "sha256 must be 64 lowercase hex digits");
    PL_ASSIGN_OR_RETURN(int64_t bytes, r.Integer("bytes"));
    if (bytes < 0) return SchemaViolation(item + ".bytes", "bytes must not be negative");
  }
  return Status::Ok();
}

}  // namespace pilotledger::projections
