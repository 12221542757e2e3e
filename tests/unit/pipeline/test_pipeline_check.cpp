// The check pipeline's own logic with in-memory ports (plain structs, no I/O). The real adapters
// are exercised against real services in tests/integration/.
#include "pipeline/check_pipeline.hpp"

#include <gtest/gtest.h>

#include <map>
#include <mutex>
#include <thread>

namespace mm {
namespace {

struct TableTracker : Tracker {
  std::map<std::string, Result<MlflowMetrics>> by_experiment;
  std::vector<ProductionLookup> lookups;
  Result<MlflowMetrics> production_metrics(const ProductionLookup& l) override {
    lookups.push_back(l);
    auto it = by_experiment.find(l.experiment_name);
    if (it == by_experiment.end()) {
      return Error::not_found("experiment '" + l.experiment_name + "' not found");
    }
    return it->second;
  }
  Result<std::vector<std::string>> discover_specialists(const std::string&) override {
    return std::vector<std::string>{};
  }
};

struct TableFeedback : FeedbackStore {
  std::mutex mutex;
  std::map<std::string, Result<FeedbackStats>> by_type;
  std::vector<FeedbackQuery> queries;
  Result<FeedbackStats> feedback_stats(const FeedbackQuery& q) override {
    std::lock_guard lock(mutex);
    queries.push_back(q);
    auto it = by_type.find(q.specialist_type);
    if (it == by_type.end()) {
      return FeedbackStats{};
    }
    return it->second;
  }
};

// Counts batch calls; can fail the whole batch.
struct BatchFeedback : TableFeedback {
  int batch_calls = 0;
  std::thread::id batch_thread;
  std::optional<Error> batch_error;
  Result<std::map<std::string, FeedbackStats>>
  feedback_stats_many(const std::vector<std::string>& types, const FeedbackQuery& q) override {
    ++batch_calls;
    batch_thread = std::this_thread::get_id();
    if (batch_error) {
      return *batch_error;
    }
    return TableFeedback::feedback_stats_many(types, q);
  }
};

struct RecordingSink : MetricsSink {
  std::map<std::string, std::vector<MetricFamily>> pushed;
  std::optional<Error> fail_with;
  Status push_group(const std::string& type, const std::vector<MetricFamily>& f) override {
    if (fail_with) {
      return *fail_with;
    }
    pushed[type] = f;
    return ok_status();
  }
  std::map<std::string, std::vector<MetricFamily>> added;
  Status add_to_group(const std::string& type, const std::vector<MetricFamily>& f) override {
    added[type] = f;
    return ok_status();
  }
};

MlflowMetrics metrics(double p, double r, double f1) {
  MlflowMetrics m;
  m.precision = p;
  m.recall = r;
  m.f1_score = f1;
  m.run_id = "r";
  return m;
}

FeedbackStats stats(double avg, std::int64_t n) {
  FeedbackStats f;
  f.total_count = n;
  f.rating_sum = avg * static_cast<double>(n);
  return f;
}

const TimePoint k_now = TimePoint(std::chrono::hours(24 * 20000));
Clock fixed_clock() {
  return [] { return k_now; };
}

bool has_family(const std::vector<MetricFamily>& fs, const std::string& name) {
  for (const auto& f : fs) {
    if (f.name == name) {
      return true;
    }
  }
  return false;
}

TEST(CheckPipeline, HealthyPushesGaugesAndDeadMansSwitch) {
  TableTracker t;
  t.by_experiment.emplace("technical-specialist", metrics(0.9, 0.9, 0.9));
  TableFeedback fb;
  fb.by_type.emplace("technical", stats(0.8, 10));
  RecordingSink sink;
  CheckPipeline p(t, fb, &sink, fixed_clock(), {});
  CheckOutcome o = p.check("technical");
  ASSERT_TRUE(o.report);
  EXPECT_FALSE(o.error);
  EXPECT_EQ(o.exit_code(), 0);
  const auto& fs = sink.pushed["technical"];
  for (const char* name :
       {"neural_hive_model_performance_score", "neural_hive_model_degradation_detected",
        "neural_hive_mlflow_model_precision", "neural_hive_mlflow_model_recall",
        "neural_hive_mlflow_model_f1", "neural_hive_feedback_avg_rating",
        "neural_hive_feedback_count_current",
        "neural_hive_monitor_last_success_timestamp_seconds"}) {
    EXPECT_TRUE(has_family(fs, name)) << name;
  }
}

TEST(CheckPipeline, LooksUpTheConfiguredNamesAndWindow) {
  TableTracker t;
  t.by_experiment.emplace("business-specialist", metrics(0.9, 0.9, 0.9));
  TableFeedback fb;
  CheckSettings s;
  s.model_name_template = "{type}-evaluator";
  s.production_alias = "champion";
  s.runs_limit = 7;
  s.feedback_window_days = 10;
  CheckPipeline p(t, fb, nullptr, fixed_clock(), s);
  (void)p.check("business");
  ASSERT_EQ(t.lookups.size(), 1U);
  EXPECT_EQ(t.lookups[0].model_name, "business-evaluator");
  EXPECT_EQ(t.lookups[0].experiment_name, "business-specialist");
  EXPECT_EQ(t.lookups[0].production_alias, "champion");
  EXPECT_EQ(t.lookups[0].runs_limit, 7);
  ASSERT_EQ(fb.queries.size(), 1U);
  EXPECT_EQ(fb.queries[0].window_end, k_now);
  EXPECT_EQ(fb.queries[0].window_start, k_now - std::chrono::hours(240));
}

TEST(CheckPipeline, DegradedExitsOne) {
  TableTracker t;
  t.by_experiment.emplace("behavior-specialist", metrics(0.9, 0.5, 0.6));
  TableFeedback fb;
  CheckPipeline p(t, fb, nullptr, fixed_clock(), {});
  EXPECT_EQ(p.check("behavior").exit_code(), 1);
}

TEST(CheckPipeline, MlflowErrorIsTheOutcomeAndNothingIsPushed) {
  TableTracker t;
  t.by_experiment.emplace("x-specialist", Error::unavailable("MLflow down at http://h"));
  TableFeedback fb;
  RecordingSink sink;
  CheckPipeline p(t, fb, &sink, fixed_clock(), {});
  CheckOutcome o = p.check("x");
  EXPECT_FALSE(o.report);
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.exit_code(), 3);
  EXPECT_TRUE(sink.pushed.empty());
  EXPECT_TRUE(fb.queries.empty()) << "no feedback query when MLflow already failed";
}

struct CountingState : StateStore {
  std::map<std::string, double> errors;
  Result<std::optional<TimePoint>> last_retrain(const std::string&) override {
    return std::optional<TimePoint>{};
  }
  Status save_retrain(const RetrainRecord&) override { return ok_status(); }
  Status increment_counter(const std::string& type, const std::string& name,
                           const std::map<std::string, std::string>&, double d) override {
    if (name == "neural_hive_mlflow_connection_errors_total") {
      errors[type] += d;
    }
    return ok_status();
  }
  Result<std::vector<Counter>> counters(const std::string&) override {
    return std::vector<Counter>{};
  }
  Result<std::map<std::string, double>> counter_by_type(const std::string&) override {
    return errors;
  }
};

TEST(CheckPipeline, MlflowConnectionErrorsAreCountedCumulativelyAndPostedNotPut) {
  TableTracker t;
  t.by_experiment.emplace("x-specialist", Error::unavailable("MLflow down at http://h"));
  TableFeedback fb;
  RecordingSink sink;
  CountingState state;
  state.errors["x"] = 4; // from earlier CronJob runs
  CheckPipeline p(t, fb, &sink, fixed_clock(), {}, &state);
  (void)p.check("x");
  EXPECT_EQ(state.errors["x"], 5);
  EXPECT_TRUE(sink.pushed.empty()) << "a PUT would erase the last good gauges";
  ASSERT_EQ(sink.added["x"].size(), 1U);
  EXPECT_EQ(sink.added["x"][0].name, "neural_hive_mlflow_connection_errors_total");
  EXPECT_EQ(sink.added["x"][0].samples[0].value, 5);
}

// MongoDB down as well: the stored counter cannot be read, so it is not pushed at all (a value
// lower than the one pushed before reads as a counter reset, and changes() would fire the
// MLflowConnectionFailed alert without a new failure).
struct UnreadableState : CountingState {
  Result<std::map<std::string, double>> counter_by_type(const std::string&) override {
    return Error::unavailable("MongoDB at mongodb://h:27017 unreachable");
  }
};

TEST(CheckPipeline, UnreadableCounterIsNeitherPushedLowerNorErased) {
  TableTracker t;
  t.by_experiment.emplace("x-specialist", Error::unavailable("MLflow down at http://h"));
  TableFeedback fb;
  RecordingSink sink;
  UnreadableState state;
  CheckPipeline failing(t, fb, &sink, fixed_clock(), {}, &state);
  (void)failing.check("x");
  EXPECT_TRUE(sink.added["x"].empty()) << "no counter value to push";

  // A healthy check whose fleet read of the counters failed (set_known_connection_errors never
  // called): the gauges are POSTed, the counter pushed earlier stays in the group.
  TableTracker ok;
  ok.by_experiment.emplace("y-specialist", metrics(0.9, 0.9, 0.9));
  CheckPipeline healthy(ok, fb, &sink, fixed_clock(), {}, &state);
  (void)healthy.check("y");
  EXPECT_EQ(sink.pushed.count("y"), 0U) << "a PUT would drop the stored counter";
  ASSERT_FALSE(sink.added["y"].empty());
  for (const auto& f : sink.added["y"]) {
    EXPECT_NE(f.name, "neural_hive_mlflow_connection_errors_total");
  }
}

TEST(CheckPipeline, RunThatCannotBeScoredIsABadResponse) {
  TableTracker t;
  MlflowMetrics m;
  m.precision = 0.9;
  m.run_id = "r9";
  t.by_experiment.emplace("x-specialist", m);
  TableFeedback fb;
  CheckPipeline p(t, fb, nullptr, fixed_clock(), {});
  CheckOutcome o = p.check("x");
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.error->kind, ErrorKind::bad_response);
  EXPECT_NE(o.error->message.find("r9"), std::string::npos);
}

