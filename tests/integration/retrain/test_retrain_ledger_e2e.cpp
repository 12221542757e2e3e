// The lease and the crash-safe ledger with the real binary, real `mlflow run` trainings and
// FerretDB: two overlapping `retrain` processes give one training; a process killed with
// SIGKILL while generating its dataset or while training is closed or resumed by the next
// invocation, never trained twice, never leaving a RUNNING run or a half-done promotion.
#include "retrain_e2e_fixture.hpp"

#include "adapters/mongo/mongo_pool.hpp"
#include "adapters/mongo/mongo_state_store.hpp"

#include <csignal>
#include <future>
#include <sys/wait.h>
#include <thread>
#include <unistd.h>

namespace mm::test {
namespace {

// A process started in the background, its output in files, so it can be SIGKILLed mid-way.
class Background {
public:
  Background(const std::vector<std::string>& argv, const EnvChanges& env, const fs::path& out)
      : m_pid(spawn_logged(argv, env, out)), m_out(out) {}
  ~Background() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      int status = 0;
      waitpid(m_pid, &status, 0);
    }
  }
  Background(const Background&) = delete;
  Background& operator=(const Background&) = delete;

  bool started() const { return m_pid > 0; }
  void kill9() {
    ::kill(m_pid, SIGKILL);
    int status = 0;
    waitpid(m_pid, &status, 0);
    m_pid = -1;
  }
  std::string output() const { return slurp(m_out); }

private:
  pid_t m_pid;
  fs::path m_out;
};

class RetrainLedgerE2E : public RetrainE2E {
protected:
  void SetUp() override {
    RetrainE2E::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    auto pool = MongoPool::create(uri());
    ASSERT_TRUE(pool.ok()) << pool.error().message;
    m_pool = std::move(*pool);
    m_state = std::make_unique<MongoStateStore>(*m_pool, database());
  }

  std::vector<RetrainRecord> open_records() {
    auto r = m_state->open_retrains(m_type);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<RetrainRecord>{};
  }

  // Polls the ledger until a record of the type is open in `state` (and, for training, has its
  // training pid), at most `limit`.
  std::optional<RetrainRecord> wait_for_state(const std::string& state, seconds limit) {
    const auto deadline = steady_clock::now() + limit;
    while (steady_clock::now() < deadline) {
      for (const auto& r : open_records()) {
        if (r.state == state && (state != "training" || r.training_pid > 0)) {
          return r;
        }
      }
      std::this_thread::sleep_for(milliseconds(200));
    }
    return std::nullopt;
  }

  std::vector<std::string> argv(const std::vector<std::string>& flags = {}) const {
    std::vector<std::string> a = {MM_BINARY, "retrain",         "--specialist-type",
                                  m_type,    "--output-format", "json"};
    a.insert(a.end(), flags.begin(), flags.end());
    return a;
  }

  std::map<std::string, std::optional<std::string>>
  env_with(std::map<std::string, std::optional<std::string>> extra) const {
    auto e = env();
    for (auto& [k, v] : extra) {
      e[k] = v;
    }
    return e;
  }

  // Runs whose status is RUNNING in the specialist's experiment.
  int running_runs() {
    auto j = m_mlflow.call_ok("POST", "runs/search",
                              Json{{"experiment_ids", {m_experiment}}, {"max_results", 1000}});
    int n = 0;
    for (const auto& run : j.value("runs", Json::array())) {
      n += run["info"]["status"] == "RUNNING" ? 1 : 0;
    }
    return n;
  }

  // Thresholds at 0.5 (see
  // RetrainE2E.DegradedSpecialistIsRetrainedForRealAndTheBetterModelPromoted).
  const std::map<std::string, std::optional<std::string>> m_team_thresholds = {
      {"PRECISION_THRESHOLD", "0.5"},
      {"RECALL_THRESHOLD", "0.5"},
      {"F1_THRESHOLD", "0.5"},
      {"AGGREGATE_THRESHOLD", "0.5"}};

  std::unique_ptr<MongoPool> m_pool;
  std::unique_ptr<MongoStateStore> m_state;
};

