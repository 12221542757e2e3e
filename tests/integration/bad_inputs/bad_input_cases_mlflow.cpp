// MLflow answers with one defect each (fake_services.hpp answers like MLflow's REST API
// otherwise): exit 3 for a source that answered garbage or lacks the data, 2 when the answer says
// the configuration is wrong (credentials, URL), with the call, the URL and what to check.
#include "integration/bad_inputs/bad_input_world.hpp"
#include "support/mlflow_fixture.hpp"

#include <chrono>

namespace mm::test {

namespace {

using Json = nlohmann::json;

// A case whose defect is one answer of the MLflow stand-in.
BadInputCase mlflow_case(std::string id, std::string input, std::string message, int exit_code,
                         std::function<void(FakeMlflow&)> defect) {
  BadInputCase c;
  c.id = std::move(id);
  c.category = "MLflow response";
  c.input = std::move(input);
  c.message = std::move(message);
  c.exit_code = exit_code;
  c.run = [defect = std::move(defect)](BadInputWorld& w) {
    defect(w.mlflow());
    return w.check();
  };
  return c;
}

// runs/get answering the healthy run with the three quality metrics set to `value`.
std::function<void(FakeMlflow&)> metrics_are(const Json& value) {
  return [value](FakeMlflow& m) {
    Json run = FakeMlflow::run();
    for (Json& metric : run["data"]["metrics"]) {
      if (metric["key"] != "accuracy") {
        metric["value"] = value;
      }
    }
    m.answer("runs/get", Reply::json({{"run", run}}));
  };
}

// {"run": healthy run} with `count` more tags whose values are `size` bytes each, written
// directly (building it as a nlohmann::json takes seconds in a Debug build).
std::string run_with_tags(int count, std::size_t size) {
  std::string body = Json{{"run", FakeMlflow::run()}}.dump();
  const std::string tags = "\"tags\":[";
  const auto at = body.find(tags);
  if (at == std::string::npos) {
    ADD_FAILURE() << "no tags in " << body;
    return body;
  }
  const std::string value(size, 'v');
  std::string extra;
  extra.reserve(static_cast<std::size_t>(count) * (size + 32));
  for (int i = 0; i < count; ++i) {
    extra += "{\"key\":\"tag" + std::to_string(i) + "\",\"value\":\"" + value + "\"},";
  }
  body.insert(at + tags.size(), extra);
  return body;
}

// No registered model: the check falls back to the experiment's runs (runs/search).
void no_registered_model(FakeMlflow& m) {
  const Json missing = {{"error_code", "RESOURCE_DOES_NOT_EXIST"},
                        {"message", "Registered Model with name=badinput-specialist not found"}};
  m.answer("registered-models/alias", Reply::json(missing, 404));
  m.answer("registered-models/get", Reply::json(missing, 404));
}

} // namespace

std::vector<BadInputCase> mlflow_cases() {
  const std::string html_500 = "<html><head><title>500 Internal Server Error</title></head><body>"
                               "<h1>Internal Server Error</h1></body></html>";
  std::vector<BadInputCase> cases = {
      mlflow_case("mlflow_html_error_page",
                  "HTTP 500 with an HTML error page (a proxy in front of MLflow)",
                  "registered-models/alias?name=badinput-specialist&alias=production: HTTP 500: "
                  "<html><head><title>500 Internal Server Error</title></head>",
                  3,
                  [html_500](FakeMlflow& m) {
                    m.answer("registered-models/alias", Reply::text(500, html_500));
                  }),
      mlflow_case("mlflow_not_json", "HTTP 200 with an HTML page instead of JSON",
                  "registered-models/alias: malformed MLflow response: not JSON (starts with "
                  "'<!DOCTYPE html><html><head><title>MLflow</title></head><body')",
                  3,
                  [](FakeMlflow& m) {
                    m.answer("registered-models/alias",
                             Reply::text(200,
                                         "<!DOCTYPE html><html><head><title>MLflow</title>"
                                         "</head><body><div id=\"root\"></div></body></html>"));
                  }),
      mlflow_case(
          "mlflow_truncated_json", "JSON cut in the middle (connection dropped by a proxy)",
          "registered-models/alias: malformed MLflow response: not JSON (starts with "
          "'{\"model_version\":{\"aliases\":[\"production\"],\"creation_timesta')",
          3,
          [](FakeMlflow& m) {
            const std::string full = Json{{"model_version", FakeMlflow::model_version()}}.dump();
            m.answer("registered-models/alias",
                     Reply::text(200, full.substr(0, 90), "application/json"));
          }),
      mlflow_case("mlflow_empty_body", "HTTP 200 with an empty body",
                  "registered-models/alias: malformed MLflow response: not JSON (starts with '')",
                  3,
                  [](FakeMlflow& m) {
                    m.answer("registered-models/alias", Reply::text(200, "", "application/json"));
                  }),
      mlflow_case(
          "mlflow_field_missing", "`{}`: no `model_version` in the alias answer",
          "registered-models/alias: malformed MLflow response: 'model_version' is missing", 3,
          [](FakeMlflow& m) { m.answer("registered-models/alias", Reply::json(Json::object())); }),
      mlflow_case("mlflow_field_wrong_type", "`model_version.version` is `true`",
                  "registered-models/alias: malformed MLflow response: 'model_version.version' is "
                  "not a string",
                  3,
                  [](FakeMlflow& m) {
                    Json mv = FakeMlflow::model_version();
                    mv["version"] = true;
                    m.answer("registered-models/alias", Reply::json({{"model_version", mv}}));
                  }),
      mlflow_case(
          "mlflow_version_without_run", "production version without `run_id`",
          "has no run_id: it was registered from a path, not from a training run, so it has "
          "no metrics to read",
          3,
          [](FakeMlflow& m) {
            Json mv = FakeMlflow::model_version();
            mv.erase("run_id");
            m.answer("registered-models/alias", Reply::json({{"model_version", mv}}));
          }),
      mlflow_case("mlflow_run_info_missing", "`runs/get` answers a run without `info`",
                  "runs/get: malformed MLflow response: 'run.info' is missing", 3,
                  [](FakeMlflow& m) {
                    Json run = FakeMlflow::run();
                    run.erase("info");
                    m.answer("runs/get", Reply::json({{"run", run}}));
                  }),
      mlflow_case("mlflow_metrics_not_a_list", "`run.data.metrics` is an object, not a list",
                  "runs/get: malformed MLflow response: 'run.data.metrics' is not an array", 3,
                  [](FakeMlflow& m) {
                    Json run = FakeMlflow::run();
                    run["data"]["metrics"] = {{"f1_score", 0.84}};
                    m.answer("runs/get", Reply::json({{"run", run}}));
                  }),
      mlflow_case("mlflow_metric_nan", "precision, recall and f1_score are `\"NaN\"`",
                  "cannot be scored: f1_score = not a finite number (NaN, Infinity or text), "
                  "precision = not a finite number (NaN, Infinity or text), recall = not a finite "
                  "number (NaN, Infinity or text); metrics must be finite numbers in [0, 1]",
                  3, metrics_are("NaN")),
      mlflow_case("mlflow_metric_infinity", "precision, recall and f1_score are `\"Infinity\"`",
                  "cannot be scored: f1_score = not a finite number (NaN, Infinity or text)", 3,
                  metrics_are("Infinity")),
      mlflow_case("mlflow_metric_as_text",
                  "precision, recall and f1_score are the string `\"0.9\"`",
                  "cannot be scored: f1_score = not a finite number (NaN, Infinity or text)", 3,
                  metrics_are("0.9")),
      mlflow_case("mlflow_metric_percentage",
                  "precision, recall and f1_score logged as `84` (percent)",
                  "cannot be scored: f1_score = 84 (outside [0, 1]), precision = 84 (outside [0, "
                  "1]), recall = 84 (outside [0, 1])",
                  3, metrics_are(84)),
      mlflow_case("mlflow_metric_overflow", "f1_score `1e400` (beyond a double)",
                  "runs/get: malformed MLflow response: not JSON (starts with '{", 3,
                  [](FakeMlflow& m) {
                    std::string body = Json{{"run", FakeMlflow::run()}}.dump();
                    const auto at = body.find("0.84");
                    ASSERT_NE(at, std::string::npos);
                    body.replace(at, 4, "1e400");
                    m.answer("runs/get", Reply::text(200, body, "application/json"));
                  }),
      mlflow_case("mlflow_run_not_finished", "the production run is `RUNNING`",
                  "is RUNNING, not FINISHED: only finished runs are metric sources (DESIGN §3)", 3,
                  [](FakeMlflow& m) {
                    Json run = FakeMlflow::run();
                    run["info"]["status"] = "RUNNING";
                    m.answer("runs/get", Reply::json({{"run", run}}));
                  }),
      mlflow_case("mlflow_body_too_large", "a 70 MB `runs/get` answer",
                  "response body larger than 67108864 bytes refused", 3,
                  [](FakeMlflow& m) {
                    m.answer("runs/get",
                             Reply::text(200, run_with_tags(1, 70U << 20U), "application/json"));
                  }),
      mlflow_case("mlflow_body_large_but_allowed",
                  "a 10 MB `runs/get` answer (10 000 tags of 1 kB): under the 64 MiB limit, read "
                  "normally",
                  "Status: ✅ OK", 0,
                  [](FakeMlflow& m) {
                    m.answer("runs/get",
                             Reply::text(200, run_with_tags(10000, 1000), "application/json"));
                  }),
      mlflow_case("mlflow_unauthorized", "HTTP 401 (MLflow with basic auth, no credentials)",
                  "HTTP 401: You are not authenticated. Please see "
                  "https://www.mlflow.org/docs/latest/auth/index.html#authenticating-to-mlflow on "
                  "how to authenticate.; check MLFLOW_TRACKING_TOKEN or "
                  "MLFLOW_TRACKING_USERNAME/MLFLOW_TRACKING_PASSWORD",
                  2,
                  [](FakeMlflow& m) {
                    Reply r = Reply::text(401,
                                          "You are not authenticated. Please see "
                                          "https://www.mlflow.org/docs/latest/auth/"
                                          "index.html#authenticating-to-mlflow on how to "
                                          "authenticate.",
                                          "text/plain");
                    r.headers.emplace_back("WWW-Authenticate", "Basic realm=\"mlflow\"");
                    m.answer("registered-models/alias", r);
                  }),
      mlflow_case("mlflow_not_an_mlflow_server", "HTTP 404 HTML page (URL of another web server)",
                  "HTTP 404: <!doctype html><title>404 Not Found</title>; no MLflow REST API at "
                  "this URL: check MLFLOW_TRACKING_URI (scheme, host, port and any path prefix)",
                  2,
                  [](FakeMlflow& m) {
                    m.answer_everything(
                        Reply::text(404, "<!doctype html><title>404 Not Found</title>"));
                  }),
      mlflow_case("mlflow_redirect_to_login", "HTTP 302 to a single-sign-on page",
                  "the server redirects to https://sso.example.com/login: set MLFLOW_TRACKING_URI "
                  "to the final URL",
                  2,
                  [](FakeMlflow& m) {
                    Reply r = Reply::text(302, "");
                    r.headers.emplace_back("Location", "https://sso.example.com/login");
                    m.answer("registered-models/alias", r);
                  }),
      mlflow_case("mlflow_runs_not_a_list", "no model; `runs/search` answers `runs` as an object",
                  "runs/search: malformed MLflow response: 'runs' is not an array", 3,
                  [](FakeMlflow& m) {
                    no_registered_model(m);
                    m.answer("runs/search", Reply::json({{"runs", FakeMlflow::run()}}));
                  }),
      mlflow_case("mlflow_page_token_loop",
                  "no model; `runs/search` repeats the same `next_page_token` forever",
                  "runs/search: the same next_page_token came back twice", 3,
                  [](FakeMlflow& m) {
                    no_registered_model(m);
                    Json run = FakeMlflow::run();
                    run["info"]["status"] = "RUNNING";
                    m.answer("runs/search",
                             Reply::json(
                                 {{"runs", {run}}, {"next_page_token", "eyJvZmZzZXQiOiAxfQ=="}}));
                  }),
      mlflow_case(
          "mlflow_experiment_deleted", "no model; the experiment is `deleted`",
          "; check SPECIALIST_TYPES / MLFLOW_TRACKING_URI (it is deleted; restore it or create "
          "it anew)",
          3,
          [](FakeMlflow& m) {
            no_registered_model(m);
            Json exp = FakeMlflow::experiment();
            exp["lifecycle_stage"] = "deleted";
            m.answer("experiments/get-by-name", Reply::json({{"experiment", exp}}));
          }),
  };
  {
    BadInputCase c;
    c.id = "mlflow_slow_answer";
    c.category = "MLflow response";
    c.input = "no answer for 5 s with `MLFLOW_HTTP_REQUEST_TIMEOUT=1`";
    c.message = "registered-models/alias?name=badinput-specialist&alias=production: no answer in "
                "time (connect timeout 5000 ms, total 1000 ms)";
    c.exit_code = 3;
    c.run = [](BadInputWorld& w) {
      Reply slow = Reply::json({{"model_version", FakeMlflow::model_version()}});
      slow.delay = std::chrono::seconds(5);
      w.mlflow().answer("registered-models/alias", slow);
      const auto t0 = std::chrono::steady_clock::now();
      auto r = w.check({{"MLFLOW_HTTP_REQUEST_TIMEOUT", "1"}});
      EXPECT_LT(std::chrono::steady_clock::now() - t0, std::chrono::seconds(4));
      return r;
    };
    cases.push_back(c);
  }
  {
    BadInputCase c;
    c.id = "mlflow_not_http";
    c.category = "MLflow response";
    c.input = "`MLFLOW_TRACKING_URI` of a server that is not HTTP (an SSH banner)";
    c.message = "malformed HTTP reply: Received HTTP/0.9 when not allowed; is this URL an HTTP "
                "server of the expected kind?";
    c.exit_code = 3;
    c.run = [](BadInputWorld& w) {
      RawServer ssh("SSH-2.0-OpenSSH_9.2p1 Debian-2+deb12u3\r\n");
      return w.check({{"MLFLOW_TRACKING_URI", ssh.url("")}});
    };
    cases.push_back(c);
  }
  {
    // The real server: MLflow itself stores NaN and answers it as it does.
    BadInputCase c;
    c.id = "mlflow_metric_nan_real_server";
    c.category = "MLflow response";
    c.input = "the real MLflow server, production run logged with NaN precision, recall, f1_score";
    c.message = "cannot be scored: f1_score = not a finite number (NaN, Infinity or text), "
                "precision = not a finite number (NaN, Infinity or text), recall = not a finite "
                "number (NaN, Infinity or text)";
    c.exit_code = 3;
    c.run = [](BadInputWorld& w) {
      MlflowFixture mlflow;
      const std::string type = mlflow.unique_type("nan");
      const std::string exp = mlflow.get_or_create_experiment(type + "-specialist");
      const std::string run =
          mlflow.add_run(exp, 1767225600000, "FINISHED",
                         {{"precision", "NaN", 0}, {"recall", "NaN", 0}, {"f1_score", "NaN", 0}});
      mlflow.create_registered_model(type + "-specialist");
      mlflow.set_alias(type + "-specialist", "production",
                       mlflow.create_model_version(type + "-specialist", run));
      return w.run({"check", "--specialist-type", type},
                   {{"MLFLOW_TRACKING_URI", mlflow.tracking_uri()}});
    };
    cases.push_back(c);
  }
  return cases;
}

} // namespace mm::test
