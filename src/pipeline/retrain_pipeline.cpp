#include "pipeline/retrain_pipeline.hpp"

#include "core/check_metrics.hpp"
#include "core/retrain_metrics.hpp"
#include "core/specialist.hpp"
#include "core/time_format.hpp"
#include "pipeline/lease_keeper.hpp"

#include <algorithm>
#include <fmt/format.h>
#include <set>

namespace mm {

namespace {

const char* k_tag_prefix = "model_monitor.";

std::string fmt_opt(const std::optional<double>& v) {
  return v ? fmt::format("{:.4f}", *v) : std::string("none");
}

bool is_terminal(RunStatus s) {
  return s == RunStatus::finished || s == RunStatus::failed || s == RunStatus::killed;
}

} // namespace

int RetrainOutcome::exit_code() const {
  if (check_error && !report) {
    return exit_code_for(check_error->kind);
  }
  if (decision.verdict == RetrainVerdict::incomplete_data) {
    return check_error ? exit_code_for(check_error->kind) : k_exit_unavailable;
  }
  if (error) {
    // A retrain that started and failed is 1; a configuration mistake found on the way stays 2.
    return error->kind == ErrorKind::config ? k_exit_usage : k_exit_degraded;
  }
  return k_exit_ok;
}

struct RetrainPipeline::Context {
  RetrainOutcome& out;
  TimePoint now;
  std::chrono::steady_clock::time_point started;
  std::string model_name;
  std::string experiment_name;
  std::optional<ModelScores> baseline;
  RetrainRecord record;
  std::optional<double> generation_seconds;
  bool generation_failed = false;
  LeaseKeeper* keeper = nullptr; // while this invocation holds the lease
};

RetrainPipeline::RetrainPipeline(RetrainPorts ports, RetrainSettings settings)
    : m_ports(std::move(ports)), m_settings(std::move(settings)) {}

void RetrainPipeline::event(const char* name, std::map<std::string, std::string> fields) {
  if (m_ports.on_event) {
    m_ports.on_event(name, fields);
  }
}

void RetrainPipeline::fail(Context& ctx, std::string step, Error error, std::string what_to_do) {
  ctx.out.state = "failed";
  ctx.out.failed_step = std::move(step);
  ctx.out.what_to_do = std::move(what_to_do);
  ctx.out.error = std::move(error);
  event("retrain_failed", {{"specialist_type", ctx.out.specialist_type},
                           {"step", ctx.out.failed_step},
                           {"error", ctx.out.error->message}});
}

RetrainOutcome RetrainPipeline::retrain(const std::string& type) {
  RetrainOutcome out;
  out.specialist_type = type;
  out.dry_run = m_settings.dry_run;
  Context ctx{out, m_ports.clock(), std::chrono::steady_clock::now(), {}, {}, {}, {}, {}, false};
  ctx.model_name = model_name_for(m_settings.check.model_name_template, type);
  ctx.experiment_name = experiment_name_for(type);

  decide(ctx);
  if (m_settings.dry_run) {
    if (out.decision.verdict == RetrainVerdict::retrain) {
      plan_dry_run(ctx);
    }
  } else {
    coordinate_and_run(ctx);
  }
  out.duration_s =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - ctx.started).count();
  if (!m_settings.dry_run) {
    push_metrics(ctx);
  }
  return out;
}

void RetrainPipeline::coordinate_and_run(Context& ctx) {
  RetrainOutcome& out = ctx.out;
  const std::string& type = out.specialist_type;
  if (m_ports.ledger == nullptr) {
    if (out.decision.verdict == RetrainVerdict::retrain) {
      run_retrain(ctx);
    }
    return;
  }
  if (!out.report) {
    return; // MLflow failed: nothing can be resumed or started (exit code of the check)
  }
  auto refuse = [&](const Error& error, const char* what) {
    event("retrain_ledger_failed", {{"specialist_type", type}, {"error", error.message}});
    if (out.decision.verdict == RetrainVerdict::retrain) {
      out.decision.verdict = RetrainVerdict::incomplete_data;
      out.decision.explanation =
          fmt::format("the retrain ledger in MongoDB could not be {}: no retrain is started "
                      "without knowing whether another one is under way",
                      what);
      out.check_error = error;
    }
  };
  Result<std::vector<RetrainRecord>> open = m_ports.ledger->open_retrains(type);
  if (!open) {
    refuse(open.error(), "read");
    return;
  }
  if (open->empty() && out.decision.verdict != RetrainVerdict::retrain) {
    return;
  }
  Result<LeaseAttempt> attempt =
      m_ports.ledger->acquire_lease(type, m_settings.owner, m_ports.clock(), m_settings.lease_ttl);
  if (!attempt) {
    refuse(attempt.error(), "locked");
    return;
  }
  if (!attempt->acquired && m_settings.lease_owner_is_dead &&
      m_settings.lease_owner_is_dead(attempt->lease.owner)) {
    // Killed (kill -9, OOM) on this very host: nobody renews that lease any more.
    event("retrain_lease_taken_over",
          {{"specialist_type", type}, {"dead_owner", attempt->lease.owner}});
    attempt = m_ports.ledger->take_over_lease(attempt->lease, m_settings.owner, m_ports.clock(),
                                              m_settings.lease_ttl);
    if (!attempt) {
      refuse(attempt.error(), "locked");
      return;
    }
  }
  if (!attempt->acquired) {
    const Lease& held = attempt->lease;
    out.lease_holder = held.owner;
    out.decision.verdict = RetrainVerdict::in_progress;
    out.decision.explanation = fmt::format(
        "another model-monitor ({}) holds the retrain lease of '{}' since {} until {}: it is "
        "retraining or resuming it, so this run leaves it alone",
        held.owner, type, format_iso8601_utc(held.acquired_at),
        format_iso8601_utc(held.expires_at));
    event("retrain_lease_held", {{"specialist_type", type},
                                 {"owner", held.owner},
                                 {"expires_at", format_iso8601_utc(held.expires_at)}});
    return;
  }
  LeaseKeeper keeper(
      *m_ports.ledger, attempt->lease, m_settings.lease_ttl, m_ports.clock,
      [this, type](const Error& e) {
        event("retrain_lease_lost", {{"specialist_type", type}, {"error", e.message}});
      });
  ctx.keeper = &keeper;
  bool left_open = false;
  for (const RetrainRecord& record : *open) {
    resume(ctx, record);
    left_open = left_open || out.resumed.back().state == record.state;
  }
  // Under the lease, decide again on fresh data: a resumed retrain may have promoted a model or
  // started the cooldown, and another invocation may have finished a retrain between our check
  // and our lease (two overlapping invocations must produce one retrain).
  ctx.now = m_ports.clock();
  decide(ctx);
  if (left_open && out.decision.verdict == RetrainVerdict::retrain) {
    out.decision.verdict = RetrainVerdict::incomplete_data;
    out.decision.explanation = "an earlier retrain could not be resumed or closed (see resumed): "
                               "no new retrain is started until it is";
  }
  if (out.decision.verdict == RetrainVerdict::retrain) {
    run_retrain(ctx);
  }
  ctx.keeper = nullptr;
}

