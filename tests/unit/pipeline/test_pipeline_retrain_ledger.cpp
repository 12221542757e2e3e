// The retrain pipeline's coordination: the lease (two overlapping invocations give one
// retrain) and the crash-safe ledger (records a dead process left open are resumed or closed
// by the next invocation, never trained twice, never left half-promoted). In-memory ports; the
// real MongoDB lease and real kill -9 runs are in tests/integration.
#include "pipeline/lease_keeper.hpp"
#include "pipeline/retrain_pipeline.hpp"
#include "retrain_fakes.hpp"

#include <gtest/gtest.h>

#include <thread>

namespace mm {
namespace {

using namespace test_retrain;
using std::chrono::hours;
using std::chrono::seconds;

struct FakeLedger : RetrainLedger {
  std::optional<Lease> held_by_other;
  std::vector<RetrainRecord> open;
  std::optional<Error> open_error;
  bool lose_on_renew = false;
  int acquired = 0;
  int renewed = 0;
  int released = 0;
  Result<LeaseAttempt> acquire_lease(const std::string& type, const std::string& owner,
                                     TimePoint now, seconds ttl) override {
    if (held_by_other) {
      return LeaseAttempt{false, *held_by_other};
    }
    ++acquired;
    return LeaseAttempt{true, Lease{type, owner, 1, now, now + ttl}};
  }
  int taken_over = 0;
  Result<LeaseAttempt> take_over_lease(const Lease& stale, const std::string& owner, TimePoint now,
                                       seconds ttl) override {
    ++taken_over;
    held_by_other.reset();
    return LeaseAttempt{true,
                        Lease{stale.specialist_type, owner, stale.generation + 1, now, now + ttl}};
  }
  Status renew_lease(const Lease&, TimePoint, seconds) override {
    ++renewed;
    if (lose_on_renew) {
      return Error::not_found("the retrain lease 'lease|x|000000000001' is no longer ours");
    }
    return ok_status();
  }
  Status release_lease(const Lease&, TimePoint) override {
    ++released;
    return ok_status();
  }
  Result<std::vector<RetrainRecord>> open_retrains(const std::string&) override {
    if (open_error) {
      return *open_error;
    }
    return open;
  }
};

class LedgerTest : public RetrainTest {
protected:
  LedgerTest() {
    ledger = &fake_ledger;
    settings.owner = "pod-b pid 7 #0000000b";
    settings.host = "pod-b";
  }

  // A record as the dead process "pod-a" left it at `state` (DESIGN §4 ledger).
  RetrainRecord left_at(const std::string& at) const {
    RetrainRecord r;
    r.id = "x:degradation:2026-02-14T00:00:00Z";
    r.specialist_type = "x";
    r.trigger = "degradation";
    r.state = at;
    r.started_at = k_now - hours(1);
    r.owner = "pod-a pid 1 #0000000a";
    r.host = "pod-a";
    r.baseline_run_id = "prod";
    r.baseline_version = "3";
    r.baseline_precision = 0.80;
    r.baseline_recall = 0.60;
    r.baseline_f1 = 0.69;
    if (at != "decided" && at != "dataset") {
      r.run_id = "new";
      r.dataset_path = "/data/x/then.parquet";
      r.training_pid = 4242;
    }
    return r;
  }

  const RetrainRecord* saved_with_id(const std::string& id) const {
    const RetrainRecord* last = nullptr;
    for (const auto& r : state.saved) {
      if (r.id == id) {
        last = &r;
      }
    }
    return last;
  }

