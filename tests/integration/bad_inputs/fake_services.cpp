#include "integration/bad_inputs/fake_services.hpp"

namespace mm::test {

namespace {

using Json = nlohmann::json;

constexpr std::int64_t k_t0 = 1767225600000; // 2026-01-01T00:00:00Z, ms
constexpr const char* k_model = "badinput-specialist";
constexpr const char* k_run_id = "0f1e2d3c4b5a69788796a5b4c3d2e1f0";

void send(const Reply& reply, httplib::Response& res) {
  res.status = reply.status;
  for (const auto& [name, value] : reply.headers) {
    res.set_header(name, value);
  }
  res.set_content(reply.body, reply.content_type);
}

} // namespace

Reply Reply::json(const nlohmann::json& j, int status) {
  return Reply{status, j.dump(), "application/json", {}, {}};
}

Reply Reply::text(int status, std::string body, std::string content_type) {
  return Reply{status, std::move(body), std::move(content_type), {}, {}};
}

// --- MLflow ------------------------------------------------------------------------------------

Json FakeMlflow::model_version() {
  return {{"name", k_model},
          {"version", "1"},
          {"creation_timestamp", k_t0},
          {"last_updated_timestamp", k_t0},
          {"user_id", ""},
          {"current_stage", "None"},
          {"description", ""},
          {"source", std::string("mlflow-artifacts:/1/") + k_run_id + "/artifacts/model"},
          {"run_id", k_run_id},
          {"status", "READY"},
          {"aliases", {"production"}}};
}

Json FakeMlflow::run() {
  const auto metric = [](const char* key, double value) {
    return Json{{"key", key}, {"value", value}, {"timestamp", k_t0 + 900}, {"step", 0}};
  };
  return {{"info",
           {{"run_id", k_run_id},
            {"run_uuid", k_run_id},
            {"run_name", "sincere-owl-42"},
            {"experiment_id", "1"},
            {"user_id", "trainer"},
            {"status", "FINISHED"},
            {"start_time", k_t0},
            {"end_time", k_t0 + 1000},
            {"artifact_uri", std::string("mlflow-artifacts:/1/") + k_run_id + "/artifacts"},
            {"lifecycle_stage", "active"}}},
          {"data",
           {{"metrics",
             {metric("precision", 0.86), metric("recall", 0.82), metric("f1_score", 0.84),
              metric("accuracy", 0.85)}},
            {"params", Json::array()},
            {"tags", {{{"key", "mlflow.runName"}, {"value", "sincere-owl-42"}}}}}},
          {"inputs", Json::object()}};
}

Json FakeMlflow::experiment() {
  return {{"experiment_id", "1"},
          {"name", k_model},
          {"artifact_location", "mlflow-artifacts:/1"},
          {"lifecycle_stage", "active"},
          {"last_update_time", k_t0},
          {"creation_time", k_t0},
          {"tags", Json::array()}};
}

FakeMlflow::FakeMlflow() {
  reset();
  const auto handler = [this](const httplib::Request& req, httplib::Response& res) {
    handle(req, res);
  };
  m_server.server().Get(R"(/api/2\.0/mlflow/(.+))", handler);
  m_server.server().Post(R"(/api/2\.0/mlflow/(.+))", handler);
}

void FakeMlflow::reset() {
  const std::lock_guard lock(m_mutex);
  m_requests.clear();
  m_replies.clear();
  m_everything.reset();
  m_replies["registered-models/alias"] = Reply::json({{"model_version", model_version()}});
  m_replies["registered-models/get"] =
      Reply::json({{"registered_model",
                    {{"name", k_model},
                     {"creation_timestamp", k_t0},
                     {"last_updated_timestamp", k_t0},
                     {"latest_versions", {model_version()}},
                     {"aliases", {{{"alias", "production"}, {"version", "1"}}}}}}});
  m_replies["registered-models/get-latest-versions"] = Reply::json(Json::object());
  m_replies["runs/get"] = Reply::json({{"run", run()}});
  m_replies["experiments/get-by-name"] = Reply::json({{"experiment", experiment()}});
  m_replies["runs/search"] = Reply::json({{"runs", {run()}}});
}

void FakeMlflow::answer(const std::string& endpoint, Reply reply) {
  const std::lock_guard lock(m_mutex);
  m_replies[endpoint] = std::move(reply);
}

void FakeMlflow::answer_everything(Reply reply) {
  const std::lock_guard lock(m_mutex);
  m_everything = std::move(reply);
}

std::vector<std::string> FakeMlflow::requests() const {
  const std::lock_guard lock(m_mutex);
  return m_requests;
}

void FakeMlflow::handle(const httplib::Request& req, httplib::Response& res) {
  const std::string endpoint = req.matches[1];
  std::optional<Reply> reply;
  {
    const std::lock_guard lock(m_mutex);
    m_requests.push_back(req.method + " " + endpoint);
    if (m_everything) {
      reply = m_everything;
    } else if (const auto it = m_replies.find(endpoint); it != m_replies.end()) {
      reply = it->second;
    }
  }
  if (!reply) {
    // What MLflow's server answers for a path it does not serve.
    reply = Reply::json({{"error_code", "ENDPOINT_NOT_FOUND"},
                         {"message", "No API endpoint at /api/2.0/mlflow/" + endpoint}},
                        404);
  }
  if (reply->delay.count() > 0) {
    m_server.slow_sleep(reply->delay);
  }
  send(*reply, res);
}

// --- Ollama ------------------------------------------------------------------------------------

FakeOllama::FakeOllama() {
  reset();
  m_server.server().Post("/api/chat", [this](const httplib::Request& req, httplib::Response& res) {
    handle(req, res);
  });
}

void FakeOllama::reset() {
  const std::lock_guard lock(m_mutex);
  m_content = [](int, const std::string&) { return std::string(); };
  m_done_reason = "stop";
  m_reply.reset();
  m_requests = 0;
}

void FakeOllama::answer_content(Content content, std::string done_reason) {
  const std::lock_guard lock(m_mutex);
  m_content = std::move(content);
  m_done_reason = std::move(done_reason);
  m_reply.reset();
}

void FakeOllama::answer(Reply reply) {
  const std::lock_guard lock(m_mutex);
  m_reply = std::move(reply);
}

int FakeOllama::requests() const {
  const std::lock_guard lock(m_mutex);
  return m_requests;
}

void FakeOllama::handle(const httplib::Request& req, httplib::Response& res) {
  Content content;
  std::string done_reason;
  std::optional<Reply> reply;
  int n = 0;
  {
    const std::lock_guard lock(m_mutex);
    n = ++m_requests;
    content = m_content;
    done_reason = m_done_reason;
    reply = m_reply;
  }
  if (reply) {
    send(*reply, res);
    return;
  }
  std::string prompt;
  std::string model = "llama3";
  const Json body = Json::parse(req.body, nullptr, false);
  if (body.is_object()) {
    model = body.value("model", model);
    if (body.contains("messages") && body["messages"].is_array()) {
      for (const Json& m : body["messages"]) {
        if (m.value("role", "") == "user") {
          prompt = m.value("content", "");
        }
      }
    }
  }
  const std::string text = content(n, prompt);
  send(Reply::json({{"model", model},
                    {"created_at", "2026-01-01T00:00:00.000000000Z"},
                    {"message", {{"role", "assistant"}, {"content", text}}},
                    {"done_reason", done_reason},
                    {"done", true},
                    {"total_duration", 4883583458},
                    {"load_duration", 1334875},
                    {"prompt_eval_count", 26},
                    {"prompt_eval_duration", 342546000},
                    {"eval_count", static_cast<int>(text.size() / 4)},
                    {"eval_duration", 4535599000}}),
       res);
}

} // namespace mm::test