void RetrainPipeline::run_retrain(Context& ctx) {
  RetrainOutcome& out = ctx.out;
  const std::string& type = out.specialist_type;
  ctx.record = RetrainRecord{};
  ctx.record.id = fmt::format("{}:{}:{}", type, out.decision.trigger, format_iso8601_utc(ctx.now));
  ctx.record.specialist_type = type;
  ctx.record.trigger = out.decision.trigger;
  ctx.record.started_at = ctx.now;
  ctx.record.owner = m_settings.owner;
  ctx.record.host = m_settings.host;
  if (ctx.baseline) {
    ctx.record.baseline_run_id = ctx.baseline->run_id;
    ctx.record.baseline_version = ctx.baseline->model_version;
    ctx.record.baseline_precision = ctx.baseline->precision;
    ctx.record.baseline_recall = ctx.baseline->recall;
    ctx.record.baseline_f1 = ctx.baseline->f1_score;
  }
  record(ctx);
  if (build_dataset(ctx) && !lease_lost(ctx, "training") && train(ctx) &&
      !lease_lost(ctx, "the promotion")) {
    evaluate_and_promote(ctx);
    if (out.state == "promoted") {
      CheckPipeline recheck(
          m_ports.tracker, m_ports.feedback, nullptr, [now = ctx.now] { return now; },
          m_settings.check);
      CheckOutcome after = recheck.check(type);
      if (after.report && !after.error) {
        out.report_after = after.report;
      }
    }
  }
  finish(ctx);
}

// The end of every retrain, new or resumed: the outcome is recorded before the notification
// (so a death in between re-sends it, never loses it), then marked notified.
void RetrainPipeline::finish(Context& ctx) {
  record(ctx);
  notify(ctx);
  ctx.record.notified = true;
  cleanup(ctx);
  record(ctx);
}

// Before each step that changes something outside (a training, a promotion) the lease is
// confirmed with a round trip, not only by the background renewals.
bool RetrainPipeline::lease_lost(Context& ctx, const char* before) {
  if (ctx.keeper == nullptr || ctx.keeper->renew()) {
    return false;
  }
  fail(ctx, "lease",
       Error::internal(fmt::format("the retrain lease of '{}' was lost (this process stalled past "
                                   "its expiry and another invocation took it over): stopped "
                                   "before {}",
                                   ctx.out.specialist_type, before)),
       "nothing more was changed; the invocation holding the lease resumes or closes this "
       "retrain");
  return true;
}

