#include "cli/cli.hpp"

#include "app/check_command.hpp"
#include "app/config.hpp"
#include "app/logger.hpp"
#include "app/retrain_command.hpp"
#include "cli/report_render.hpp"
#include "cli/retrain_render.hpp"

#include <CLI/CLI.hpp>
#include <algorithm>
#include <fmt/format.h>
#include <unistd.h>

#ifndef MM_VERSION
#define MM_VERSION "0.0.0"
#endif

namespace mm {

namespace {

void print_config(const Config& config, std::FILE* out) {
  for (const auto& e : describe_config(config)) {
    fmt::print(out, "{}={}\n", e.name, e.value);
  }
}

bool use_json_logs(const Config& config, std::FILE* err) {
  switch (config.log_format) {
  case LogFormat::json:
    return true;
  case LogFormat::text:
    return false;
  case LogFormat::automatic:
    return isatty(fileno(err)) == 0;
  }
  return true;
}

Lang lang_of(ReportLang l) {
  return l == ReportLang::en ? Lang::en : Lang::pt_br;
}

int fail(std::FILE* err, const Error& e) {
  fmt::print(err, "model-monitor: error: {}\n", e.message);
  return exit_code_for(e.kind);
}

} // namespace

int run_cli(const std::vector<std::string>& args, std::FILE* out, std::FILE* err) {
  CLI::App app{"model-monitor: watches deployed specialists' quality (MLflow metrics + human "
               "feedback) and retrains them when they degrade.\n"
               "Exit codes: 0 healthy, 1 degraded, 2 usage/config error, 3 a data source "
               "unreachable or without data, 4 internal error.",
               "model-monitor"};
  app.require_subcommand(1);

  std::string specialist_type;
  std::string output_format = "text";
  std::string export_url;
  std::string lang_flag;
  bool print_config_flag = false;
  bool discover = false;
  int concurrency = 0;

  auto* check = app.add_subcommand(
      "check", "Check the performance of one specialist or all of them (spec's "
               "ModelPerformanceMonitor). Reads MLflow and MongoDB; pushes metrics if asked.");
  check->add_option("--specialist-type", specialist_type,
                    "a specialist type, or 'all' (SPECIALIST_TYPES)");
  check->add_option("--output-format", output_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  check->add_option("--export-metrics", export_url,
                    "Pushgateway URL to push metrics to (default PROMETHEUS_PUSHGATEWAY_URL)");
  check->add_option("--lang", lang_flag, "report language: pt-BR or en (default REPORT_LANG)")
      ->check(CLI::IsMember({"pt-BR", "en"}));
  check->add_flag("--print-config", print_config_flag,
                  "print the effective configuration (secrets masked) and exit");
  check->add_flag("--discover", discover,
                  "with 'all': check every registered model matching MLFLOW_MODEL_NAME_TEMPLATE "
                  "instead of SPECIALIST_TYPES");
  check
      ->add_option("--concurrency", concurrency,
                   "specialists checked at once (default MONITOR_CONCURRENCY)")
      ->check(CLI::Range(1, 256));

  bool force = false;
  bool skip_generation = false;
  bool dry_run = false;
  std::string channels_flag;
  bool channels_given = false;
  auto* retrain = app.add_subcommand(
      "retrain",
      "Retrain degraded specialists (spec's AutoRetrainOrchestrator): LLM dataset + recent "
      "feedback, training through the MLflow Project, promotion only if better, notifications. "
      "Exit codes: 0 nothing needed / cooldown / retrained (promoted or not), 1 a retrain "
      "failed, 2 usage/config, 3 a data source unreachable, 4 internal.");
  retrain->add_option("--specialist-type", specialist_type,
                      "a specialist type, or 'all' (SPECIALIST_TYPES, one by one)");
  retrain->add_flag("--force", force,
                    "retrain even when healthy and inside the cooldown (never on incomplete data)");
  retrain->add_flag("--skip-dataset-generation", skip_generation,
                    "reuse the LLM rows of the newest existing dataset instead of generating");
  retrain->add_flag("--dry-run", dry_run,
                    "read everything and print the plan; write nothing anywhere");
  auto* channels_opt = retrain->add_option(
      "--notification-channels", channels_flag,
      "comma-separated subset of slack,email (default NOTIFICATION_CHANNELS; empty: none)");
  retrain->add_option("--output-format", output_format, "text or json")
      ->check(CLI::IsMember({"text", "json"}));
  retrain->add_option("--export-metrics", export_url,
                      "Pushgateway URL (default PROMETHEUS_PUSHGATEWAY_URL)");
  retrain->add_flag("--discover", discover,
                    "with 'all': every registered model matching MLFLOW_MODEL_NAME_TEMPLATE");
  retrain->add_flag("--print-config", print_config_flag,
                    "print the effective configuration (secrets masked) and exit");

  app.add_subcommand("version", "Print the version");
  app.add_subcommand("config-reference",
                     "Print the configuration reference (every variable, default, accepted "
                     "values) as the Markdown table of docs/configuration.md");

  // CLI11 would report an unknown first word as "A subcommand is required": name it instead.
  if (!args.empty() && !args.front().empty() && args.front().front() != '-') {
    const auto known = app.get_subcommands([](CLI::App*) { return true; });
    if (std::none_of(known.begin(), known.end(),
                     [&](CLI::App* sub) { return sub->check_name(args.front()); })) {
      fmt::print(err,
                 "model-monitor: usage error: unknown command '{}': expected check, retrain, "
                 "version or config-reference\nRun 'model-monitor --help'.\n",
                 args.front());
      return k_exit_usage;
    }
  }
  std::vector<std::string> argv_rev(args.rbegin(), args.rend());
  try {
    app.parse(argv_rev);
  } catch (const CLI::CallForHelp&) {
    fmt::print(out, "{}", app.help("", CLI::AppFormatMode::Normal));
    if (!app.get_subcommands().empty()) {
      // help of the subcommand asked for
    }
    return k_exit_ok;
  } catch (const CLI::ParseError& e) {
    if (e.get_exit_code() == 0) {
      std::string help;
      for (auto* sub : app.get_subcommands()) {
        help = sub->help();
      }
      fmt::print(out, "{}", help.empty() ? app.help() : help);
      return k_exit_ok;
    }
    fmt::print(err, "model-monitor: usage error: {}\nRun 'model-monitor --help'.\n", e.what());
    return k_exit_usage;
  }

  if (app.got_subcommand("version")) {
    fmt::print(out, "model-monitor {}\n", MM_VERSION);
    return k_exit_ok;
  }

  if (app.got_subcommand("config-reference")) {
    fmt::print(out, "{}", configuration_reference_markdown());
    return k_exit_ok;
  }

  Result<Config> config = load_config(process_env());
  if (!config) {
    return fail(err, config.error());
  }
  if (!lang_flag.empty()) {
    config->report_lang = lang_flag == "en" ? ReportLang::en : ReportLang::pt_br;
  }
  if (!export_url.empty()) {
    config->pushgateway_url = export_url;
  }
  if (print_config_flag) {
    print_config(*config, out);
    return k_exit_ok;
  }
  if (specialist_type.empty()) {
    fmt::print(err, "model-monitor: usage error: --specialist-type is required (a type or "
                    "'all')\n");
    return k_exit_usage;
  }

  Logger log(err, use_json_logs(*config, err));
  channels_given = channels_opt->count() > 0;
  if (app.got_subcommand("retrain")) {
    RetrainRequest rr;
    rr.specialist_type = specialist_type;
    rr.discover = discover;
    rr.force = force;
    rr.skip_dataset_generation = skip_generation;
    rr.dry_run = dry_run;
    rr.export_url = export_url;
    rr.channels_given = channels_given;
    if (channels_given) {
      std::string item;
      for (char c : channels_flag + ",") {
        if (c == ',') {
          if (!item.empty()) {
            rr.notification_channels.push_back(item);
          }
          item.clear();
        } else if (c != ' ') {
          item += c;
        }
      }
    }
    rr.progress_on_tty = isatty(fileno(err)) != 0;
    Result<RetrainRun> run = run_retrain(*config, rr, log);
    if (!run) {
      log.error("retrain_failed_to_start",
                {{"error_kind", to_string(run.error().kind)}, {"error", run.error().message}});
      return fail(err, run.error());
    }
    if (output_format == "json") {
      fmt::print(out, "{}\n", render_retrain_json(run->outcomes, run->single));
    } else {
      for (const auto& o : run->outcomes) {
        fmt::print(out, "{}\n", render_retrain_text(o));
      }
      if (!run->single) {
        fmt::print(out, "{}", render_retrain_summary(run->outcomes));
      }
    }
    return run->exit_code;
  }
  CheckRequest req;
  req.specialist_type = specialist_type;
  req.discover = discover;
  req.export_url = export_url;
  req.concurrency = concurrency;
  Result<CheckRun> run = run_check(*config, req, log);
  if (!run) {
    log.error("check_failed",
              {{"error_kind", to_string(run.error().kind)}, {"error", run.error().message}});
    return fail(err, run.error());
  }
  const Lang lang = lang_of(config->report_lang);
  if (output_format == "json") {
    fmt::print(out, "{}\n", render_json(run->outcomes, lang, run->single));
  } else {
    for (const auto& o : run->outcomes) {
      fmt::print(out, "{}\n", render_text(o, lang));
    }
    if (!run->single) {
      fmt::print(out, "{}", render_text_summary(run->outcomes, lang));
    }
  }
  return run->exit_code;
}

} // namespace mm