TEST_F(RetrainLedgerE2E, TwoOverlappingRetrainsProduceExactlyOneTraining) {
  production(0.45, 0.40, 0.42);
  const std::size_t runs_before = runs_in_experiment();
  const auto e = env_with(m_team_thresholds);
  auto first = std::async(std::launch::async, [&] { return run_process(argv(), e); });
  std::this_thread::sleep_for(milliseconds(300));
  auto second = std::async(std::launch::async, [&] { return run_process(argv(), e); });
  const ProcessResult a = first.get();
  const ProcessResult b = second.get();
  ASSERT_EQ(a.exit_code, 0) << a.out << a.err;
  ASSERT_EQ(b.exit_code, 0) << b.out << b.err;
  const Json ja = json_of(a);
  const Json jb = json_of(b);
  for (const Json* j : {&ja, &jb}) {
    if (!(*j)["training"]["run_id"].get<std::string>().empty()) {
      m_mlflow.adopt_run((*j)["training"]["run_id"]);
    }
  }
  const int trained = (ja["decision"]["verdict"] == "retrain" ? 1 : 0) +
                      (jb["decision"]["verdict"] == "retrain" ? 1 : 0);
  EXPECT_EQ(trained, 1) << ja.dump(2) << jb.dump(2);
  EXPECT_EQ(runs_in_experiment(), runs_before + 1) << "exactly one MLflow training run";
  // The other one either saw the lease (and says who holds it) or, if it came after, the
  // cooldown the first one started.
  const Json& other = ja["decision"]["verdict"] == "retrain" ? jb : ja;
  const std::string verdict = other["decision"]["verdict"];
  EXPECT_TRUE(verdict == "in_progress" || verdict == "cooldown") << other.dump(2);
  if (verdict == "in_progress") {
    EXPECT_NE(other["decision"]["explanation"].get<std::string>().find("holds the retrain lease"),
              std::string::npos);
    EXPECT_FALSE(other["lease_holder"].is_null());
  }
  EXPECT_TRUE(open_records().empty());
}

TEST_F(RetrainLedgerE2E, KilledWhileGeneratingTheDatasetIsClosedAndNothingWasTrained) {
  production(0.45, 0.40, 0.42);
  const std::size_t runs_before = runs_in_experiment();
  // A team generator (DATASET_GENERATOR_COMMAND) that takes its time: the process is killed
  // while the ledger says `dataset`.
  Background slow(
      argv(),
      env_with({{"DATASET_GENERATOR_COMMAND", "sleep 120"}, {"DATASET_GENERATION_TIMEOUT", "300"}}),
      m_data_dir / "first.out");
  ASSERT_TRUE(slow.started());
  auto at = wait_for_state("dataset", seconds(60));
  ASSERT_TRUE(at) << "the ledger never said dataset:\n" << slow.output();
  slow.kill9();

  // The next invocation's own retrain fails fast (a generator that exits 1), so the test shows
  // the close without paying for a training.
  auto r = run_process(argv(), env_with({{"DATASET_GENERATOR_COMMAND", "false"}}));
  Json j = json_of(r);
  ASSERT_EQ(j["resumed"].size(), 1U) << j.dump(2);
  EXPECT_EQ(j["resumed"][0]["id"], at->id);
  EXPECT_EQ(j["resumed"][0]["from_state"], "dataset");
  EXPECT_EQ(j["resumed"][0]["state"], "failed");
  EXPECT_NE(j["resumed"][0]["note"].get<std::string>().find("before any training"),
            std::string::npos);
  EXPECT_EQ(runs_in_experiment(), runs_before) << "nothing was trained";
  EXPECT_TRUE(open_records().empty()) << "closed and notified";
  EXPECT_EQ(alias_version("production"), m_baseline_version);
}