  FakeLedger fake_ledger;
};

TEST_F(LedgerTest, LeaseHeldByAnotherInvocationLeavesTheSpecialistAloneAndSaysWho) {
  fake_ledger.held_by_other =
      Lease{"x", "pod-a pid 1 #0000000a", 3, k_now - seconds(30), k_now + seconds(270)};
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::in_progress);
  EXPECT_EQ(out.lease_holder, "pod-a pid 1 #0000000a");
  EXPECT_NE(out.decision.explanation.find("pod-a pid 1 #0000000a"), std::string::npos)
      << out.decision.explanation;
  EXPECT_NE(out.decision.explanation.find("holds the retrain lease of 'x'"), std::string::npos);
  EXPECT_EQ(out.exit_code(), 0);
  EXPECT_EQ(generator.calls, 0);
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_TRUE(registry.writes.empty());
  EXPECT_TRUE(state.saved.empty());
  EXPECT_TRUE(slack.sent.empty());
  EXPECT_EQ(fake_ledger.released, 0) << "never release someone else's lease";
}

TEST_F(LedgerTest, LeaseOfADeadProcessOfThisHostIsTakenOverAtOnce) {
  fake_ledger.held_by_other =
      Lease{"x", "pod-b pid 1 #0000000a", 3, k_now - seconds(30), k_now + seconds(270)};
  std::vector<std::string> asked;
  settings.lease_owner_is_dead = [&](const std::string& owner) {
    asked.push_back(owner);
    return true;
  };
  auto out = run();
  ASSERT_EQ(asked.size(), 1U);
  EXPECT_EQ(asked[0], "pod-b pid 1 #0000000a");
  EXPECT_EQ(fake_ledger.taken_over, 1);
  EXPECT_EQ(out.state, "promoted") << (out.error ? out.error->message : "");
}

TEST_F(LedgerTest, LeaseOfALiveOwnerIsNotTakenOver) {
  fake_ledger.held_by_other =
      Lease{"x", "pod-a pid 1 #0000000a", 3, k_now - seconds(30), k_now + seconds(270)};
  settings.lease_owner_is_dead = [](const std::string&) { return false; };
  auto out = run();
  EXPECT_EQ(fake_ledger.taken_over, 0);
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::in_progress);
}

TEST_F(LedgerTest, RetrainRunsUnderTheLeaseAndRecordsWhatAResumeNeeds) {
  auto out = run();
  ASSERT_EQ(out.state, "promoted") << (out.error ? out.error->message : "");
  EXPECT_EQ(fake_ledger.acquired, 1);
  EXPECT_EQ(fake_ledger.released, 1);
  EXPECT_GE(fake_ledger.renewed, 2) << "confirmed before training and before the promotion";
  ASSERT_FALSE(state.saved.empty());
  const RetrainRecord& last = state.saved.back();
  EXPECT_EQ(last.owner, settings.owner);
  EXPECT_EQ(last.host, "pod-b");
  EXPECT_EQ(last.training_pid, 1);
  EXPECT_EQ(last.baseline_version, "3");
  EXPECT_EQ(last.baseline_run_id, "prod");
  EXPECT_DOUBLE_EQ(*last.baseline_recall, 0.60);
  EXPECT_EQ(last.promoted_version, "4");
  EXPECT_TRUE(last.notified);
  // The outcome is saved before the notification, then marked notified: a death in between
  // re-sends the notification instead of losing it.
  const auto before = std::find_if(state.saved.begin(), state.saved.end(), [](const auto& r) {
    return r.state == "promoted" && !r.notified;
  });
  EXPECT_NE(before, state.saved.end());
  // The training's pid is saved while training, so a later invocation can adopt it.
  const auto training = std::find_if(state.saved.begin(), state.saved.end(), [](const auto& r) {
    return r.state == "training" && r.training_pid == 1;
  });
  EXPECT_NE(training, state.saved.end());
}

TEST_F(LedgerTest, HealthyWithNothingOpenTakesNoLease) {
  tracker.metrics = production(0.9, 0.9, 0.9);
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::healthy);
  EXPECT_EQ(fake_ledger.acquired, 0);
}

// The other invocation finished its retrain between our check and our lease: deciding again
// under the lease sees its cooldown, so the overlap gives one retrain.
struct CooldownAppearsState : FakeState {
  int reads = 0;
  Result<std::optional<TimePoint>> last_retrain(const std::string&) override {
    return ++reads == 1 ? std::optional<TimePoint>{} : std::optional<TimePoint>{k_now - hours(1)};
  }
};

TEST_F(LedgerTest, ARetrainFinishedByAnotherInvocationMeanwhileIsNotRepeated) {
  CooldownAppearsState racing;
  state_override = &racing;
  auto out = run();
  EXPECT_GE(racing.reads, 2) << "the cooldown is read again under the lease";
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::cooldown);
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_EQ(generator.calls, 0);
  EXPECT_EQ(fake_ledger.released, 1);
}

TEST_F(LedgerTest, LedgerUnreadableMeansNoRetrain) {
  fake_ledger.open_error = Error::unavailable("MongoDB at mongodb://h:27017 unreachable");
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::incomplete_data);
  EXPECT_NE(out.decision.explanation.find("retrain ledger"), std::string::npos);
  EXPECT_EQ(out.exit_code(), 3);
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_EQ(generator.calls, 0);
}

TEST_F(LedgerTest, LeaseLostBeforeTrainingStopsBeforeAnyTraining) {
  fake_ledger.lose_on_renew = true;
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  EXPECT_EQ(out.failed_step, "lease");
  EXPECT_NE(out.error->message.find("was lost"), std::string::npos) << out.error->message;
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_FALSE(wrote("create_run"));
  EXPECT_EQ(fake_ledger.released, 0) << "a lost lease is not ours to release";
}

