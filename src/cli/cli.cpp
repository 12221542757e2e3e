#include "cli/cli.hpp"

#include "app/check_command.hpp"
#include "app/config.hpp"
#include "app/logger.hpp"
#include "cli/report_render.hpp"

#include <CLI/CLI.hpp>
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

  app.add_subcommand("version", "Print the version");
  app.add_subcommand("config-reference",
                     "Print the configuration reference (every variable, default, accepted "
                     "values) as the Markdown table of docs/configuration.md");

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
