// The lease and open-record documents of model_monitor_state (ledger_documents.hpp), without a
// server; the real lease races are in tests/integration/mongo.
#include "adapters/mongo/ledger_documents.hpp"
#include "adapters/mongo/state_documents.hpp"
#include "bson_test_support.hpp"

#include <gtest/gtest.h>

#include <chrono>

namespace mm::mongo {
namespace {

using test::expect_bson_eq;
using test::from_json;

constexpr std::int64_t k_start_ms = 1709251200000; // 2024-03-01T00:00:00Z
const TimePoint k_start{std::chrono::milliseconds(k_start_ms)};

TEST(LedgerDocuments, LeaseIdsSortByGenerationWithinAType) {
  EXPECT_EQ(lease_id("technical", 7), "lease|technical|000000000007");
  EXPECT_LT(lease_id("technical", 9), lease_id("technical", 10));
}

TEST(LedgerDocuments, LeaseDocumentHoldsOwnerGenerationAndTimes) {
  const Lease l{"technical", "pod-a pid 1 #a", 3, k_start, k_start + std::chrono::minutes(5)};
  expect_bson_eq(lease_document(l).get(),
                 R"({"_id": "lease|technical|000000000003", "kind": "lease",
                     "specialist_type": "technical", "generation": 3,
                     "owner": "pod-a pid 1 #a", "acquired_at": {"$date": "2024-03-01T00:00:00Z"},
                     "expires_at": {"$date": "2024-03-01T00:05:00Z"}, "released": false})");
  auto back = lease_from_document(lease_document(l).get());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->lease.owner, "pod-a pid 1 #a");
  EXPECT_EQ(back->lease.generation, 3);
  EXPECT_EQ(back->lease.expires_at, l.expires_at);
  EXPECT_FALSE(back->released);
}

TEST(LedgerDocuments, ALeaseKeepsOthersOutUntilItExpiresOrIsReleased) {
  StoredLease s{Lease{"t", "a", 1, k_start, k_start + std::chrono::seconds(10)}, false};
  EXPECT_TRUE(lease_is_active(s, k_start + std::chrono::seconds(9)));
  EXPECT_FALSE(lease_is_active(s, k_start + std::chrono::seconds(10)));
  s.released = true;
  EXPECT_FALSE(lease_is_active(s, k_start));
}

TEST(LedgerDocuments, MalformedLeaseIsABadResponseNamingTheDocument) {
  auto r = lease_from_document(from_json(R"({"_id": "lease|t|1", "kind": "lease"})").get());
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("lease|t|1"), std::string::npos) << r.error().message;
}

TEST(LedgerDocuments, QueriesAreValidOnFerretDbV1AndMongoDb) {
  expect_bson_eq(newest_lease_options().get(),
                 R"({"sort": {"generation": -1}, "limit": 1})");
  expect_bson_eq(older_leases_filter("t", 4).get(),
                 R"({"kind": "lease", "specialist_type": "t",
                     "generation": {"$lt": 4}})");
  expect_bson_eq(open_retrains_filter("t").get(),
                 R"({"kind": "retrain", "specialist_type": "t", "$or": [
                      {"state": {"$in": ["decided", "dataset", "training", "evaluating"]}},
                      {"notified": false}]})");
}

TEST(LedgerDocuments, RetrainRecordRoundTripsAndOldRecordsCountAsNotified) {
  RetrainRecord r;
  r.id = "technical:degradation:2024-03-01T00:00:00Z";
  r.specialist_type = "technical";
  r.trigger = "degradation";
  r.state = "training";
  r.started_at = k_start;
  r.run_id = "abc";
  r.owner = "pod-a pid 1 #a";
  r.host = "pod-a";
  r.training_pid = 4242;
  r.baseline_version = "3";
  r.baseline_f1 = 0.69;
  auto back = retrain_from_document(retrain_document(r).get());
  ASSERT_TRUE(back.ok()) << back.error().message;
  EXPECT_EQ(back->training_pid, 4242);
  EXPECT_EQ(back->owner, r.owner);
  EXPECT_EQ(back->baseline_version, "3");
  EXPECT_DOUBLE_EQ(*back->baseline_f1, 0.69);
  EXPECT_FALSE(back->finished_at.has_value());
  EXPECT_FALSE(back->notified);

  // A record written before the ledger fields existed.
  auto old = retrain_from_document(
      from_json(R"({"_id": "x:forced:1", "specialist_type": "x", "state": "promoted",
                    "started_at": {"$date": "2024-03-01T00:00:00Z"}})")
          .get());
  ASSERT_TRUE(old.ok()) << old.error().message;
  EXPECT_TRUE(old->notified);
  EXPECT_EQ(old->training_pid, 0);

  auto bad = retrain_from_document(from_json(R"({"_id": "x", "state": 3})").get());
  ASSERT_FALSE(bad.ok());
  EXPECT_EQ(bad.error().kind, ErrorKind::bad_response);
}

} // namespace
} // namespace mm::mongo
