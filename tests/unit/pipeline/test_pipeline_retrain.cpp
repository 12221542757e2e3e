// The retrain pipeline's decisions and ordering with in-memory ports (plain structs, no I/O).
// The real adapters (MLflow, `mlflow run`, FerretDB, Parquet, Slack/SMTP) are exercised end to
// end by tests/integration/retrain.
#include "pipeline/retrain_pipeline.hpp"

#include <gtest/gtest.h>

#include <map>

namespace mm {
namespace {

const TimePoint k_now = TimePoint(std::chrono::hours(24 * 20500));

struct FakeTracker : Tracker {
  Result<MlflowMetrics> metrics = Error::not_found("none");
  Result<MlflowMetrics> production_metrics(const ProductionLookup&) override { return metrics; }
  Result<std::vector<std::string>> discover_specialists(const std::string&) override {
    return std::vector<std::string>{};
  }
};

struct FakeFeedback : FeedbackStore {
  Result<FeedbackStats> stats = FeedbackStats{};
  Result<FeedbackStats> feedback_stats(const FeedbackQuery&) override { return stats; }
};

struct FakeRows : FeedbackRowSource {
  int calls = 0;
  Result<FeedbackRows> recent_training_rows(const std::string&, int) override {
    ++calls;
    FeedbackRows r;
    TrainingRow row;
    row.source = RowSource::feedback;
    r.rows = {row, row};
    return r;
  }
};

struct FakeRegistry : RunRegistry {
  std::vector<std::string> writes; // every mutating call, in order
  RunState final_state;
  std::map<std::string, std::string> aliases = {{"production", "3"}};
  std::optional<ModelVersionRef> run_version =
      ModelVersionRef{"x-specialist", "4", "new", "None", {}};
  int get_run_calls = 0;
  Result<std::string> ensure_experiment(const std::string&) override { return std::string("7"); }
  Result<std::string> create_run(const std::string&,
                                 const std::map<std::string, std::string>&) override {
    writes.push_back("create_run");
    return std::string("new");
  }
  Result<RunState> get_run(const std::string&) override {
    ++get_run_calls;
    return final_state;
  }
  Status set_tags(const std::string&, const std::map<std::string, std::string>& tags) override {
    for (const auto& [k, v] : tags) {
      writes.push_back("tag " + k + "=" + v);
    }
    return ok_status();
  }
  Status terminate_run(const std::string&, RunStatus s) override {
    writes.push_back(std::string("terminate ") + to_string(s));
    return ok_status();
  }
  Result<std::optional<ModelVersionRef>> version_of_run(const std::string&,
                                                        const std::string&) override {
    return run_version;
  }
  Result<ModelVersionRef> register_version(const std::string& m, const std::string& r,
                                           const std::string&) override {
    writes.push_back("register");
    return ModelVersionRef{m, "9", r, "None", {}};
  }
  Result<std::optional<ModelVersionRef>> version_by_alias(const std::string& m,
                                                          const std::string& a) override {
    auto it = aliases.find(a);
    if (it == aliases.end()) {
      return std::optional<ModelVersionRef>{};
    }
    return std::optional<ModelVersionRef>{ModelVersionRef{m, it->second, "", "None", {a}}};
  }
  Status set_alias(const std::string&, const std::string& a, const std::string& v) override {
    writes.push_back("alias " + a + "=" + v);
    aliases[a] = v;
    return ok_status();
  }
  Status transition_to_production(const std::string&, const std::string& v) override {
    writes.push_back("stage Production=" + v);
    return ok_status();
  }
};

struct FakeState : StateStore {
  std::optional<TimePoint> last;
  std::vector<RetrainRecord> saved;
  std::map<std::string, double> counters_by_key;
  int writes = 0;
  Result<std::optional<TimePoint>> last_retrain(const std::string&) override { return last; }
  Status save_retrain(const RetrainRecord& r) override {
    ++writes;
    saved.push_back(r);
    return ok_status();
  }
  Status increment_counter(const std::string&, const std::string& name,
                           const std::map<std::string, std::string>& labels, double d) override {
    ++writes;
    std::string key = name;
    for (const auto& [k, v] : labels) {
      key += "|" + k + "=" + v;
    }
    counters_by_key[key] += d;
    return ok_status();
  }
  Result<std::vector<Counter>> counters(const std::string&) override {
    return std::vector<Counter>{};
  }
  Result<std::map<std::string, double>> counter_by_type(const std::string&) override {
    return std::map<std::string, double>{};
  }
};

struct FakeDatasets : DatasetStore {
  std::vector<std::string> writes;
  std::vector<DatasetFile> files;
  std::filesystem::path path_for(const std::string& t, TimePoint) const override {
    return "/data/" + t + "/now.parquet";
  }
  Status write(const std::filesystem::path& p, const Dataset&) override {
    writes.push_back("write " + p.string());
    return ok_status();
  }
  Result<Dataset> read(const std::filesystem::path&) override { return Dataset{}; }
  Result<std::vector<DatasetFile>> list(const std::string&) override { return files; }
  Status remove(const std::filesystem::path& p) override {
    writes.push_back("remove " + p.string());
    return ok_status();
  }
};

struct FakeProcess : TrainingProcess {
  int polls_until_exit = 2;
  int code = 0;
  bool killed = false;
  std::optional<int> poll() override {
    if (killed) {
      return 137;
    }
    if (polls_until_exit-- > 0) {
      return std::nullopt;
    }
    return code;
  }
  void kill_tree() override { killed = true; }
  int pid() const noexcept override { return 1; }
};

struct FakeLauncher : TrainingLauncher {
  int launches = 0;
  FakeProcess* last = nullptr;
  int code = 0;
  int polls = 2;
  TrainingLaunch launch_args;
  Result<std::unique_ptr<TrainingProcess>> launch(const TrainingLaunch& l) override {
    ++launches;
    launch_args = l;
    auto p = std::make_unique<FakeProcess>();
    p->code = code;
    p->polls_until_exit = polls;
    last = p.get();
    return std::unique_ptr<TrainingProcess>(std::move(p));
  }
};

struct FakeGenerator : DatasetGenerator {
  int calls = 0;
  std::optional<Error> fail;
  Result<GenerationReport> generate(const GenerationRequest& req) override {
    ++calls;
    if (fail) {
      return *fail;
    }
    GenerationReport r;
    r.requested = req.num_samples;
    r.accepted = 3;
    r.dataset.rows.resize(3);
    return r;
  }
};

struct FakeNotifier : Notifier {
  std::string name;
  std::optional<Error> fail;
  std::vector<RetrainNotification> sent;
  explicit FakeNotifier(std::string n) : name(std::move(n)) {}
  const char* channel() const noexcept override { return name.c_str(); }
  Status notify(const RetrainNotification& n) override {
    sent.push_back(n);
    if (fail) {
      return *fail;
    }
    return ok_status();
  }
};

struct FakeSink : MetricsSink {
  int pushes = 0;
  std::vector<MetricFamily> last;
  Status push_group(const std::string&, const std::vector<MetricFamily>& f) override {
    ++pushes;
    last = f;
    return ok_status();
  }
  Status add_to_group(const std::string&, const std::vector<MetricFamily>&) override {
    ++pushes;
    return ok_status();
  }
};

MlflowMetrics production(double p, double r, double f1) {
  MlflowMetrics m;
  m.precision = p;
  m.recall = r;
  m.f1_score = f1;
  m.run_id = "prod";
  m.source = RunSource::alias;
  m.model_name = "x-specialist";
  m.model_version = "3";
  return m;
}

class RetrainTest : public ::testing::Test {
protected:
  RetrainTest() : slack("slack"), email("email") {
    tracker.metrics = production(0.80, 0.60, 0.69); // degraded: recall and F1
    FeedbackStats f;
    f.total_count = 10;
    f.rating_sum = 7;
    feedback.stats = f;
    registry.final_state.run_id = "new";
    registry.final_state.status = RunStatus::finished;
    registry.final_state.precision = 0.85;
    registry.final_state.recall = 0.80;
    registry.final_state.f1_score = 0.82;
    settings.notification_channels = {"slack", "email"};
    settings.poll_interval = std::chrono::milliseconds(0);
  }

