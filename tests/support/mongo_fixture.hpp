#pragma once
// Helpers for integration tests against the real MongoDB-compatible server (FerretDB locally,
// MongoDB in CI or by hand) named by MONGODB_URI.
//
// Uses libmongoc directly, not mm_mongo: tests/support/*.cpp is built into every test program,
// and only the mongo ones link mm_mongo. Also, setting up data with the driver keeps the code
// under test out of the test's own preparation.

#include "adapters/mongo/mongo_handles.hpp"
#include "core/metrics.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mm::test {

// MONGODB_URI from the environment. FAILS the calling test (never skips) with a message saying
// how to start the services when it is unset; then returns a URI where nothing listens.
std::string mongodb_uri_from_env();

// A specialist_feedback document with every DESIGN §4 field and sensible defaults; setters
// chain. IDs are unique per process; submitted_at defaults to "now".
class FeedbackDoc {
public:
  FeedbackDoc();

  FeedbackDoc& feedback_id(std::string v);
  FeedbackDoc& opinion_id(std::string v);
  FeedbackDoc& plan_id(std::string v);
  FeedbackDoc& specialist_type(std::string v);
  FeedbackDoc& rating(double v); // stored as a BSON double
  FeedbackDoc& rating_int(std::int32_t v);
  // Any extended-JSON value for human_rating: R"("0.8")", "null", "true",
  // R"({"$numberDouble": "NaN"})", "[0.5]" ...
  FeedbackDoc& rating_json(std::string json_value);
  FeedbackDoc& without_rating();
  FeedbackDoc& recommendation(std::string v);
  FeedbackDoc& notes(std::string v);
  FeedbackDoc& submitted_by(std::string v);
  FeedbackDoc& submitted_at(TimePoint v);
  // Any extended-JSON value for submitted_at (e.g. a date written as a string by a bad writer).
  FeedbackDoc& submitted_at_json(std::string json_value);
  FeedbackDoc& without_submitted_at();
  FeedbackDoc& source(std::string v);
  FeedbackDoc& metadata_json(std::string json_object);

  // Canonical extended JSON of the whole document.
  std::string json() const;

private:
  std::string m_feedback_id;
  std::string m_schema_version = "1.0.0";
  std::string m_opinion_id;
  std::string m_plan_id;
  std::string m_specialist_type = "technical";
  std::optional<std::string> m_rating_json; // nullopt: field absent
  std::string m_recommendation = "approve";
  std::string m_notes = "integration test";
  std::string m_submitted_by = "reviewer@example.com";
  TimePoint m_submitted_at;
  std::optional<std::string> m_submitted_at_json; // overrides m_submitted_at
  bool m_has_submitted_at = true;
  std::string m_source = "human_expert";
  std::string m_metadata_json = "{}";
};

// Base fixture: connects with MONGODB_URI (failing the test when unset or unreachable), gives
// each test its own database (dropped at the end; kept when MM_KEEP_TEST_DB=1, for debugging).
class MongoTest : public ::testing::Test {
protected:
  static constexpr const char* k_collection = "specialist_feedback";

  void SetUp() override;
  void TearDown() override;

  const std::string& uri() const { return m_uri; }
  const std::string& database() const { return m_database; }

  // Fail the test on error.
  void insert(const FeedbackDoc& doc);
  void insert(const std::vector<FeedbackDoc>& docs);
  void insert_json(std::string_view json);
  // Returns the server's refusal ("" when stored): some values (NaN on FerretDB) cannot be.
  std::string try_insert_json(std::string_view json);
  // The four indexes of DESIGN §4: opinion_id; {specialist_type: 1, submitted_at: -1};
  // human_rating; unique feedback_id.
  void create_feedback_indexes();
  // Documents of k_collection matching an extended-JSON filter.
  std::int64_t count(std::string_view filter_json = "{}");

private:
  mongoc_collection_t* collection();

  std::string m_uri;
  std::string m_database;
  mongo::ClientPtr m_client;
  mongo::CollectionPtr m_collection;
};

// A TCP port on 127.0.0.1 where nothing listens (bound, then closed).
int closed_local_port();

} // namespace mm::test
