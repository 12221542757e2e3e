#pragma once
// In-memory ports for the retrain pipeline's unit tests (plain structs, no I/O), and the
// fixture that wires them.
#include "pipeline/retrain_pipeline.hpp"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>

namespace mm::test_retrain {

inline const TimePoint k_now = TimePoint(std::chrono::hours(24 * 20500));

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
  int running_for_calls = 0; // the first get_run calls answer RUNNING
  std::optional<Error> get_run_error;
  Result<RunState> get_run(const std::string&) override {
    ++get_run_calls;
    if (get_run_error) {
      return *get_run_error;
    }
    if (get_run_calls <= running_for_calls) {
      RunState running = final_state;
      running.status = RunStatus::running;
      return running;
    }
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

// What the pipeline owns (and destroys when training ends): forwards to a FakeProcess that the
// launcher keeps, so a test can still read `last->killed` afterwards (reading it through a
// pointer to the destroyed process was a use-after-free, found by the ASan pass).
struct FakeProcessHandle : TrainingProcess {
  FakeProcess* process;
  explicit FakeProcessHandle(FakeProcess* p) : process(p) {}
  std::optional<int> poll() override { return process->poll(); }
  void kill_tree() override { process->kill_tree(); }
  int pid() const noexcept override { return process->pid(); }
};

struct FakeLauncher : TrainingLauncher {
  int launches = 0;
  FakeProcess* last = nullptr;
  std::vector<std::unique_ptr<FakeProcess>> launched;
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
    launched.push_back(std::move(p));
    return std::unique_ptr<TrainingProcess>(std::make_unique<FakeProcessHandle>(last));
  }
  std::unique_ptr<FakeProcess> attachable; // what attach() finds alive
  std::vector<std::int64_t> attach_calls;
  std::unique_ptr<TrainingProcess> attach(std::int64_t pid) override {
    attach_calls.push_back(pid);
    return std::move(attachable);
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

inline MlflowMetrics production(double p, double r, double f1) {
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
    StateStore& state_port = state_override != nullptr ? *state_override : state;
    RetrainPorts ports{tracker, feedback, rows, registry, state_port, datasets, launcher, nullptr,
                       nullptr, {},       {},   {},       {},         {},       {}};
    ports.generator = &generator;
    ports.metrics = &sink;
    ports.notifiers = {&slack, &email};
    ports.clock = [] { return k_now; };
    ports.sleep = [this](std::chrono::milliseconds) { ++sleeps; };
    ports.interrupted = [this] { return stop_after_polls >= 0 && sleeps >= stop_after_polls; };
    ports.ledger = ledger;
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
  int stop_after_polls = -1;            // >= 0: "SIGTERM" arrives after that many polls
  RetrainLedger* ledger = nullptr;      // the coordination tests set one
  StateStore* state_override = nullptr; // instead of `state`
};

} // namespace mm::test_retrain
