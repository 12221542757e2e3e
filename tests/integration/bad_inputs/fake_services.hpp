#pragma once
// Stand-ins that answer with a defect on purpose, for the bad-input table (docs/bad-inputs.md):
// an MLflow tracking server and an Ollama server on 127.0.0.1 (cpp-httplib, ephemeral ports).
// By default they answer like the real services do (the shapes of MLflow's REST API reference,
// https://mlflow.org/docs/latest/api_reference/rest-api.html, and of Ollama's docs/api.md
// "Generate a chat completion", non-streaming); a case then replaces one answer with its defect.

#include "unit/http/local_server.hpp"

#include <nlohmann/json.hpp>

#include <chrono>
#include <functional>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <utility>
#include <vector>

namespace mm::test {

// One HTTP answer, verbatim.
struct Reply {
  int status = 200;
  std::string body;
  std::string content_type = "application/json";
  std::vector<std::pair<std::string, std::string>> headers;
  std::chrono::milliseconds delay{0}; // before answering (cut short when the server stops)

  static Reply json(const nlohmann::json& j, int status = 200);
  static Reply text(int status, std::string body,
                    std::string content_type = "text/html; charset=utf-8");
};

// MLflow's REST API under /api/2.0/mlflow/, for one specialist whose registered model has a
// `production` alias on version 1, from a FINISHED run with healthy metrics. Any model name,
// experiment name or run id asked for gets that world.
class FakeMlflow {
public:
  FakeMlflow();
  std::string url() const { return m_server.url(); }

  // Back to the healthy world; forgets the requests seen.
  void reset();
  // From now on answer `endpoint` (relative to /api/2.0/mlflow/, e.g. "runs/get") with `reply`.
  void answer(const std::string& endpoint, Reply reply);
  // From now on answer every endpoint with `reply` (a server that is not MLflow).
  void answer_everything(Reply reply);
  // "GET runs/get", "POST runs/search", ... in the order received.
  std::vector<std::string> requests() const;

  // The healthy answers' documents, to be altered by a case.
  static nlohmann::json model_version(); // ModelVersion
  static nlohmann::json run();           // Run (info + data with precision, recall, f1_score)
  static nlohmann::json experiment();    // Experiment

private:
  void handle(const httplib::Request& req, httplib::Response& res);

  mutable std::mutex m_mutex;
  std::map<std::string, Reply> m_replies;
  std::optional<Reply> m_everything;
  std::vector<std::string> m_requests;
  LocalServer m_server;
};

// Ollama's POST /api/chat (the endpoint LLM_PROVIDER=local uses, src/adapters/llm/ollama_client).
class FakeOllama {
public:
  // What the model "says" to the n-th chat request (1-based) given the user prompt.
  using Content = std::function<std::string(int n, const std::string& prompt)>;

  FakeOllama();
  std::string url() const { return m_server.url(); }

  void reset(); // answers an empty message
  // Every chat request is answered 200 with message.content = content(n, prompt).
  void answer_content(Content content, std::string done_reason = "stop");
  // Every chat request is answered with `reply`, verbatim.
  void answer(Reply reply);
  int requests() const;

private:
  void handle(const httplib::Request& req, httplib::Response& res);

  mutable std::mutex m_mutex;
  Content m_content;
  std::string m_done_reason = "stop";
  std::optional<Reply> m_reply;
  int m_requests = 0;
  LocalServer m_server;
};

} // namespace mm::test