TEST(CheckPipeline, FeedbackUnavailableStillReportsMlflowButExitsThree) {
  TableTracker t;
  t.by_experiment.emplace("x-specialist", metrics(0.9, 0.9, 0.9));
  TableFeedback fb;
  fb.by_type.emplace("x", Error::unavailable("MongoDB down"));
  RecordingSink sink;
  CheckPipeline p(t, fb, &sink, fixed_clock(), {});
  CheckOutcome o = p.check("x");
  ASSERT_TRUE(o.report);
  EXPECT_TRUE(o.report->has_gap(DataGap::feedback_unavailable));
  EXPECT_FALSE(o.report->is_degraded);
  EXPECT_EQ(o.exit_code(), 3);
  const auto& fs = sink.pushed["x"];
  EXPECT_FALSE(has_family(fs, "neural_hive_feedback_avg_rating"));
  EXPECT_FALSE(has_family(fs, "neural_hive_monitor_last_success_timestamp_seconds"))
      << "a partial check must not feed the dead-man's switch";
}

TEST(CheckPipeline, TooFewRatingsAreNotPushedAsTheFeedbackAverage) {
  // The average of 3 ratings is not the decision's: pushing it would fire the feedback alert
  // while the check says healthy. The count still tells the dashboard how many there were.
  TableTracker t;
  t.by_experiment.emplace("x-specialist", metrics(0.9, 0.9, 0.9));
  TableFeedback fb;
  fb.by_type.emplace("x", stats(0.1, 3));
  RecordingSink sink;
  CheckPipeline p(t, fb, &sink, fixed_clock(), {});
  CheckOutcome o = p.check("x");
  ASSERT_TRUE(o.report);
  EXPECT_FALSE(o.report->is_degraded);
  EXPECT_TRUE(o.report->has_gap(DataGap::too_few_feedback_ratings));
  EXPECT_EQ(o.exit_code(), 0);
  const auto& fs = sink.pushed["x"];
  EXPECT_FALSE(has_family(fs, "neural_hive_feedback_avg_rating"));
  EXPECT_TRUE(has_family(fs, "neural_hive_feedback_count_current"));
}

