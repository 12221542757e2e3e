#include "app/retrain_command.hpp"

#include "adapters/llm/llm_client_factory.hpp"
#include "adapters/llm/llm_dataset_generator.hpp"
#include "adapters/llm/prompt_templates.hpp"
#include "adapters/mlflow/mlflow_run_registry.hpp"
#include "adapters/mongo/mongo_feedback_rows.hpp"
#include "adapters/mongo/mongo_feedback_store.hpp"
#include "adapters/mongo/mongo_pool.hpp"
#include "adapters/mongo/mongo_state_store.hpp"
#include "adapters/parquet/external_generator.hpp"
#include "adapters/parquet/parquet_dataset_store.hpp"
#include "adapters/pushgateway/pushgateway_sink.hpp"
#include "adapters/slack/slack_notifier.hpp"
#include "adapters/smtp/smtp_notifier.hpp"
#include "adapters/training/mlflow_run_launcher.hpp"
#include "app/command_support.hpp"
#include "app/identity.hpp"
#include "app/paths.hpp"
#include "app/stop_signal.hpp"
#include "app/wiring.hpp"
#include "core/redact.hpp"
#include "core/specialist.hpp"
#include "pipeline/mongo_breaker.hpp"

#include <chrono>
#include <cstdio>
#include <fmt/format.h>
#include <thread>