void RetrainPipeline::resume(Context& parent, const RetrainRecord& rec) {
  RetrainOutcome o;
  o.specialist_type = rec.specialist_type;
  o.report = parent.out.report;
  o.decision.verdict = RetrainVerdict::retrain;
  o.decision.trigger = rec.trigger;
  o.decision.explanation = "resumed " + rec.id;
  o.state = rec.state;
  o.run_id = rec.run_id;
  o.dataset_path = rec.dataset_path;
  o.promoted_version = rec.promoted_version;
  Context c{o,
            m_ports.clock(),
            std::chrono::steady_clock::now(),
            parent.model_name,
            parent.experiment_name,
            {},
            rec,
            {},
            false,
            parent.keeper};
  if (!rec.baseline_run_id.empty()) {
    c.baseline = ModelScores{rec.baseline_run_id, rec.baseline_version, rec.baseline_precision,
                             rec.baseline_recall, rec.baseline_f1};
  }
  c.record.owner = m_settings.owner;
  const std::string& from = rec.state;
  event("retrain_resuming", {{"specialist_type", rec.specialist_type},
                             {"retrain_id", rec.id},
                             {"state", from},
                             {"previous_owner", rec.owner}});
  auto summary = [&](std::string note) {
    parent.out.resumed.push_back(
        {rec.id, from, o.state, o.run_id, o.promoted_version, std::move(note)});
  };

  if (from == "decided" || from == "dataset") {
    fail(c, "interrupted",
         Error::internal(fmt::format("the model-monitor that ran retrain {} ({}) stopped at state "
                                     "'{}', before any training; closed by {}",
                                     rec.id, rec.owner, from, m_settings.owner)),
         "nothing was trained or promoted; the next retrain starts afresh");
  } else if (from == "training" || from == "evaluating") {
    const Resume next = from == "training" ? resume_training(c, rec) : Resume::evaluate;
    if (next == Resume::left_open) {
      summary(o.error ? o.error->message : "left open");
      return;
    }
    if (next == Resume::evaluate && !lease_lost(c, "the promotion")) {
      // Idempotent: the same candidate against the same recorded baseline gives the same
      // decision, and each alias write is skipped or repeated harmlessly.
      evaluate_and_promote(c);
      if (o.error && o.state == "failed" && o.failed_step == "evaluation") {
        // MLflow did not answer: the record stays as it was, for the next invocation.
        summary(o.error->message);
        return;
      }
    }
  } else {
    // Closed but its notification was never sent.
    if (from == "failed") {
      o.error = Error::internal(rec.error.empty() ? "the retrain failed" : rec.error);
      o.failed_step = "earlier run";
    } else {
      PromotionDecision d;
      d.promote = from == "promoted";
      d.decided_by = "recorded by " + rec.owner;
      d.candidate = ModelScores{rec.run_id, rec.promoted_version, {}, {}, rec.candidate_f1};
      d.baseline = c.baseline;
      o.promotion = d;
    }
  }
  finish(c);
  summary(o.error ? o.error->message : "");
}

RetrainPipeline::Resume RetrainPipeline::resume_training(Context& c, const RetrainRecord& rec) {
  RetrainOutcome& o = c.out;
  const std::string t = k_tag_prefix;
  const std::filesystem::path log_file =
      std::filesystem::path(rec.dataset_path).replace_extension(".train.log");
  Result<RunState> run = m_ports.registry.get_run(rec.run_id);
  if (!run) {
    o.error = run.error();
    return Resume::left_open;
  }
  o.run_status = to_string(run->status);
  if (run->status == RunStatus::finished) {
    return Resume::evaluate;
  }
  if (run->status == RunStatus::failed || run->status == RunStatus::killed) {
    fail(c, "training",
         Error::bad_response(fmt::format("training run {} ended {} after its model-monitor "
                                         "process ({}) died",
                                         rec.run_id, o.run_status, rec.owner)),
         "read the training log " + log_file.string() + " and the run in MLflow");
    return Resume::closed;
  }
  // Still RUNNING: on the same host its process group may have outlived its parent.
  std::unique_ptr<TrainingProcess> process;
  if (!rec.host.empty() && rec.host == m_settings.host && rec.training_pid > 0) {
    process = m_ports.launcher.attach(rec.training_pid);
  }
  if (process) {
    event("training_adopted", {{"specialist_type", rec.specialist_type},
                               {"run_id", rec.run_id},
                               {"pid", std::to_string(rec.training_pid)}});
    const auto already = std::chrono::duration_cast<std::chrono::seconds>(
        std::max(c.now - rec.started_at, TimePoint::duration::zero()));
    return watch(c, *process, already, log_file) ? Resume::evaluate : Resume::closed;
  }
  // Nobody will ever finish this run: close it rather than leave it RUNNING forever.
  (void)m_ports.registry.terminate_run(rec.run_id, RunStatus::killed);
  (void)m_ports.registry.set_tags(rec.run_id, {{t + "failure", "orphaned"}});
  o.run_status = "KILLED";
  fail(c, "training",
       Error::internal(fmt::format("training run {} was left RUNNING by a model-monitor process "
                                   "that died ({}) and its training process is gone; the run "
                                   "was marked KILLED",
                                   rec.run_id, rec.owner)),
       "nothing was promoted; the cooldown holds off a new retrain, or run retrain --force");
  return Resume::closed;
}

void RetrainPipeline::decide(Context& ctx) {
  RetrainOutcome& out = ctx.out;
  // The check, without its own push: retrain pushes the whole group once at the end.
  // With the state store (not in a dry run), an MLflow connection failure is counted exactly as
  // `check` counts it; the push happens once, at the end.
  CheckPipeline check(
      m_ports.tracker, m_ports.feedback, nullptr, [now = ctx.now] { return now; }, m_settings.check,
      m_settings.dry_run ? nullptr : &m_ports.state);
  CheckOutcome checked = check.check(out.specialist_type);
  out.report = checked.report;
  out.check_error = checked.error;
  if (out.report && (out.report->mlflow.source == RunSource::alias ||
                     out.report->mlflow.source == RunSource::legacy_stage)) {
    // Only a production model is a baseline; "the newest run" never is (DESIGN §3).
    const MlflowMetrics& m = out.report->mlflow;
    ctx.baseline = ModelScores{m.run_id, m.model_version, m.precision, m.recall, m.f1_score};
  }

  std::optional<TimePoint> last;
  bool state_failed = false;
  if (out.report) {
    Result<std::optional<TimePoint>> l = m_ports.state.last_retrain(out.specialist_type);
    if (l) {
      last = *l;
    } else {
      state_failed = true;
      out.check_error = std::move(l).error();
    }
  }
  out.decision = decide_retrain({out.report ? &*out.report : nullptr,
                                 out.check_error.has_value() || state_failed, m_settings.force,
                                 last, m_settings.cooldown_hours, ctx.now});
  event("retrain_decision", {{"specialist_type", out.specialist_type},
                             {"verdict", to_string(out.decision.verdict)},
                             {"trigger", out.decision.trigger},
                             {"explanation", out.decision.explanation}});
}