  RetrainOutcome run(const std::string& type = "x") {
    RetrainPorts ports{tracker, feedback, rows, registry, state, datasets, launcher, nullptr,
                       nullptr, {},       {},   {},       {},    {},       {}};
    ports.generator = &generator;
    ports.metrics = &sink;
    ports.notifiers = {&slack, &email};
    ports.clock = [] { return k_now; };
    ports.sleep = [this](std::chrono::milliseconds) { ++sleeps; };
    ports.interrupted = [this] { return stop_after_polls >= 0 && sleeps >= stop_after_polls; };
    RetrainPipeline p(std::move(ports), settings);
    return p.retrain(type);
  }

  bool wrote(const std::string& what) const {
    for (const auto& w : registry.writes) {
      if (w == what) {
        return true;
      }
    }
    return false;
  }

  FakeTracker tracker;
  FakeFeedback feedback;
  FakeRows rows;
  FakeRegistry registry;
  FakeState state;
  FakeDatasets datasets;
  FakeLauncher launcher;
  FakeGenerator generator;
  FakeSink sink;
  FakeNotifier slack;
  FakeNotifier email;
  RetrainSettings settings;
  int sleeps = 0;
  int stop_after_polls = -1; // >= 0: "SIGTERM" arrives after that many polls
};

TEST_F(RetrainTest, HealthyDoesNothingButPushesTheGroup) {
  tracker.metrics = production(0.9, 0.9, 0.9);
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::healthy);
  EXPECT_EQ(out.exit_code(), 0);
  EXPECT_EQ(generator.calls, 0);
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_TRUE(registry.writes.empty());
  EXPECT_EQ(state.writes, 0);
  EXPECT_TRUE(slack.sent.empty());
  EXPECT_EQ(sink.pushes, 1);
}

TEST_F(RetrainTest, DegradedBetterCandidateIsPromotedKeepingTheOldVersionForRollback) {
  auto out = run();
  EXPECT_EQ(out.state, "promoted") << (out.error ? out.error->message : "");
  EXPECT_EQ(out.exit_code(), 0);
  EXPECT_EQ(generator.calls, 1);
  EXPECT_EQ(out.llm_rows, 3);
  EXPECT_EQ(out.feedback_rows, 2);
  EXPECT_EQ(datasets.writes.front(), "write /data/x/now.parquet");
  EXPECT_EQ(launcher.launch_args.parameters.at("dataset_path"), "/data/x/now.parquet");
  EXPECT_EQ(launcher.launch_args.run_id, "new");
  EXPECT_TRUE(wrote("alias previous-production=3"));
  EXPECT_TRUE(wrote("alias production=4"));
  // previous-production is written before production moves.
  auto pos = [&](const std::string& w) {
    return std::find(registry.writes.begin(), registry.writes.end(), w) - registry.writes.begin();
  };
  EXPECT_LT(pos("alias previous-production=3"), pos("alias production=4"));
  EXPECT_TRUE(wrote("tag model_monitor.promotion=promoted"));
  EXPECT_FALSE(wrote("stage Production=4")) << "alias registries are not staged";
  ASSERT_EQ(slack.sent.size(), 1U);
  EXPECT_EQ(slack.sent[0].kind, RetrainNotification::Kind::success);
  EXPECT_TRUE(slack.sent[0].promoted);
  EXPECT_DOUBLE_EQ(*slack.sent[0].f1_before, 0.69);
  EXPECT_DOUBLE_EQ(*slack.sent[0].f1_after, 0.82);
  EXPECT_EQ(email.sent.size(), 1U);
  ASSERT_FALSE(state.saved.empty());
  EXPECT_EQ(state.saved.back().state, "promoted");
  EXPECT_EQ(state.counters_by_key["neural_hive_auto_retrain_triggered_total|reason=degradation|"
                                  "status=success"],
            1.0);
  EXPECT_EQ(state.counters_by_key["neural_hive_auto_retrain_success_total|improved=true"], 1.0);
  ASSERT_TRUE(out.report_after) << "the new production model is checked again after promotion";
}

TEST_F(RetrainTest, WorseCandidateIsNotPromoted) {
  registry.final_state.f1_score = 0.70; // better than 0.69 but not by 0.02
  auto out = run();
  EXPECT_EQ(out.state, "rejected");
  EXPECT_EQ(out.exit_code(), 0);
  EXPECT_FALSE(wrote("alias production=4"));
  EXPECT_TRUE(wrote("tag model_monitor.promotion=rejected"));
  ASSERT_EQ(slack.sent.size(), 1U);
  EXPECT_FALSE(slack.sent[0].promoted);
  EXPECT_EQ(state.counters_by_key["neural_hive_auto_retrain_success_total|improved=false"], 1.0);
}

TEST_F(RetrainTest, LegacyStageRegistryIsAlsoTransitioned) {
  MlflowMetrics m = production(0.80, 0.60, 0.69);
  m.source = RunSource::legacy_stage;
  tracker.metrics = m;
  registry.aliases.clear();
  auto out = run();
  EXPECT_EQ(out.state, "promoted");
  EXPECT_TRUE(wrote("alias previous-production=3"));
  EXPECT_TRUE(wrote("stage Production=4"));
}

TEST_F(RetrainTest, LatestRunIsNeverABaseline) {
  MlflowMetrics m = production(0.80, 0.60, 0.69);
  m.source = RunSource::latest_run;
  m.model_version.clear();
  tracker.metrics = m;
  registry.aliases.clear();
  registry.run_version.reset();
  auto out = run();
  EXPECT_EQ(out.state, "promoted");
  ASSERT_TRUE(out.promotion);
  EXPECT_FALSE(out.promotion->baseline.has_value());
  EXPECT_TRUE(wrote("register")) << "the run registered no version: we register it";
  EXPECT_TRUE(wrote("alias production=9"));
  EXPECT_FALSE(wrote("alias previous-production=9"));
}

TEST_F(RetrainTest, FailedTrainingNotifiesFailureAndPromotesNothing) {
  registry.final_state.status = RunStatus::failed;
  launcher.code = 1;
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  EXPECT_EQ(out.failed_step, "training");
  EXPECT_EQ(out.exit_code(), 1);
  EXPECT_FALSE(wrote("alias production=4"));
  ASSERT_EQ(slack.sent.size(), 1U);
  EXPECT_EQ(slack.sent[0].kind, RetrainNotification::Kind::failure);
  EXPECT_EQ(slack.sent[0].failed_step, "training");
  EXPECT_EQ(state.counters_by_key["neural_hive_auto_retrain_triggered_total|reason=degradation|"
                                  "status=failed"],
            1.0);
}

TEST_F(RetrainTest, ProcessGoneButRunStillRunningIsClosedAsFailed) {
  registry.final_state.status = RunStatus::running;
  launcher.polls = 0;
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  EXPECT_TRUE(wrote("terminate FAILED")) << "no orphaned RUNNING run";
}

TEST_F(RetrainTest, TimeoutKillsTheTreeAndMarksTheRunFailed) {
  registry.final_state.status = RunStatus::running;
  launcher.polls = 1000000;
  settings.training_timeout = std::chrono::seconds(0);
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  ASSERT_TRUE(out.error);
  EXPECT_EQ(out.error->kind, ErrorKind::timeout);
  EXPECT_TRUE(launcher.last->killed);
  EXPECT_TRUE(wrote("terminate FAILED"));
  EXPECT_TRUE(wrote("tag model_monitor.failure=training_timeout"));
  EXPECT_EQ(out.exit_code(), 1);
}

TEST_F(RetrainTest, SigtermDuringTrainingKillsTheTreeAndMarksTheRunKilled) {
  registry.final_state.status = RunStatus::running;
  launcher.polls = 1000000;
  stop_after_polls = 2;
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  EXPECT_TRUE(launcher.last->killed);
  EXPECT_TRUE(wrote("terminate KILLED")) << "never an orphaned RUNNING run";
  EXPECT_TRUE(wrote("tag model_monitor.failure=interrupted"));
  EXPECT_EQ(out.exit_code(), 1);
}

TEST_F(RetrainTest, CooldownSkipsAutomaticRetrainButForceOverrides) {
  state.last = k_now - std::chrono::hours(3);
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::cooldown);
  EXPECT_EQ(out.exit_code(), 0);
  EXPECT_EQ(launcher.launches, 0);
  settings.force = true;
  auto forced = run();
  EXPECT_EQ(forced.decision.verdict, RetrainVerdict::retrain);
  EXPECT_EQ(forced.decision.trigger, "forced");
  EXPECT_EQ(launcher.launches, 1);
}