TEST_F(LedgerTest, RecordLeftBeforeTrainingIsClosedFailedAndNotifiedThenANewRetrainRuns) {
  fake_ledger.open = {left_at("dataset")};
  auto out = run();
  ASSERT_EQ(out.resumed.size(), 1U);
  EXPECT_EQ(out.resumed[0].from_state, "dataset");
  EXPECT_EQ(out.resumed[0].state, "failed");
  EXPECT_NE(out.resumed[0].note.find("stopped at state 'dataset', before any training"),
            std::string::npos)
      << out.resumed[0].note;
  const RetrainRecord* closed = saved_with_id("x:degradation:2026-02-14T00:00:00Z");
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(closed->state, "failed");
  EXPECT_TRUE(closed->notified);
  EXPECT_TRUE(closed->finished_at.has_value());
  // Nothing had trained for that cause: this invocation retrains (cooldown not started).
  EXPECT_EQ(launcher.launches, 1);
  EXPECT_EQ(out.state, "promoted");
  ASSERT_EQ(slack.sent.size(), 2U);
  EXPECT_EQ(slack.sent[0].kind, RetrainNotification::Kind::failure);
  EXPECT_EQ(slack.sent[1].kind, RetrainNotification::Kind::success);
}

TEST_F(LedgerTest, FinishedTrainingOfADeadProcessIsEvaluatedAndPromotedNotTrainedAgain) {
  fake_ledger.open = {left_at("training")};
  state.last = k_now - hours(1); // the record reached training: its cooldown runs
  auto out = run();
  ASSERT_EQ(out.resumed.size(), 1U);
  EXPECT_EQ(out.resumed[0].state, "promoted") << out.resumed[0].note;
  EXPECT_EQ(out.resumed[0].promoted_version, "4");
  EXPECT_TRUE(wrote("alias previous-production=3"));
  EXPECT_TRUE(wrote("alias production=4"));
  EXPECT_EQ(launcher.launches, 0) << "never a second training for the same cause";
  EXPECT_FALSE(wrote("create_run"));
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::cooldown);
  const RetrainRecord* closed = saved_with_id("x:degradation:2026-02-14T00:00:00Z");
  ASSERT_NE(closed, nullptr);
  EXPECT_EQ(closed->state, "promoted");
  EXPECT_EQ(closed->owner, settings.owner) << "the record says who closed it";
  EXPECT_TRUE(closed->notified);
  ASSERT_EQ(slack.sent.size(), 1U);
  EXPECT_TRUE(slack.sent[0].promoted);
  EXPECT_DOUBLE_EQ(*slack.sent[0].f1_before, 0.69) << "the recorded baseline";
}

TEST_F(LedgerTest, RunningTrainingOnThisHostIsAdoptedAndWatchedToTheEnd) {
  auto rec = left_at("training");
  rec.host = "pod-b"; // same host: its process group outlived the dead parent
  // TRAINING_TIMEOUT counts from the record's start (conservative: it includes the dataset).
  rec.started_at = k_now - std::chrono::minutes(10);
  fake_ledger.open = {rec};
  state.last = k_now - hours(1);
  launcher.attachable = std::make_unique<FakeProcess>();
  launcher.attachable->polls_until_exit = 3;
  registry.running_for_calls = 2;
  auto out = run();
  ASSERT_EQ(launcher.attach_calls.size(), 1U);
  EXPECT_EQ(launcher.attach_calls[0], 4242);
  ASSERT_EQ(out.resumed.size(), 1U);
  EXPECT_EQ(out.resumed[0].state, "promoted") << out.resumed[0].note;
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_FALSE(wrote("terminate KILLED"));
}

TEST_F(LedgerTest, RunningTrainingWhoseProcessIsGoneIsMarkedKilledNotLeftRunning) {
  fake_ledger.open = {left_at("training")}; // other host: the pod died with its training
  state.last = k_now - hours(1);
  registry.running_for_calls = 100;
  auto out = run();
  EXPECT_TRUE(launcher.attach_calls.empty()) << "a pid of another host means nothing here";
  EXPECT_TRUE(wrote("terminate KILLED"));
  EXPECT_TRUE(wrote("tag model_monitor.failure=orphaned"));
  ASSERT_EQ(out.resumed.size(), 1U);
  EXPECT_EQ(out.resumed[0].state, "failed");
  EXPECT_NE(out.resumed[0].note.find("was left RUNNING"), std::string::npos);
  EXPECT_FALSE(wrote("alias production=4"));
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_EQ(out.exit_code(), 0) << "closing a dead run cleanly is not this run's failure";
}