void RetrainPipeline::plan_dry_run(Context& ctx) {
  RetrainOutcome& out = ctx.out;
  RetrainPlan plan;
  plan.dataset_path = m_ports.datasets.path_for(out.specialist_type, ctx.now).string();
  if (m_settings.skip_dataset_generation) {
    Result<std::vector<DatasetFile>> files = m_ports.datasets.list(out.specialist_type);
    if (files && !files->empty()) {
      auto newest =
          std::max_element(files->begin(), files->end(),
                           [](const auto& a, const auto& b) { return a.created < b.created; });
      plan.reused_dataset = newest->path.string();
    }
  } else {
    plan.llm_samples = m_settings.num_samples;
  }
  Result<FeedbackRows> rows = m_ports.feedback_rows.recent_training_rows(
      out.specialist_type, m_settings.feedback_merge_limit);
  plan.feedback_rows_available = rows ? static_cast<int>(rows->rows.size()) : 0;
  plan.training_command = {m_settings.mlflow_cli,
                           "run",
                           m_settings.project_uri,
                           "--env-manager",
                           "local",
                           "--experiment-id",
                           "<" + ctx.experiment_name + ">",
                           "--run-id",
                           "<new run>",
                           "-P",
                           "dataset_path=" + plan.dataset_path,
                           "-P",
                           "specialist_type=" + out.specialist_type,
                           "-P",
                           "model_name=" + ctx.model_name};
  if (ctx.baseline && ctx.baseline->f1_score) {
    plan.promotion_rule = fmt::format(
        "promote if precision >= {}, recall >= {}, f1 >= {} and f1 >= {:.4f} (production v{} "
        "{:.4f} + {}), precision >= {:.4f}, recall >= {:.4f}",
        m_settings.policy.thresholds.precision, m_settings.policy.thresholds.recall,
        m_settings.policy.thresholds.f1, *ctx.baseline->f1_score + m_settings.policy.improvement,
        ctx.baseline->model_version, *ctx.baseline->f1_score, m_settings.policy.improvement,
        ctx.baseline->precision.value_or(0) - m_settings.policy.regression_margin,
        ctx.baseline->recall.value_or(0) - m_settings.policy.regression_margin);
  } else {
    plan.promotion_rule =
        fmt::format("no production baseline: promote if precision >= {}, recall >= {}, f1 >= {}",
                    m_settings.policy.thresholds.precision, m_settings.policy.thresholds.recall,
                    m_settings.policy.thresholds.f1);
  }
  plan.notify = m_settings.notification_channels;
  Result<std::vector<DatasetFile>> files = m_ports.datasets.list(out.specialist_type);
  if (files) {
    for (const auto& p : datasets_to_remove(*files, ctx.now, m_settings.retention_days, {})) {
      plan.would_remove.push_back(p.string());
    }
  }
  out.plan = std::move(plan);
}