namespace mm {

namespace {

const std::string& api_key_for(const Config& c) {
  static const std::string none;
  switch (c.llm_provider) {
  case LlmProvider::openai:
    return c.openai_api_key;
  case LlmProvider::anthropic:
    return c.anthropic_api_key;
  case LlmProvider::local:
    return none;
  }
  return none;
}

Result<std::unique_ptr<DatasetGenerator>> make_generator(const Config& c) {
  if (!c.dataset_generator_command.empty()) {
    return std::unique_ptr<DatasetGenerator>(std::make_unique<ExternalCommandGenerator>(
        c.dataset_generator_command, std::filesystem::path(c.data_dir) / ".scratch"));
  }
  if (c.llm_provider == LlmProvider::openai && c.openai_api_key.empty() && !c.llm_base_url_set) {
    return Error::config("LLM_PROVIDER=openai needs OPENAI_API_KEY (or LLM_BASE_URL of an "
                         "OpenAI-compatible server that needs no key)");
  }
  if (c.llm_provider == LlmProvider::anthropic && c.anthropic_api_key.empty()) {
    return Error::config("LLM_PROVIDER=anthropic needs ANTHROPIC_API_KEY");
  }
  Result<std::filesystem::path> dir = resolve_prompts_dir(c.prompts_dir);
  if (!dir) {
    return dir.error();
  }
  Result<PromptTemplates> templates = load_prompt_templates(*dir);
  if (!templates) {
    return templates.error();
  }
  LlmGeneratorOptions options;
  options.provider = to_string(c.llm_provider);
  options.model = c.llm_model;
  options.temperature = c.llm_temperature;
  options.max_concurrency = c.llm_max_concurrency;
  const std::string provider = to_string(c.llm_provider);
  LlmClientFactory factory = [provider, base = c.llm_base_url, model = c.llm_model,
                              key = api_key_for(c)](std::optional<SteadyTime> deadline) {
    return make_llm_client(provider, base, model, key, default_llm_http_options(), deadline);
  };
  return std::unique_ptr<DatasetGenerator>(std::make_unique<LlmDatasetGenerator>(
      std::move(factory), std::move(templates).value(), options));
}

} // namespace

Result<RetrainRun> run_retrain(const Config& config, const RetrainRequest& request, Logger& log) {
  const bool all = request.specialist_type == "all";
  if (!all && !is_valid_specialist_type(request.specialist_type)) {
    return Error::config(fmt::format("invalid --specialist-type '{}': expected 'all' or a name "
                                     "matching [a-z][a-z0-9_-]{{0,62}}",
                                     request.specialist_type));
  }
  const std::vector<std::string> channels =
      request.channels_given ? request.notification_channels : config.notification_channels;

  // Everything that can be misconfigured is built before any specialist is touched: a missing
  // webhook fails the run at start (exit 2), not after an hour of training.
  std::vector<std::unique_ptr<Notifier>> notifiers;
  for (const auto& ch : channels) {
    if (ch == "slack") {
      if (config.slack_webhook_url.empty()) {
        return Error::config("the slack notification channel needs SLACK_WEBHOOK_URL (or drop "
                             "slack from NOTIFICATION_CHANNELS / --notification-channels)");
      }
      auto n = make_slack_notifier(
          SlackSettings{config.slack_webhook_url, config.slack_channel, slack_http_options()});
      if (!n) {
        return n.error();
      }
      notifiers.push_back(std::move(n).value());
    } else if (ch == "email") {
      SmtpSettings s;
      s.host = config.smtp_host;
      s.port = config.smtp_port;
      s.user = config.smtp_user;
      s.password = config.smtp_password;
      s.tls = config.smtp_starttls_required ? SmtpTls::required : SmtpTls::when_offered;
      s.recipients = config.email_recipients;
      auto n = make_smtp_notifier(s);
      if (!n) {
        return n.error();
      }
      notifiers.push_back(std::move(n).value());
    } else {
      return Error::config(fmt::format("invalid --notification-channels '{}': expected slack, "
                                       "email",
                                       ch));
    }
  }
  std::unique_ptr<DatasetGenerator> generator;
  if (!request.skip_dataset_generation) {
    auto g = make_generator(config);
    if (!g) {
      return g.error();
    }
    generator = std::move(g).value();
  }
  const std::string push_url =
      request.export_url.empty() ? config.pushgateway_url : request.export_url;

  std::unique_ptr<Tracker> tracker = make_tracker(config);
  std::vector<std::string> types;
  if (!all) {
    types.push_back(request.specialist_type);
  } else if (request.discover) {
    auto found = tracker->discover_specialists(config.model_name_template);
    if (!found) {
      return std::move(found).error();
    }
    types = std::move(found).value();
  } else {
    types = config.specialist_types;
  }

  const MongoDriverLogScope mongo_log(log);
  auto pool = MongoPool::create(config.mongodb_uri, mongo_pool_options(config));
  if (!pool) {
    return std::move(pool).error();
  }
  MongoFeedbackStore mongo_feedback(**pool, config.mongodb_database, config.feedback_collection,
                                    mongo_query_timeout(config));
  MongoFeedbackRowSource mongo_rows(**pool, config.mongodb_database, config.feedback_collection,
                                    config.opinions_collection, mongo_query_timeout(config));
  BreakerGuard breaker(CircuitBreaker(3, std::chrono::seconds(30)),
                       [] { return std::chrono::system_clock::now(); });
  GuardedFeedbackStore feedback(mongo_feedback, breaker);
  GuardedFeedbackRows rows(mongo_rows, breaker);
  MongoStateStore mongo_state(**pool, config.mongodb_database,
                              MongoStateStore::k_default_collection, mongo_query_timeout(config));
  GuardedStateStore state(mongo_state, breaker);
  MlflowRunRegistry registry(config.mlflow_tracking_uri, mlflow_http_options(config),
                             MlflowAuth{config.mlflow_tracking_token,
                                        config.mlflow_tracking_username,
                                        config.mlflow_tracking_password});
  auto dataset_store = make_dataset_store(config, [&log](const std::string& w) {
    log.warn("dataset_warning", {{"warning", w}});
  });
  if (!dataset_store) {
    return std::move(dataset_store).error(); // model-monitor-parquet.so missing or foreign: exit 2
  }
  DatasetStore& datasets = **dataset_store;
  MlflowRunLauncher launcher(config.mlflow_cli);
  std::unique_ptr<MetricsSink> sink;
  if (!push_url.empty()) {
    sink = std::make_unique<PushgatewaySink>(push_url, pushgateway_http_options());
  }

  RetrainSettings s;
  s.check = check_settings_from(config);
  s.check.mongo_breaker_state = [&breaker] { return to_string(breaker.state()); };
  s.force = request.force;
  s.skip_dataset_generation = request.skip_dataset_generation;
  s.dry_run = request.dry_run;
  s.cooldown_hours = config.retraining_cooldown_hours;
  s.num_samples = config.dataset_num_samples;
  s.generation_timeout = std::chrono::seconds(config.dataset_generation_timeout_s);
  s.feedback_merge_limit = config.feedback_merge_limit;
  s.training_timeout = std::chrono::seconds(config.training_timeout_s);
  s.project_uri = resolve_project_uri(config.retraining_mlflow_project_uri);
  s.mlflow_cli = config.mlflow_cli;
  s.retention_days = config.dataset_retention_days;
  s.policy.thresholds = config.thresholds;
  s.policy.improvement = config.model_improvement_threshold;
  s.notification_channels = channels;
  s.training_env = training_environment(config);
  s.training_env_withheld = {"OPENAI_API_KEY", "ANTHROPIC_API_KEY", "SLACK_WEBHOOK_URL",
                             "SMTP_USER",      "SMTP_PASSWORD",     "MONGODB_URI"};
  s.llm_provider =
      config.dataset_generator_command.empty() ? to_string(config.llm_provider) : "external";
  s.llm_model = config.llm_model;
  s.tracking_uri_masked = uri_without_credentials(config.mlflow_tracking_uri);
  s.host = host_name();
  s.owner = lease_owner_name(s.host);
  s.lease_owner_is_dead = [host = s.host](const std::string& owner) {
    return lease_owner_is_dead(owner, host);
  };

  RetrainPorts ports{
      *tracker,   feedback, rows, registry, state, datasets, launcher, generator.get(),
      sink.get(), {},       {},   {},       {},    {},       {}};
  for (auto& n : notifiers) {
    ports.notifiers.push_back(n.get());
  }
  ports.ledger = &mongo_state;
  ports.clock = [] { return std::chrono::system_clock::now(); };
  ports.sleep = [](std::chrono::milliseconds d) { std::this_thread::sleep_for(d); };
  auto last_progress_log = std::make_shared<std::chrono::steady_clock::time_point>();
  const bool tty = request.progress_on_tty;
  ports.on_training_progress = [&log, tty, last_progress_log](const std::string& type,
                                                              const std::string& status,
                                                              std::chrono::seconds elapsed) {
    if (tty) {
      std::fprintf(stderr, "\r[%s] training: %-9s %02lld:%02lld", type.c_str(), status.c_str(),
                   static_cast<long long>(elapsed.count() / 60),
                   static_cast<long long>(elapsed.count() % 60));
      std::fflush(stderr);
      return;
    }
    const auto now = std::chrono::steady_clock::now();
    if (now - *last_progress_log >= std::chrono::seconds(30)) {
      *last_progress_log = now;
      log.info("training_progress", {{"specialist_type", type},
                                     {"status", status},
                                     {"elapsed_s", static_cast<long long>(elapsed.count())}});
    }
  };
  ports.on_event = [&log, tty](const char* event, const std::map<std::string, std::string>& f) {
    if (tty && std::string_view(event) == "training_finished") {
      std::fputs("\n", stderr);
    }
    // Fields are passed as text; the logger keeps them as strings.
    std::vector<std::pair<std::string, std::string>> kv(f.begin(), f.end());
    const bool failure = std::string_view(event).find("failed") != std::string_view::npos ||
                         std::string_view(event).find("timeout") != std::string_view::npos;
    log.log_text(failure ? LogLevel::error : LogLevel::info, event, kv);
  };

  install_stop_handlers();
  ports.interrupted = [] { return stop_requested(); };
  log.info("retrain_started", {{"specialists", static_cast<long long>(types.size())},
                               {"dry_run", request.dry_run},
                               {"force", request.force}});
  RetrainPipeline pipeline(std::move(ports), s);
  RetrainRun run;
  run.single = !all;
  for (const auto& t : types) {
    if (stop_requested()) {
      log.warn("retrain_interrupted", {{"remaining_from", t}});
      break;
    }
    run.outcomes.push_back(pipeline.retrain(t));
    run.exit_code = std::max(run.exit_code, run.outcomes.back().exit_code());
  }
  log.info("retrain_finished", {{"specialists", static_cast<long long>(types.size())},
                                {"exit_code", static_cast<long long>(run.exit_code)}});
  return run;
}

} // namespace mm
