#pragma once
// `retrain` (spec "Auto-Retrain Flow"): decide → dataset → merge feedback → train through an
// MLflow Project → watch → compare with production → promote or not → notify → clean up, record,
// push metrics. Written against ports only.

#include "core/promotion.hpp"
#include "core/retrain_decision.hpp"
#include "pipeline/check_pipeline.hpp"
#include "ports/dataset_generator.hpp"
#include "ports/dataset_store.hpp"
#include "ports/feedback_rows.hpp"
#include "ports/notifier.hpp"
#include "ports/retrain_ledger.hpp"
#include "ports/run_registry.hpp"
#include "ports/state_store.hpp"
#include "ports/training_launcher.hpp"

#include <chrono>
#include <functional>
#include <map>
#include <optional>
#include <string>
#include <vector>

namespace mm {

struct RetrainSettings {
  CheckSettings check;
  bool force = false;
  bool skip_dataset_generation = false;
  bool dry_run = false;
  int cooldown_hours = 24;
  int num_samples = 1000;
  std::chrono::seconds generation_timeout{1800};
  int feedback_merge_limit = 1000;
  std::chrono::seconds training_timeout{3600};
  std::chrono::milliseconds poll_interval{2000};
  std::string project_uri = "training/specialist";
  std::string mlflow_cli = "mlflow";
  int retention_days = 90;
  PromotionPolicy policy;
  std::string previous_alias = "previous-production";
  std::vector<std::string> notification_channels;
  std::map<std::string, std::string> training_env; // e.g. MLFLOW_TRACKING_URI for `mlflow run`
  std::vector<std::string> training_env_withheld;  // our secrets, never passed to `mlflow run`
  std::string llm_provider;                        // for the plan and tags
  std::string llm_model;
  std::string tracking_uri_masked; // for links in notifications
  // Coordination (RetrainLedger): who we are in the lease and the records, the host our
  // training processes run on (a later invocation on the same host can adopt one), and how
  // long a lease lasts without renewal (renewed every fifth of it while we work).
  std::string owner;
  std::string host;
  std::chrono::seconds lease_ttl{300};
  // Whether the owner of a lease is known to be dead (a process of this host that is gone):
  // its lease is taken over at once instead of after its expiry. Null: wait for the expiry.
  std::function<bool(const std::string& owner)> lease_owner_is_dead;
};

// Everything retrain talks to. Pointers may be null where noted.
struct RetrainPorts {
  Tracker& tracker;
  FeedbackStore& feedback;
  FeedbackRowSource& feedback_rows;
  RunRegistry& registry;
  StateStore& state;
  DatasetStore& datasets;
  TrainingLauncher& launcher;
  DatasetGenerator* generator = nullptr; // null with --skip-dataset-generation
  MetricsSink* metrics = nullptr;        // null: no push
  std::vector<Notifier*> notifiers;
  Clock clock;
  std::function<void(std::chrono::milliseconds)> sleep;
  // Called while training runs (status, elapsed): the app shows progress on a TTY or logs.
  std::function<void(const std::string& type, const std::string& status,
                     std::chrono::seconds elapsed)>
      on_training_progress;
  // Structured events for the log (event name, key/values as text).
  std::function<void(const char* event, const std::map<std::string, std::string>& fields)> on_event;
  // True once the process was asked to stop (SIGTERM from a Job's deadline or a node drain): a
  // running training is killed and its run marked KILLED instead of being left RUNNING.
  std::function<bool()> interrupted;
  // The lease and the open records (model_monitor_state). Null only in unit tests of single
  // steps; the application always wires it.
  RetrainLedger* ledger = nullptr;
};

// What a dry run would do, computed from reads only.
struct RetrainPlan {
  std::string dataset_path;
  int llm_samples = 0;             // 0 with --skip-dataset-generation
  std::string reused_dataset;      // with --skip-dataset-generation: the newest existing file
  int feedback_rows_available = 0; // rows the merge would add
  std::vector<std::string> training_command;
  std::string promotion_rule; // what the candidate will have to beat
  std::vector<std::string> notify;
  std::vector<std::string> would_remove;
};

struct RetrainOutcome {
  std::string specialist_type;
  std::optional<PerformanceReport> report;
  std::optional<Error> check_error;
  RetrainDecision decision;
  bool dry_run = false;
  std::optional<RetrainPlan> plan;
  std::string state = "decided"; // decided|dataset|training|evaluating|promoted|rejected|failed
  // dataset
  std::string dataset_path;
  int llm_rows = 0;
  int feedback_rows = 0;
  std::optional<GenerationReport> generation;
  // training
  std::string run_id;
  std::string run_status;
  double training_seconds = 0.0;
  std::optional<PromotionDecision> promotion;
  std::string promoted_version;
  // failure
  std::string failed_step;
  std::optional<Error> error;
  std::string what_to_do;
  std::vector<std::pair<std::string, Status>> notifications;
  std::vector<std::string> removed_datasets;
  // After a promotion: the check of the new production model, so the pushed gauges describe
  // what now serves, not what was replaced.
  std::optional<PerformanceReport> report_after;
  // Records left open by an invocation that died (kill -9, node loss), resumed or closed by
  // this one before it decided anything new.
  struct Resumed {
    std::string id;
    std::string from_state;
    std::string state; // where it ended now; from_state when it was left open
    std::string run_id;
    std::string promoted_version;
    std::string note; // the failure or why it was left open
  };
  std::vector<Resumed> resumed;
  std::string lease_holder; // with verdict in_progress: the owner of the lease
  double duration_s = 0.0;

  bool retrained() const { return decision.verdict == RetrainVerdict::retrain && !dry_run; }
  // DESIGN §1: 0 nothing needed / cooldown / retrained (promoted or not); 1 a retrain failed;
  // 2, 3, 4 for configuration, data sources and internal errors.
  int exit_code() const;
};

class RetrainPipeline {
public:
  RetrainPipeline(RetrainPorts ports, RetrainSettings settings);

  RetrainOutcome retrain(const std::string& specialist_type);

private:
  struct Context;
  void decide(Context& ctx);
  void coordinate_and_run(Context& ctx);
  void run_retrain(Context& ctx);
  void resume(Context& parent, const RetrainRecord& record);
  enum class Resume { evaluate, closed, left_open };
  Resume resume_training(Context& ctx, const RetrainRecord& record);
  bool watch(Context& ctx, TrainingProcess& process, std::chrono::seconds already,
             const std::filesystem::path& log_file);
  bool lease_lost(Context& ctx, const char* before);
  void finish(Context& ctx);
  void plan_dry_run(Context& ctx);
  bool build_dataset(Context& ctx);
  bool train(Context& ctx);
  void evaluate_and_promote(Context& ctx);
  void notify(Context& ctx);
  void cleanup(Context& ctx);
  void record(Context& ctx);
  void push_metrics(Context& ctx);
  void fail(Context& ctx, std::string step, Error error, std::string what_to_do);
  void event(const char* name, std::map<std::string, std::string> fields);

  RetrainPorts m_ports;
  RetrainSettings m_settings;
};

} // namespace mm