bool RetrainPipeline::build_dataset(Context& ctx) {
  RetrainOutcome& out = ctx.out;
  out.state = "dataset";
  record(ctx);
  Dataset dataset;
  dataset.metadata.specialist_type = out.specialist_type;
  if (m_settings.skip_dataset_generation) {
    Result<std::vector<DatasetFile>> files = m_ports.datasets.list(out.specialist_type);
    if (!files || files->empty()) {
      const std::filesystem::path example = m_ports.datasets.path_for(out.specialist_type, ctx.now);
      fail(ctx, "dataset_generation",
           files ? Error::not_found(fmt::format(
                       "--skip-dataset-generation: no existing dataset for '{}' in {} (only "
                       "files named by their UTC time, like {}, are datasets)",
                       out.specialist_type, example.parent_path().string(),
                       example.filename().string()))
                 : files.error(),
           "run without --skip-dataset-generation once, or put a dataset in DATA_DIR");
      return false;
    }
    auto newest = std::max_element(files->begin(), files->end(), [](const auto& a, const auto& b) {
      return a.created < b.created;
    });
    Result<Dataset> existing = m_ports.datasets.read(newest->path);
    if (!existing) {
      fail(ctx, "dataset_generation", existing.error(),
           "the newest dataset is unreadable: remove it or run without --skip-dataset-generation");
      return false;
    }
    dataset.metadata = existing->metadata;
    for (auto& row : existing->rows) {
      if (row.source == RowSource::llm) {
        dataset.rows.push_back(row);
      }
    }
    event("dataset_reused", {{"specialist_type", out.specialist_type},
                             {"path", newest->path.string()},
                             {"llm_rows", std::to_string(dataset.rows.size())}});
  } else if (m_ports.generator != nullptr) {
    const auto gen_started = std::chrono::steady_clock::now();
    Result<GenerationReport> gen = m_ports.generator->generate(
        {out.specialist_type, m_settings.num_samples, m_settings.generation_timeout});
    ctx.generation_seconds =
        std::chrono::duration<double>(std::chrono::steady_clock::now() - gen_started).count();
    if (!gen) {
      ctx.generation_failed = true;
      const bool timeout = gen.error().kind == ErrorKind::timeout;
      event(timeout ? "dataset_generation_timeout" : "dataset_generation_failed",
            {{"specialist_type", out.specialist_type}, {"error", gen.error().message}});
      fail(ctx, "dataset_generation", gen.error(),
           timeout ? "raise DATASET_GENERATION_TIMEOUT or lower DATASET_NUM_SAMPLES; check the "
                     "LLM provider's latency and quotas"
           : m_settings.llm_provider == "external"
               ? "check DATASET_GENERATOR_COMMAND: its exit status and log are named above"
               : "check LLM_PROVIDER, LLM_BASE_URL, LLM_MODEL and the API key");
      return false;
    }
    out.generation = *gen;
    dataset.metadata = gen->dataset.metadata;
    dataset.rows = gen->dataset.rows;
    event("dataset_generated",
          {{"specialist_type", out.specialist_type},
           {"accepted", std::to_string(gen->accepted)},
           {"requested", std::to_string(gen->requested)},
           {"dropped",
            std::to_string(gen->dropped_not_json + gen->dropped_schema + gen->dropped_label +
                           gen->dropped_implausible + gen->dropped_duplicate)},
           {"timed_out", gen->timed_out ? "true" : "false"}});
  }
  out.llm_rows = static_cast<int>(dataset.rows.size());

  Result<FeedbackRows> fb = m_ports.feedback_rows.recent_training_rows(
      out.specialist_type, m_settings.feedback_merge_limit);
  if (!fb) {
    fail(ctx, "feedback_merge", fb.error(), "check MONGODB_URI and that MongoDB is reachable");
    return false;
  }
  out.feedback_rows = static_cast<int>(fb->rows.size());
  dataset.rows.insert(dataset.rows.end(), fb->rows.begin(), fb->rows.end());
  if (dataset.rows.empty()) {
    fail(ctx, "dataset_generation",
         Error::bad_response("the merged dataset has no rows (no generated rows and no usable "
                             "feedback)"),
         "check the generator's output and the opinions' logged features");
    return false;
  }
  const std::filesystem::path path = m_ports.datasets.path_for(out.specialist_type, ctx.now);
  Status written = m_ports.datasets.write(path, dataset);
  if (!written) {
    fail(ctx, "dataset_write", written.error(), "check DATA_DIR exists, is writable and has space");
    return false;
  }
  out.dataset_path = path.string();
  ctx.record.dataset_path = out.dataset_path;
  event("dataset_written",
        {{"specialist_type", out.specialist_type},
         {"path", out.dataset_path},
         {"llm_rows", std::to_string(out.llm_rows)},
         {"feedback_rows", std::to_string(out.feedback_rows)},
         {"feedback_skipped", std::to_string(fb->skipped_no_opinion + fb->skipped_bad_features +
                                             fb->skipped_bad_label)}});
  return true;
}

bool RetrainPipeline::train(Context& ctx) {
  RetrainOutcome& out = ctx.out;
  Result<std::string> exp = m_ports.registry.ensure_experiment(ctx.experiment_name);
  if (!exp) {
    fail(ctx, "training", exp.error(), "check MLFLOW_TRACKING_URI and MLflow's health");
    return false;
  }
  const std::string t = k_tag_prefix;
  std::map<std::string, std::string> tags = {
      {"mlflow.runName",
       fmt::format("retrain-{}-{}", out.specialist_type, format_iso8601_utc(ctx.now))},
      {t + "trigger", out.decision.trigger},
      {t + "reason", out.decision.explanation},
      {t + "dataset_path", out.dataset_path},
      {t + "dataset_llm_rows", std::to_string(out.llm_rows)},
      {t + "dataset_feedback_rows", std::to_string(out.feedback_rows)},
      {t + "retrain_id", ctx.record.id},
      {t + "baseline_run_id", ctx.baseline ? ctx.baseline->run_id : ""},
      {t + "baseline_model_version", ctx.baseline ? ctx.baseline->model_version : ""},
  };
  if (!m_settings.skip_dataset_generation) {
    tags[t + "llm_provider"] = m_settings.llm_provider;
    tags[t + "llm_model"] = m_settings.llm_model;
  }
  Result<std::string> run = m_ports.registry.create_run(*exp, tags);
  if (!run) {
    fail(ctx, "training", run.error(), "check MLFLOW_TRACKING_URI and MLflow's health");
    return false;
  }
  out.run_id = *run;
  ctx.record.run_id = out.run_id;
  out.state = "training";
  record(ctx);
  event(
      "training_started",
      {{"specialist_type", out.specialist_type}, {"run_id", out.run_id}, {"experiment_id", *exp}});

  TrainingLaunch launch;
  launch.project_uri = m_settings.project_uri;
  launch.experiment_id = *exp;
  launch.run_id = out.run_id;
  launch.parameters = {{"dataset_path", out.dataset_path},
                       {"specialist_type", out.specialist_type},
                       {"model_name", ctx.model_name}};
  launch.log_file = std::filesystem::path(out.dataset_path).replace_extension(".train.log");
  launch.extra_env = m_settings.training_env;
  launch.withheld_env = m_settings.training_env_withheld;
  Result<std::unique_ptr<TrainingProcess>> proc = m_ports.launcher.launch(launch);
  if (!proc) {
    (void)m_ports.registry.terminate_run(out.run_id, RunStatus::failed);
    fail(ctx, "training", proc.error(), "install MLflow or set MLFLOW_CLI");
    return false;
  }

  ctx.record.training_pid = (*proc)->pid();
  record(ctx);
  return watch(ctx, **proc, std::chrono::seconds(0), launch.log_file);
}