TEST(CheckPipeline, PushFailureKeepsTheReport) {
  TableTracker t;
  t.by_experiment.emplace("x-specialist", metrics(0.9, 0.9, 0.9));
  TableFeedback fb;
  RecordingSink sink;
  sink.fail_with = Error::unavailable("pushgateway down");
  CheckPipeline p(t, fb, &sink, fixed_clock(), {});
  CheckOutcome o = p.check("x");
  ASSERT_TRUE(o.report);
  ASSERT_TRUE(o.push_error);
  EXPECT_EQ(o.exit_code(), 3);
}

TEST(CheckPipeline, InvalidTypeIsRejectedBeforeAnyIo) {
  TableTracker t;
  TableFeedback fb;
  CheckPipeline p(t, fb, nullptr, fixed_clock(), {});
  CheckOutcome o = p.check("../etc");
  ASSERT_TRUE(o.error);
  EXPECT_EQ(o.exit_code(), 2);
  EXPECT_TRUE(t.lookups.empty());
}

TEST(CheckAll, OrderKeptFailuresIsolatedWorstExitCode) {
  std::vector<std::string> types;
  for (int i = 0; i < 50; ++i) {
    types.push_back("s" + std::to_string(i));
  }
  TableFeedback fb;
  auto factory = [&]() -> Result<CheckWorker> {
    auto t = std::make_unique<TableTracker>();
    for (int i = 0; i < 50; ++i) {
      if (i == 13) {
        continue; // missing experiment
      }
      t->by_experiment.emplace("s" + std::to_string(i) + "-specialist",
                               i == 7 ? metrics(0.5, 0.5, 0.5) : metrics(0.9, 0.9, 0.9));
    }
    return CheckWorker{std::move(t), nullptr};
  };
  int callbacks = 0;
  auto outcomes = check_all(types, 4, factory, fb, fixed_clock(), {},
                            [&](const CheckOutcome&) { ++callbacks; });
  ASSERT_EQ(outcomes.size(), 50U);
  EXPECT_EQ(callbacks, 50);
  for (size_t i = 0; i < outcomes.size(); ++i) {
    EXPECT_EQ(outcomes[i].specialist_type, types[i]);
  }
  EXPECT_EQ(outcomes[7].exit_code(), 1);
  EXPECT_EQ(outcomes[13].exit_code(), 3);
  EXPECT_EQ(outcomes[14].exit_code(), 0);
  EXPECT_EQ(worst_exit_code(outcomes), 3);
}

