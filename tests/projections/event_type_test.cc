// Event types: the one table from names to EventType, set when an event is parsed, and the one
// body struct of each type.
#include <set>

#include <gtest/gtest.h>

#include "ledger/event.h"
#include "projections/actors.h"
#include "projections/bodies.h"
#include "projections/policy.h"

namespace pilotledger::projections {
namespace {

TEST(EventTypeTest, EveryNameRoundTripsThroughTheEnum) {
  std::set<EventType> types;
  std::set<size_t> bodies;
  for (const EventTypeInfo& info : EventTypes()) {
    SCOPED_TRACE(std::string(info.name));
    const std::optional<EventType> type = EventTypeFromName(info.name);
    ASSERT_TRUE(type.has_value());
    EXPECT_EQ(*type, info.type);
    EXPECT_EQ(EventTypeName(*type), info.name);
    EXPECT_EQ(FindEventType(info.name), &info);
    types.insert(*type);
    bodies.insert(EmptyBody(*type).value.index());
  }
  EXPECT_EQ(types.size(), EventTypes().size()) << "one EventType per name";
  EXPECT_EQ(bodies.size(), EventTypes().size()) << "one body struct per type";
  EXPECT_EQ(bodies.size(), std::variant_size_v<decltype(Body::value)>);
}

TEST(EventTypeTest, ParsingSetsTheKind) {
  for (const EventTypeInfo& info : EventTypes()) {
    Result<SignedEvent> e = MakeEvent("ev-1", std::string(info.name), Timestamp{1697356800000}, Json::object());
    ASSERT_TRUE(e.ok()) << e.status().ToString();
    EXPECT_EQ(e->kind, info.type) << info.name;
    EXPECT_EQ(e->type, info.name);
    Result<SignedEvent> parsed = ParseSubmission(WriteCanonical(SubmissionJson(*e)), /*allow_unsigned=*/true);
    ASSERT_TRUE(parsed.ok()) << parsed.status().ToString();
    EXPECT_EQ(parsed->kind, info.type) << info.name;
  }
}

TEST(EventTypeTest, AnUnknownNameIsRefused) {
  for (const char* name : {"", "nope", "Title.Revoked", "title.revoked ", "ledger.genesis2", "title"}) {
    SCOPED_TRACE(name);
    EXPECT_FALSE(EventTypeFromName(name).has_value());
    EXPECT_EQ(FindEventType(name), nullptr);
    EXPECT_FALSE(IsUnitScopedType(std::string(name)));
    Result<SignedEvent> e = MakeEvent("ev-1", name, Timestamp{1697356800000}, Json::object());
    ASSERT_FALSE(e.ok());
    EXPECT_EQ(e.status().code(), Code::kSchemaViolation);
    EXPECT_EQ(e.status().details()["field"], "event.type");
  }
}

TEST(EventTypeTest, UnitScopedTypes) {
  // review.requirements is scoped to the authority it names (only "authority" slots).
  const std::set<std::string> scoped = {"submission.filed", "recommendation.issued", "review.requested", "review.recommended",
                                        "review.requirements"};
  for (const EventTypeInfo& info : EventTypes()) {
    EXPECT_EQ(IsUnitScopedType(info.type), scoped.count(std::string(info.name)) == 1) << info.name;
  }
}

TEST(EventTypeTest, MinistryOfLine) {
  const std::pair<const char*, const char*> cases[] = {
      {"miit", "miit"}, {"civil", "mca"}, {"health", "nhc"}, {"mca", ""}, {"nhc", ""}, {"", ""}};
  for (const auto& [department, ministry] : cases) EXPECT_EQ(MinistryOfLine(department), ministry) << department;
}

}  // namespace
}  // namespace pilotledger::projections