// Watch: the run's status in MLflow is the truth; the process tells us when to stop waiting.
// `already`: training time spent before this process took over (an adopted training).
bool RetrainPipeline::watch(Context& ctx, TrainingProcess& process, std::chrono::seconds already,
                            const std::filesystem::path& log_file) {
  RetrainOutcome& out = ctx.out;
  const std::string t = k_tag_prefix;
  const auto train_started = std::chrono::steady_clock::now();
  auto elapsed = [&] {
    return already + std::chrono::duration_cast<std::chrono::seconds>(
                         std::chrono::steady_clock::now() - train_started);
  };
  std::optional<int> exit_code;
  int polls_after_exit = 0;
  RunStatus status = RunStatus::running;
  while (true) {
    if (m_ports.interrupted && m_ports.interrupted()) {
      process.kill_tree();
      (void)m_ports.registry.terminate_run(out.run_id, RunStatus::killed);
      (void)m_ports.registry.set_tags(out.run_id, {{t + "failure", "interrupted"}});
      out.run_status = "KILLED";
      out.training_seconds = static_cast<double>(elapsed().count());
      event("training_interrupted",
            {{"specialist_type", out.specialist_type}, {"run_id", out.run_id}});
      fail(ctx, "training",
           Error::internal(fmt::format("interrupted (SIGTERM/SIGINT) while training run {}; the "
                                       "process tree was killed and the run marked KILLED",
                                       out.run_id)),
           "the next scheduled run will decide again");
      return false;
    }
    if (elapsed() >= m_settings.training_timeout) {
      process.kill_tree();
      (void)m_ports.registry.terminate_run(out.run_id, RunStatus::failed);
      (void)m_ports.registry.set_tags(out.run_id, {{t + "failure", "training_timeout"}});
      out.run_status = "FAILED";
      out.training_seconds = static_cast<double>(elapsed().count());
      event("training_timeout",
            {{"specialist_type", out.specialist_type},
             {"run_id", out.run_id},
             {"timeout_s", std::to_string(m_settings.training_timeout.count())}});
      fail(
          ctx, "training",
          Error::timeout(fmt::format("training run {} did not finish within TRAINING_TIMEOUT={} s; "
                                     "the process tree was killed and the run marked FAILED",
                                     out.run_id, m_settings.training_timeout.count())),
          "raise TRAINING_TIMEOUT or make the training faster; the log is " + log_file.string());
      return false;
    }
    if (!exit_code) {
      exit_code = process.poll();
    }
    Result<RunState> state = m_ports.registry.get_run(out.run_id);
    if (state) {
      status = state->status;
      out.run_status = to_string(status);
    }
    if (m_ports.on_training_progress) {
      m_ports.on_training_progress(out.specialist_type, out.run_status, elapsed());
    }
    if (is_terminal(status) && exit_code) {
      break;
    }
    if (exit_code) {
      // The process is gone but MLflow has not recorded a terminal status yet: give the server a
      // few polls, then close the run ourselves so no run stays RUNNING forever.
      if (++polls_after_exit > 5) {
        (void)m_ports.registry.terminate_run(out.run_id, RunStatus::failed);
        status = RunStatus::failed;
        out.run_status = "FAILED";
        break;
      }
    }
    m_ports.sleep(m_settings.poll_interval);
  }
  out.training_seconds = static_cast<double>(elapsed().count());
  event("training_finished", {{"specialist_type", out.specialist_type},
                              {"run_id", out.run_id},
                              {"status", out.run_status},
                              {"exit_code", std::to_string(exit_code.value_or(-1))},
                              {"seconds", fmt::format("{:.0f}", out.training_seconds)}});
  if (status != RunStatus::finished || exit_code.value_or(1) != 0) {
    (void)m_ports.registry.set_tags(out.run_id, {{t + "failure", "training_failed"}});
    fail(ctx, "training",
         Error::bad_response(fmt::format("training run {} ended {} (process exit code {})",
                                         out.run_id, out.run_status, exit_code.value_or(-1))),
         "read the training log " + log_file.string() + " and the run in MLflow");
    return false;
  }
  return true;
}

