// MongoStateStore as RetrainLedger against the real server named by MONGODB_URI (FerretDB
// locally): the lease is exclusive under real concurrency, expires, is taken over, renewed,
// lost and released; open records round-trip with every field a resume needs.
#include "adapters/mongo/mongo_state_store.hpp"
#include "support/mongo_fixture.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <thread>
#include <vector>

namespace mm {
namespace {

using namespace std::chrono_literals;

class MongoLedgerIT : public test::MongoTest {
protected:
  void SetUp() override {
    MongoTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    auto pool = MongoPool::create(uri());
    ASSERT_TRUE(pool.ok()) << pool.error().message;
    m_pool = std::move(*pool);
    m_store = std::make_unique<MongoStateStore>(*m_pool, database());
    m_now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }

  LeaseAttempt acquire(const std::string& owner, TimePoint now, std::chrono::seconds ttl = 300s) {
    auto r = m_store->acquire_lease("technical", owner, now, ttl);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : LeaseAttempt{};
  }

  std::unique_ptr<MongoPool> m_pool;
  std::unique_ptr<MongoStateStore> m_store;
  TimePoint m_now;
};

TEST_F(MongoLedgerIT, SecondOwnerIsToldWhoHoldsTheLease) {
  const LeaseAttempt first = acquire("pod-a pid 1 #a", m_now);
  ASSERT_TRUE(first.acquired);
  const LeaseAttempt second = acquire("pod-b pid 2 #b", m_now + 1s);
  EXPECT_FALSE(second.acquired);
  EXPECT_EQ(second.lease.owner, "pod-a pid 1 #a");
  EXPECT_EQ(second.lease.expires_at, m_now + 300s);
  EXPECT_EQ(second.lease.generation, first.lease.generation);
}

TEST_F(MongoLedgerIT, ExpiredLeaseIsTakenOverAndTheOldOwnerLearnsItLostIt) {
  const LeaseAttempt old = acquire("pod-a pid 1 #a", m_now, 10s);
  ASSERT_TRUE(old.acquired);
  const LeaseAttempt taken = acquire("pod-b pid 2 #b", m_now + 11s);
  ASSERT_TRUE(taken.acquired);
  EXPECT_EQ(taken.lease.generation, old.lease.generation + 1);
  const Status renewed = m_store->renew_lease(old.lease, m_now + 12s, 10s);
  ASSERT_FALSE(renewed.ok());
  EXPECT_EQ(renewed.error().kind, ErrorKind::not_found);
  EXPECT_NE(renewed.error().message.find("now held by pod-b pid 2 #b"), std::string::npos)
      << renewed.error().message;
  EXPECT_TRUE(m_store->renew_lease(taken.lease, m_now + 12s, 10s).ok());
}

TEST_F(MongoLedgerIT, RenewalExtendsAndReleaseLetsTheNextOwnerInAtOnce) {
  const LeaseAttempt mine = acquire("pod-a pid 1 #a", m_now, 10s);
  ASSERT_TRUE(mine.acquired);
  ASSERT_TRUE(m_store->renew_lease(mine.lease, m_now + 8s, 10s).ok());
  // Past the first expiry, within the renewed one: still held.
  EXPECT_FALSE(acquire("pod-b pid 2 #b", m_now + 15s).acquired);
  ASSERT_TRUE(m_store->release_lease(mine.lease, m_now + 16s).ok());
  EXPECT_TRUE(acquire("pod-b pid 2 #b", m_now + 16s).acquired);
}

TEST_F(MongoLedgerIT, SameOwnerAcquiringAgainKeepsIt) {
  ASSERT_TRUE(acquire("pod-a pid 1 #a", m_now).acquired);
  EXPECT_TRUE(acquire("pod-a pid 1 #a", m_now + 1s).acquired);
  EXPECT_FALSE(acquire("pod-b pid 2 #b", m_now + 2s).acquired);
}

// Eight owners race for a free lease, each with its own client from the pool: exactly one
// wins, on FerretDB's read-then-write updates as on MongoDB (the unique _id decides).
TEST_F(MongoLedgerIT, ExactlyOneOfManyConcurrentOwnersAcquires) {
  for (int round = 0; round < 5; ++round) {
    const std::string type = "race" + std::to_string(round);
    std::atomic<int> winners{0};
    std::atomic<int> errors{0};
    std::vector<std::thread> threads;
    for (int i = 0; i < 8; ++i) {
      threads.emplace_back([&, i] {
        auto r = m_store->acquire_lease(type, "owner-" + std::to_string(i), m_now, 300s);
        if (!r.ok()) {
          ++errors;
        } else if (r->acquired) {
          ++winners;
        }
      });
    }
    for (auto& t : threads) {
      t.join();
    }
    EXPECT_EQ(errors.load(), 0);
    EXPECT_EQ(winners.load(), 1) << "round " << round;
  }
}

TEST_F(MongoLedgerIT, OpenRecordsRoundTripWithWhatAResumeNeedsAndClosedOnesDoNot) {
  RetrainRecord open;
  open.id = "technical:degradation:2026-11-24T10:00:00Z";
  open.specialist_type = "technical";
  open.trigger = "degradation";
  open.state = "training";
  open.started_at = m_now - 1h;
  open.run_id = "abc123";
  open.dataset_path = "/data/technical/x.parquet";
  open.owner = "pod-a pid 1 #a";
  open.host = "pod-a";
  open.training_pid = 4242;
  open.baseline_run_id = "prod";
  open.baseline_version = "3";
  open.baseline_precision = 0.8;
  open.baseline_recall = 0.6;
  open.baseline_f1 = 0.69;
  ASSERT_TRUE(m_store->save_retrain(open).ok());

  RetrainRecord done = open;
  done.id = "technical:degradation:2026-11-23T10:00:00Z";
  done.started_at = m_now - 25h;
  done.state = "promoted";
  done.finished_at = m_now - 24h;
  done.notified = true;
  ASSERT_TRUE(m_store->save_retrain(done).ok());

  RetrainRecord unnotified = done;
  unnotified.id = "technical:forced:2026-11-22T10:00:00Z";
  unnotified.started_at = m_now - 49h;
  unnotified.state = "rejected";
  unnotified.notified = false;
  ASSERT_TRUE(m_store->save_retrain(unnotified).ok());

  RetrainRecord other_type = open;
  other_type.id = "business:degradation:2026-11-24T10:00:00Z";
  other_type.specialist_type = "business";
  ASSERT_TRUE(m_store->save_retrain(other_type).ok());

  auto found = m_store->open_retrains("technical");
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_EQ(found->size(), 2U);
  EXPECT_EQ((*found)[0].id, unnotified.id) << "oldest first";
  const RetrainRecord& r = (*found)[1];
  EXPECT_EQ(r.id, open.id);
  EXPECT_EQ(r.state, "training");
  EXPECT_EQ(r.started_at, open.started_at);
  EXPECT_FALSE(r.finished_at.has_value());
  EXPECT_EQ(r.run_id, "abc123");
  EXPECT_EQ(r.dataset_path, open.dataset_path);
  EXPECT_EQ(r.owner, "pod-a pid 1 #a");
  EXPECT_EQ(r.host, "pod-a");
  EXPECT_EQ(r.training_pid, 4242);
  EXPECT_EQ(r.baseline_run_id, "prod");
  EXPECT_EQ(r.baseline_version, "3");
  EXPECT_DOUBLE_EQ(*r.baseline_precision, 0.8);
  EXPECT_DOUBLE_EQ(*r.baseline_recall, 0.6);
  EXPECT_DOUBLE_EQ(*r.baseline_f1, 0.69);
  EXPECT_FALSE(r.notified);
}

} // namespace
} // namespace mm