TEST(CheckAll, WorkerThatCannotStartFailsItsSpecialistsNotTheRun) {
  TableFeedback fb;
  auto factory = []() -> Result<CheckWorker> { return Error::config("bad MLflow URL"); };
  auto outcomes = check_all({"a", "b"}, 2, factory, fb, fixed_clock(), {});
  ASSERT_EQ(outcomes.size(), 2U);
  EXPECT_EQ(outcomes[0].exit_code(), 2);
  EXPECT_EQ(outcomes[1].specialist_type, "b");
}

TEST(CheckAll, ReadsFeedbackOnceForTheWholeFleet) {
  BatchFeedback fb;
  fb.by_type.emplace("a", stats(0.9, 20));
  fb.by_type.emplace("b", stats(0.2, 20));
  auto factory = []() -> Result<CheckWorker> {
    auto t = std::make_unique<TableTracker>();
    t->by_experiment.emplace("a-specialist", metrics(0.9, 0.9, 0.9));
    t->by_experiment.emplace("b-specialist", metrics(0.9, 0.9, 0.9));
    return CheckWorker{std::move(t), nullptr};
  };
  auto outcomes = check_all({"a", "b"}, 2, factory, fb, fixed_clock(), {});
  EXPECT_EQ(fb.batch_calls, 1);
  ASSERT_TRUE(outcomes[1].report);
  EXPECT_TRUE(outcomes[1].report->is_degraded) << "b's bad feedback came through the batch";
  EXPECT_EQ(outcomes[0].exit_code(), 0);
}

TEST(CheckAll, OneSpecialistReadsFeedbackOnTheCallingThread) {
  BatchFeedback fb;
  fb.by_type.emplace("a", stats(0.9, 20));
  auto factory = []() -> Result<CheckWorker> {
    auto t = std::make_unique<TableTracker>();
    t->by_experiment.emplace("a-specialist", metrics(0.9, 0.9, 0.9));
    return CheckWorker{std::move(t), nullptr};
  };
  auto outcomes = check_all({"a"}, 4, factory, fb, fixed_clock(), {});
  EXPECT_EQ(fb.batch_calls, 1);
  EXPECT_EQ(fb.batch_thread, std::this_thread::get_id()) << "no thread of its own for one read";
  ASSERT_TRUE(outcomes[0].report);
  EXPECT_EQ(outcomes[0].report->feedback.total_count, 20);
}

TEST(CheckAll, OneSpecialistWithoutAModelCostsNothingOnTheDatabase) {
  BatchFeedback fb;
  fb.by_type.emplace("a", stats(0.9, 20));
  auto factory = []() -> Result<CheckWorker> {
    return CheckWorker{std::make_unique<TableTracker>(), nullptr}; // knows no experiment
  };
  auto outcomes = check_all({"a"}, 1, factory, fb, fixed_clock(), {});
  EXPECT_EQ(fb.batch_calls, 0);
  EXPECT_TRUE(outcomes[0].error);
}

TEST(CheckAll, BatchFeedbackFailureMakesFeedbackUnavailableForAll) {
  BatchFeedback fb;
  fb.batch_error = Error::unavailable("MongoDB at mongodb://h down");
  auto factory = []() -> Result<CheckWorker> {
    auto t = std::make_unique<TableTracker>();
    t->by_experiment.emplace("a-specialist", metrics(0.9, 0.9, 0.9));
    return CheckWorker{std::move(t), nullptr};
  };
  auto outcomes = check_all({"a"}, 1, factory, fb, fixed_clock(), {});
  ASSERT_TRUE(outcomes[0].report);
  EXPECT_TRUE(outcomes[0].report->has_gap(DataGap::feedback_unavailable));
  EXPECT_EQ(outcomes[0].exit_code(), 3);
}