void RetrainPipeline::evaluate_and_promote(Context& ctx) {
  RetrainOutcome& out = ctx.out;
  out.state = "evaluating";
  record(ctx);
  const std::string t = k_tag_prefix;
  Result<RunState> run = m_ports.registry.get_run(out.run_id);
  if (!run) {
    fail(ctx, "evaluation", run.error(), "check MLflow; the candidate was not promoted");
    return;
  }
  ModelScores candidate{out.run_id, "", run->precision, run->recall, run->f1_score};
  PromotionDecision decision = decide_promotion(candidate, ctx.baseline, m_settings.policy);
  out.promotion = decision;
  ctx.record.baseline_f1 = ctx.baseline ? ctx.baseline->f1_score : std::nullopt;
  ctx.record.candidate_f1 = candidate.f1_score;
  std::map<std::string, std::string> tags = {
      {t + "promotion", decision.promote ? "promoted" : "rejected"},
      {t + "promotion_rule", decision.decided_by},
      {t + "candidate_f1", fmt_opt(candidate.f1_score)},
      {t + "candidate_precision", fmt_opt(candidate.precision)},
      {t + "candidate_recall", fmt_opt(candidate.recall)},
      {t + "baseline_f1", ctx.baseline ? fmt_opt(ctx.baseline->f1_score) : "none"},
      {t + "baseline_precision", ctx.baseline ? fmt_opt(ctx.baseline->precision) : "none"},
      {t + "baseline_recall", ctx.baseline ? fmt_opt(ctx.baseline->recall) : "none"},
  };
  event("promotion_decision",
        {{"specialist_type", out.specialist_type},
         {"run_id", out.run_id},
         {"promote", decision.promote ? "true" : "false"},
         {"rule", decision.decided_by},
         {"candidate_f1", fmt_opt(candidate.f1_score)},
         {"baseline_f1", ctx.baseline ? fmt_opt(ctx.baseline->f1_score) : "none"}});
  if (!decision.promote) {
    (void)m_ports.registry.set_tags(out.run_id, tags);
    out.state = "rejected";
    return;
  }

  // Promote: the run's registered version (the training project registers one), else register.
  Result<std::optional<ModelVersionRef>> version =
      m_ports.registry.version_of_run(ctx.model_name, out.run_id);
  std::optional<ModelVersionRef> v = version ? *version : std::nullopt;
  if (!version) {
    fail(ctx, "promotion", version.error(), "check MLflow's model registry");
    return;
  }
  if (!v) {
    Result<ModelVersionRef> registered = m_ports.registry.register_version(
        ctx.model_name, out.run_id, "runs:/" + out.run_id + "/model");
    if (!registered) {
      fail(ctx, "promotion", registered.error(), "check MLflow's model registry");
      return;
    }
    v = *registered;
  }
  // Keep the way back first: the old production version under `previous-production`, then move
  // `production` (one alias write each: never a moment without a production alias).
  const std::string& alias = m_settings.check.production_alias;
  Result<std::optional<ModelVersionRef>> current =
      m_ports.registry.version_by_alias(ctx.model_name, alias);
  std::string previous_version = ctx.baseline ? ctx.baseline->model_version : "";
  if (current && *current) {
    previous_version = (*current)->version;
  }
  if (!previous_version.empty() && previous_version != v->version) {
    Status kept =
        m_ports.registry.set_alias(ctx.model_name, m_settings.previous_alias, previous_version);
    if (!kept) {
      fail(ctx, "promotion", kept.error(), "check MLflow's model registry; nothing was promoted");
      return;
    }
  }
  Status moved = m_ports.registry.set_alias(ctx.model_name, alias, v->version);
  if (!moved) {
    fail(ctx, "promotion", moved.error(), "check MLflow's model registry; nothing was promoted");
    return;
  }
  if (out.report && out.report->mlflow.source == RunSource::legacy_stage) {
    Status staged = m_ports.registry.transition_to_production(ctx.model_name, v->version);
    if (!staged) {
      fail(ctx, "promotion", staged.error(),
           "the alias was moved but the legacy stage was not; transition it by hand");
      return;
    }
  }
  tags[t + "promoted_version"] = v->version;
  (void)m_ports.registry.set_tags(out.run_id, tags);
  out.promoted_version = v->version;
  ctx.record.promoted_version = v->version;
  out.state = "promoted";
  event("model_promoted", {{"specialist_type", out.specialist_type},
                           {"model", ctx.model_name},
                           {"version", v->version},
                           {"previous_version", previous_version}});
}

void RetrainPipeline::notify(Context& ctx) {
  RetrainOutcome& out = ctx.out;
  RetrainNotification n;
  n.specialist_type = out.specialist_type;
  n.timestamp = ctx.now;
  n.trigger = out.decision.trigger;
  n.run_id = out.run_id;
  n.mlflow_url = m_settings.tracking_uri_masked;
  if (out.error) {
    n.kind = RetrainNotification::Kind::failure;
    n.failed_step = out.failed_step;
    n.error = out.error->message;
    n.what_to_do = out.what_to_do;
  } else {
    n.kind = RetrainNotification::Kind::success;
    n.promoted = out.state == "promoted";
    n.f1_before = ctx.baseline ? ctx.baseline->f1_score : std::nullopt;
    n.f1_after = out.promotion ? out.promotion->candidate.f1_score : std::nullopt;
    n.decision = out.promotion ? out.promotion->decided_by : "";
    n.model_version = out.promoted_version;
  }
  const std::set<std::string> wanted(m_settings.notification_channels.begin(),
                                     m_settings.notification_channels.end());
  for (Notifier* notifier : m_ports.notifiers) {
    if (notifier == nullptr || wanted.count(notifier->channel()) == 0) {
      continue;
    }
    Status s = notifier->notify(n);
    if (!s) {
      event(fmt::format("{}_notification_failed", notifier->channel()).c_str(),
            {{"specialist_type", out.specialist_type}, {"error", s.error().message}});
    }
    out.notifications.emplace_back(notifier->channel(), std::move(s));
  }
}