TEST_F(RetrainTest, DryRunWritesNothingAnywhere) {
  settings.dry_run = true;
  datasets.files = {{"/data/x/20200101T000000Z.parquet", k_now - std::chrono::hours(24 * 400)},
                    {"/data/x/20260101T000000Z.parquet", k_now - std::chrono::hours(24 * 200)}};
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::retrain);
  ASSERT_TRUE(out.plan);
  EXPECT_EQ(out.plan->dataset_path, "/data/x/now.parquet");
  EXPECT_EQ(out.plan->llm_samples, 1000);
  EXPECT_EQ(out.plan->feedback_rows_available, 2);
  EXPECT_EQ(out.plan->would_remove.size(), 1U);
  EXPECT_NE(out.plan->promotion_rule.find("0.7100"), std::string::npos) << out.plan->promotion_rule;
  EXPECT_TRUE(registry.writes.empty());
  EXPECT_EQ(state.writes, 0);
  EXPECT_TRUE(datasets.writes.empty());
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_EQ(generator.calls, 0);
  EXPECT_TRUE(slack.sent.empty());
  EXPECT_EQ(sink.pushes, 0);
  EXPECT_EQ(out.exit_code(), 0);
}

TEST_F(RetrainTest, OneChannelFailingDoesNotStopTheOther) {
  slack.fail = Error::unavailable("slack down");
  auto out = run();
  EXPECT_EQ(out.state, "promoted");
  EXPECT_EQ(email.sent.size(), 1U);
  ASSERT_EQ(out.notifications.size(), 2U);
  EXPECT_FALSE(out.notifications[0].second.ok());
  EXPECT_TRUE(out.notifications[1].second.ok());
  EXPECT_EQ(out.exit_code(), 0) << "a notification failure does not fail the retrain";
}