TEST_F(RetrainLedgerE2E, KilledWhileTrainingIsAdoptedByTheNextInvocationNotTrainedAgain) {
  production(0.45, 0.40, 0.42);
  const std::size_t runs_before = runs_in_experiment();
  const auto e = env_with(m_team_thresholds);
  Background first(argv(), e, m_data_dir / "first.out");
  ASSERT_TRUE(first.started());
  auto at = wait_for_state("training", seconds(120));
  ASSERT_TRUE(at) << "the ledger never said training:\n" << first.output();
  first.kill9(); // its `mlflow run` process group lives on, orphaned
  m_mlflow.adopt_run(at->run_id);

  auto r = run_process(argv(), e);
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  ASSERT_EQ(j["resumed"].size(), 1U) << j.dump(2);
  EXPECT_EQ(j["resumed"][0]["from_state"], "training");
  const std::string ended = j["resumed"][0]["state"];
  EXPECT_TRUE(ended == "promoted" || ended == "rejected") << j.dump(2);
  EXPECT_EQ(j["resumed"][0]["run_id"], at->run_id);
  // The adopted training was the one training for this cause: production is now the better
  // model (healthy) or the rejection started the cooldown; either way no new training.
  EXPECT_EQ(j["decision"]["verdict"], ended == "promoted" ? "healthy" : "cooldown") << j.dump(2);
  EXPECT_EQ(runs_in_experiment(), runs_before + 1);
  EXPECT_EQ(running_runs(), 0) << "no run left RUNNING";
  EXPECT_EQ(m_mlflow.get_run(at->run_id)["info"]["status"], "FINISHED");
  if (ended == "promoted") {
    EXPECT_EQ(
        m_mlflow.get_model_version(m_type + "-specialist", *alias_version("production"))["run_id"],
        at->run_id);
    EXPECT_EQ(alias_version("previous-production"), m_baseline_version);
  } else {
    EXPECT_EQ(alias_version("production"), m_baseline_version);
  }
  EXPECT_TRUE(open_records().empty());
  EXPECT_NE(last_slack_body().find(at->run_id), std::string::npos) << "the outcome was notified";
}

// Killed between the two alias writes of a promotion (the window is microseconds, so the
// record and the registry are put in exactly the state such a death leaves): the next
// invocation completes the promotion against the recorded baseline, once.
TEST_F(RetrainLedgerE2E, HalfDonePromotionIsCompletedByTheNextInvocation) {
  production(0.45, 0.40, 0.42);
  // The candidate: a finished run with better metrics and its registered version.
  const std::string candidate =
      m_mlflow.add_run(m_experiment, now_ms() - 30000, "FINISHED", metrics(0.9, 0.88, 0.89));
  const std::string version = m_mlflow.create_model_version(m_type + "-specialist", candidate);
  m_mlflow.set_alias(m_type + "-specialist", "previous-production", m_baseline_version);
  RetrainRecord rec;
  rec.id = m_type + ":degradation:2026-11-24T00:00:00Z";
  rec.specialist_type = m_type;
  rec.trigger = "degradation";
  rec.state = "evaluating";
  rec.started_at = system_clock::now() - minutes(20);
  rec.run_id = candidate;
  rec.owner = "dead-pod pid 1 #00000000";
  rec.host = "dead-pod";
  rec.baseline_run_id = m_baseline_run;
  rec.baseline_version = m_baseline_version;
  rec.baseline_precision = 0.45;
  rec.baseline_recall = 0.40;
  rec.baseline_f1 = 0.42;
  ASSERT_TRUE(m_state->save_retrain(rec).ok());

  auto r = run_process(argv(), env_with(m_team_thresholds));
  ASSERT_EQ(r.exit_code, 0) << r.out << r.err;
  Json j = json_of(r);
  ASSERT_EQ(j["resumed"].size(), 1U) << j.dump(2);
  EXPECT_EQ(j["resumed"][0]["state"], "promoted") << j.dump(2);
  EXPECT_EQ(j["resumed"][0]["promoted_version"], version);
  EXPECT_EQ(alias_version("production"), version);
  EXPECT_EQ(alias_version("previous-production"), m_baseline_version);
  // Production is now the better candidate: healthy, nothing more to do.
  EXPECT_EQ(j["decision"]["verdict"], "healthy") << j.dump(2);
  EXPECT_EQ(runs_in_experiment(), 2U) << "no training at all: baseline and candidate only";
  EXPECT_TRUE(open_records().empty());
}

} // namespace
} // namespace mm::test