void RetrainPipeline::cleanup(Context& ctx) {
  RetrainOutcome& out = ctx.out;
  Result<std::vector<DatasetFile>> files = m_ports.datasets.list(out.specialist_type);
  if (!files) {
    event("dataset_cleanup_failed",
          {{"specialist_type", out.specialist_type}, {"error", files.error().message}});
    return;
  }
  std::set<std::filesystem::path> in_use;
  if (!out.dataset_path.empty()) {
    in_use.insert(out.dataset_path);
  }
  for (const auto& p : datasets_to_remove(*files, ctx.now, m_settings.retention_days, in_use)) {
    Status removed = m_ports.datasets.remove(p);
    if (removed) {
      out.removed_datasets.push_back(p.string());
    } else {
      event("dataset_cleanup_failed", {{"specialist_type", out.specialist_type},
                                       {"path", p.string()},
                                       {"error", removed.error().message}});
    }
  }
}

void RetrainPipeline::record(Context& ctx) {
  ctx.record.state = ctx.out.state;
  ctx.record.error = ctx.out.error ? ctx.out.error->message : "";
  if ((ctx.out.state == "promoted" || ctx.out.state == "rejected" || ctx.out.state == "failed") &&
      !ctx.record.finished_at) {
    ctx.record.finished_at = m_ports.clock();
  }
  Status saved = m_ports.state.save_retrain(ctx.record);
  if (!saved) {
    event("state_write_failed",
          {{"specialist_type", ctx.out.specialist_type}, {"error", saved.error().message}});
  }
}

void RetrainPipeline::push_metrics(Context& ctx) {
  RetrainOutcome& out = ctx.out;
  const std::string& type = out.specialist_type;
  // Counters first go to the state store (the source of truth), then are read back whole.
  if (out.retrained()) {
    const std::string status = out.error ? "failed" : "success";
    (void)m_ports.state.increment_counter(type, k_metric_retrain_triggered,
                                          {{"reason", out.decision.trigger}, {"status", status}},
                                          1.0);
    if (!out.error) {
      (void)m_ports.state.increment_counter(
          type, k_metric_retrain_success,
          {{"improved", out.state == "promoted" ? "true" : "false"}}, 1.0);
    }
    if (ctx.generation_seconds) {
      for (const auto& inc : generation_histogram_increments(*ctx.generation_seconds)) {
        (void)m_ports.state.increment_counter(type, inc.name, inc.labels, inc.value);
      }
    }
    if (ctx.generation_failed) {
      (void)m_ports.state.increment_counter(type, k_metric_generation_errors, {}, 1.0);
    }
  }
  if (m_ports.metrics == nullptr) {
    return;
  }
  std::vector<MetricFamily> families;
  const std::optional<PerformanceReport>& current =
      out.report_after ? out.report_after : out.report;
  if (current) {
    families = check_metric_families(*current);
    if (m_settings.check.mongo_breaker_state) {
      families.push_back(breaker_state_family(m_settings.check.mongo_breaker_state()));
    }
    if (!out.check_error) {
      families.push_back(last_success_family(ctx.now));
    }
  }
  Result<std::vector<StateStore::Counter>> stored = m_ports.state.counters(type);
  if (!stored) {
    // MongoDB went away after the decision: the cumulative counters cannot be read back. POST
    // what is known (the gauges) and leave the counters pushed earlier in place; a PUT without
    // them, or with zeros, would read as counter resets in Prometheus.
    event("metrics_counters_unavailable",
          {{"specialist_type", type}, {"error", stored.error().message}});
    Status posted = families.empty() ? ok_status() : m_ports.metrics->add_to_group(type, families);
    if (!posted) {
      event("metrics_push_failed", {{"specialist_type", type}, {"error", posted.error().message}});
    }
    return;
  }
  std::vector<CounterValue> counters;
  double connection_errors = 0.0;
  for (const auto& c : *stored) {
    counters.push_back({c.name, c.labels, c.value});
    if (c.name == k_metric_mlflow_connection_errors) {
      connection_errors += c.value;
    }
  }
  families.push_back({k_metric_mlflow_connection_errors,
                      "MLflow requests of this specialist's checks that failed to connect or "
                      "timed out, after retries",
                      MetricType::counter,
                      {Sample{{}, connection_errors, ""}}});
  Result<std::optional<TimePoint>> last = m_ports.state.last_retrain(type);
  auto retrain_families = retrain_metric_families(
      counters, last ? *last : std::nullopt,
      out.retrained() ? std::optional<double>(out.duration_s) : std::nullopt);
  families.insert(families.end(), retrain_families.begin(), retrain_families.end());
  // Without a report (MLflow failed) a PUT would erase the last good gauges: only update ours.
  Status pushed = current ? m_ports.metrics->push_group(type, families)
                          : m_ports.metrics->add_to_group(type, families);
  if (!pushed) {
    event("metrics_push_failed", {{"specialist_type", type}, {"error", pushed.error().message}});
  }
}

} // namespace mm