// A tracker whose fleet lookup settles some models; what every tracker the factory made was
// asked is recorded in one shared place.
struct FleetCalls {
  std::mutex mutex;
  int many_calls = 0;
  std::vector<std::string> one_by_one;          // experiment names
  std::map<std::string, MlflowMetrics> settled; // by model name
  std::optional<Error> many_error;
};

struct FleetTracker : TableTracker {
  explicit FleetTracker(FleetCalls& c) : calls(c) {}
  FleetCalls& calls;
  Result<MlflowMetrics> production_metrics(const ProductionLookup& l) override {
    {
      std::lock_guard lock(calls.mutex);
      calls.one_by_one.push_back(l.experiment_name);
    }
    return TableTracker::production_metrics(l);
  }
  Result<std::map<std::string, MlflowMetrics>>
  production_metrics_many(const std::vector<ProductionLookup>& fleet) override {
    std::lock_guard lock(calls.mutex);
    ++calls.many_calls;
    if (calls.many_error) {
      return *calls.many_error;
    }
    std::map<std::string, MlflowMetrics> out;
    for (const auto& l : fleet) {
      if (auto it = calls.settled.find(l.model_name); it != calls.settled.end()) {
        out.emplace(it->first, it->second);
      }
    }
    return out;
  }
};

CheckWorkerFactory fleet_factory(FleetCalls& calls) {
  return [&calls]() -> Result<CheckWorker> {
    auto t = std::make_unique<FleetTracker>(calls);
    for (const char* type : {"a", "b", "c"}) {
      MlflowMetrics m = metrics(0.9, 0.9, 0.9);
      m.run_id = std::string("one-by-one-") + type;
      t->by_experiment.emplace(std::string(type) + "-specialist", m);
    }
    return CheckWorker{std::move(t), nullptr};
  };
}

TEST(CheckAll, TheFleetLookupSettlesMlflowAndOnlyTheRestIsAskedOneByOne) {
  FleetCalls calls;
  MlflowMetrics a = metrics(0.9, 0.9, 0.9);
  a.run_id = "fleet-a";
  MlflowMetrics b = metrics(0.5, 0.5, 0.5); // degraded: the settled values are the ones used
  b.run_id = "fleet-b";
  calls.settled = {{"a-specialist", a}, {"b-specialist", b}};
  TableFeedback fb;
  auto outcomes = check_all({"a", "b", "c"}, 2, fleet_factory(calls), fb, fixed_clock(), {});
  EXPECT_EQ(calls.many_calls, 1);
  EXPECT_EQ(calls.one_by_one, (std::vector<std::string>{"c-specialist"}));
  ASSERT_TRUE(outcomes[0].report && outcomes[1].report && outcomes[2].report);
  EXPECT_EQ(outcomes[0].report->mlflow.run_id, "fleet-a");
  EXPECT_EQ(outcomes[1].report->mlflow.run_id, "fleet-b");
  EXPECT_TRUE(outcomes[1].report->is_degraded);
  EXPECT_EQ(outcomes[2].report->mlflow.run_id, "one-by-one-c");
}

TEST(CheckAll, AFailedFleetLookupAsksEverySpecialistOneByOne) {
  FleetCalls calls;
  calls.many_error = Error::unavailable("MLflow at http://h down");
  TableFeedback fb;
  auto outcomes = check_all({"a", "b", "c"}, 1, fleet_factory(calls), fb, fixed_clock(), {});
  EXPECT_EQ(calls.many_calls, 1);
  EXPECT_EQ(calls.one_by_one.size(), 3U);
  EXPECT_EQ(worst_exit_code(outcomes), 0);
  EXPECT_EQ(outcomes[2].report->mlflow.run_id, "one-by-one-c");
}

TEST(CheckAll, OneSpecialistIsAskedAloneWithoutAFleetLookup) {
  FleetCalls calls;
  calls.settled = {{"a-specialist", metrics(0.9, 0.9, 0.9)}};
  TableFeedback fb;
  auto outcomes = check_all({"a"}, 4, fleet_factory(calls), fb, fixed_clock(), {});
  EXPECT_EQ(calls.many_calls, 0);
  EXPECT_EQ(calls.one_by_one, (std::vector<std::string>{"a-specialist"}));
  EXPECT_EQ(outcomes[0].report->mlflow.run_id, "one-by-one-a");
}

} // namespace
} // namespace mm
