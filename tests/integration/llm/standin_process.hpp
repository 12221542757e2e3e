#pragma once
// scripts/llm_standin.py run by the test itself on 127.0.0.1:<free port>, stopped (by its pid)
// when the object goes away. Hosted LLMs and Ollama cannot run here; the stand-in answers with
// their documented shapes and records what it received (one JSON object per request).

#include <nlohmann/json.hpp>

#include <sys/types.h>

#include <filesystem>
#include <optional>
#include <string>
#include <vector>

namespace mm::test {

inline constexpr const char* k_standin_openai_key = "sk-standin-openai";
inline constexpr const char* k_standin_anthropic_key = "sk-ant-standin";

class LlmStandin {
public:
  LlmStandin();  // starts it; FAILS the test (and leaves port() 0) when it cannot
  ~LlmStandin(); // SIGTERM, then SIGKILL after 2 s; the record file is kept if the test failed
  LlmStandin(const LlmStandin&) = delete;
  LlmStandin& operator=(const LlmStandin&) = delete;

  int port() const { return m_port; }
  std::string root_url() const; // http://127.0.0.1:<port>

  // POST /_control {"mode", "count"?, "then"?, "delay_s"?, "retry_after"?}.
  void set_mode(const std::string& mode, std::optional<int> count = std::nullopt,
                const std::string& then = "normal", double delay_s = 30.0,
                const std::string& retry_after = "0");

  // Every API request received so far, in order.
  std::vector<nlohmann::json> requests() const;

private:
  pid_t m_pid = -1;
  int m_port = 0;
  std::filesystem::path m_record;
};

// The python to run the stand-in with: $MM_PYTHON, else the project's venv
// (~/.local/share/model-monitor/venv, as scripts/env.sh), else python3 from PATH.
std::string standin_python();

// "Generate exactly N new records" in a recorded request's body: N, or -1.
int rows_asked(const nlohmann::json& request);

} // namespace mm::test