TEST_F(RetrainTest, OnlyConfiguredChannelsAreUsed) {
  settings.notification_channels = {"email"};
  (void)run();
  EXPECT_TRUE(slack.sent.empty());
  EXPECT_EQ(email.sent.size(), 1U);
}

TEST_F(RetrainTest, GenerationFailureIsCountedAndNotified) {
  generator.fail = Error::timeout("LLM too slow");
  auto out = run();
  EXPECT_EQ(out.state, "failed");
  EXPECT_EQ(out.failed_step, "dataset_generation");
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_EQ(state.counters_by_key["neural_hive_dataset_generation_errors_total"], 1.0);
  ASSERT_EQ(slack.sent.size(), 1U);
  EXPECT_NE(slack.sent[0].what_to_do.find("DATASET_GENERATION_TIMEOUT"), std::string::npos);
}

TEST_F(RetrainTest, IncompleteDataNeverRetrainsEvenForced) {
  feedback.stats = Error::unavailable("MongoDB down");
  settings.force = true;
  auto out = run();
  EXPECT_EQ(out.decision.verdict, RetrainVerdict::incomplete_data);
  EXPECT_EQ(launcher.launches, 0);
  EXPECT_EQ(out.exit_code(), 3);
}

TEST_F(RetrainTest, MlflowConnectionFailureIsCountedButNotInADryRun) {
  tracker.metrics = Error::unavailable("MLflow down at http://h");
  auto out = run();
  EXPECT_EQ(out.exit_code(), 3);
  EXPECT_EQ(state.counters_by_key["neural_hive_mlflow_connection_errors_total"], 1.0);
  EXPECT_EQ(sink.pushes, 1);
  settings.dry_run = true;
  (void)run();
  EXPECT_EQ(state.counters_by_key["neural_hive_mlflow_connection_errors_total"], 1.0)
      << "a dry run writes nothing";
}

TEST_F(RetrainTest, MissingModelIsADataSourceErrorNotARetrain) {
  tracker.metrics = Error::not_found("experiment 'x-specialist' not found");
  auto out = run();
  EXPECT_EQ(out.exit_code(), 3);
  EXPECT_EQ(launcher.launches, 0);
}

TEST_F(RetrainTest, SkipGenerationReusesTheNewestDatasetsLlmRows) {
  settings.skip_dataset_generation = true;
  datasets.files = {{"/data/x/20260101T000000Z.parquet", k_now - std::chrono::hours(48)}};
  auto out = run();
  EXPECT_EQ(generator.calls, 0);
  EXPECT_EQ(out.state, "promoted") << (out.error ? out.error->message : "");
  settings.skip_dataset_generation = true;
  datasets.files.clear();
  auto none = run();
  EXPECT_EQ(none.state, "failed");
  EXPECT_EQ(none.failed_step, "dataset_generation");
}

} // namespace
} // namespace mm