TEST_F(LedgerTest, FailedTrainingOfADeadProcessIsClosedFailed) {
  fake_ledger.open = {left_at("training")};
  state.last = k_now - hours(1);
  registry.final_state.status = RunStatus::failed;
  auto out = run();
  ASSERT_EQ(out.resumed.size(), 1U);
  EXPECT_EQ(out.resumed[0].state, "failed");
  EXPECT_NE(out.resumed[0].note.find("ended FAILED"), std::string::npos) << out.resumed[0].note;
  EXPECT_FALSE(wrote("alias production=4"));
}

TEST_F(LedgerTest, HalfDonePromotionIsCompletedWithoutChurningTheRollbackAlias) {
  // Killed after `previous-production` and `production` moved, before the record said so.
  registry.aliases = {{"production", "4"}, {"previous-production", "3"}};
  tracker.metrics = production(0.85, 0.80, 0.82); // production is now the candidate
  fake_ledger.open = {left_at("evaluating")};
  state.last = k_now - hours(1);
  auto out = run();
  ASSERT_EQ(out.resumed.size(), 1U);
  EXPECT_EQ(out.resumed[0].state, "promoted") << out.resumed[0].note;
  EXPECT_FALSE(wrote("alias previous-production=4")) << "the way back still points at 3";
  EXPECT_EQ(registry.aliases["previous-production"], "3");
  EXPECT_EQ(registry.aliases["production"], "4");
  EXPECT_EQ(launcher.launches, 0);
}

TEST_F(LedgerTest, ClosedButUnnotifiedRecordIsNotifiedOnceAndNothingElseHappens) {
  auto rec = left_at("promoted");
  rec.promoted_version = "4";
  rec.candidate_f1 = 0.82;
  rec.finished_at = k_now - hours(1) + seconds(600);
  fake_ledger.open = {rec};
  state.last = k_now - hours(1);
  auto out = run();
  ASSERT_EQ(slack.sent.size(), 1U);
  EXPECT_TRUE(slack.sent[0].promoted);
  EXPECT_EQ(slack.sent[0].model_version, "4");
  EXPECT_TRUE(registry.writes.empty());
  const RetrainRecord* closed = saved_with_id(rec.id);
  ASSERT_NE(closed, nullptr);
  EXPECT_TRUE(closed->notified);
  EXPECT_EQ(closed->finished_at, rec.finished_at) << "its end time is kept";
}

TEST_F(LedgerTest, RecordThatCannotBeResolvedStaysOpenAndBlocksANewRetrain) {
  fake_ledger.open = {left_at("training")};
  registry.get_run_error = Error::unavailable("MLflow at http://h unreachable");
  auto out = run();
  ASSERT_EQ(out.resumed.size(), 1U);
  EXPECT_EQ(out.resumed[0].state, "training") << "left open";
  EXPECT_EQ(saved_with_id("x:degradation:2026-02-14T00:00:00Z"), nullptr) << "not rewritten";
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_TRUE(slack.sent.empty());
}

// --- LeaseKeeper ---------------------------------------------------------------------------------

TEST(LeaseKeeper, RenewsInTheBackgroundAndReleasesAtTheEnd) {
  FakeLedger fake;
  {
    LeaseKeeper keeper(
        fake, Lease{"x", "me", 1, k_now, k_now + seconds(5)}, seconds(5), [] { return k_now; },
        nullptr);
    // ttl 5 s: a renewal every second; wait (bounded) for the first.
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(10);
    while (fake.renewed == 0 && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(std::chrono::milliseconds(50));
    }
    EXPECT_GE(fake.renewed, 1);
    EXPECT_FALSE(keeper.lost());
  }
  EXPECT_EQ(fake.released, 1);
}

TEST(LeaseKeeper, ALostLeaseIsReportedOnceAndNotReleased) {
  FakeLedger fake;
  fake.lose_on_renew = true;
  int lost_calls = 0;
  {
    LeaseKeeper keeper(
        fake, Lease{"x", "me", 1, k_now, k_now + seconds(300)}, seconds(300), [] { return k_now; },
        [&](const Error&) { ++lost_calls; });
    EXPECT_FALSE(keeper.renew());
    EXPECT_FALSE(keeper.renew());
    EXPECT_TRUE(keeper.lost());
  }
  EXPECT_EQ(lost_calls, 1);
  EXPECT_EQ(fake.released, 0);
}

} // namespace
} // namespace mm
