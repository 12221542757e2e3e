#include "integration/llm/standin_process.hpp"

#include "adapters/http/http_client.hpp"

#include <gtest/gtest.h>

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <fstream>
#include <iostream>
#include <regex>
#include <thread>

namespace mm::test {

namespace fs = std::filesystem;

std::string standin_python() {
  if (const char* python = std::getenv("MM_PYTHON"); python != nullptr && *python != '\0') {
    return python;
  }
  fs::path venv;
  if (const char* v = std::getenv("MM_VENV"); v != nullptr && *v != '\0') {
    venv = v;
  } else if (const char* home = std::getenv("HOME"); home != nullptr) {
    venv = fs::path(home) / ".local/share/model-monitor/venv";
  }
  if (!venv.empty() && fs::exists(venv / "bin/python")) {
    return (venv / "bin/python").string();
  }
  return "python3";
}

namespace {

// The first line the child prints (the port), waiting at most `timeout`.
std::string read_line(int fd, std::chrono::milliseconds timeout) {
  std::string line;
  const auto until = std::chrono::steady_clock::now() + timeout;
  while (line.find('\n') == std::string::npos) {
    const auto left = std::chrono::duration_cast<std::chrono::milliseconds>(
        until - std::chrono::steady_clock::now());
    if (left.count() <= 0) {
      break;
    }
    pollfd p{fd, POLLIN, 0};
    if (::poll(&p, 1, static_cast<int>(left.count())) <= 0) {
      break;
    }
    char buffer[64];
    const ssize_t n = ::read(fd, buffer, sizeof buffer);
    if (n <= 0) {
      break;
    }
    line.append(buffer, static_cast<std::size_t>(n));
  }
  return line.substr(0, line.find('\n'));
}

} // namespace

LlmStandin::LlmStandin() {
  static std::atomic<int> counter{0};
  m_record = fs::temp_directory_path() / ("mm_llm_standin_" + std::to_string(::getpid()) + "_" +
                                          std::to_string(counter++) + ".jsonl");
  fs::remove(m_record);
  const std::string script = std::string(MM_SOURCE_DIR) + "/scripts/llm_standin.py";
  const std::string python = standin_python();
  const std::string record = m_record.string();

  int out[2];
  if (::pipe(out) != 0) {
    ADD_FAILURE() << "pipe() failed";
    return;
  }
  m_pid = ::fork();
  if (m_pid == 0) {
    ::dup2(out[1], STDOUT_FILENO);
    ::close(out[0]);
    ::close(out[1]);
    const char* argv[] = {python.c_str(), script.c_str(), "--port", "0",
                          "--record",     record.c_str(), nullptr};
    ::execvp(argv[0], const_cast<char* const*>(argv));
    ::_exit(127);
  }
  ::close(out[1]);
  if (m_pid < 0) {
    ::close(out[0]);
    ADD_FAILURE() << "fork() failed";
    return;
  }
  const std::string line = read_line(out[0], std::chrono::seconds(15));
  ::close(out[0]); // the stand-in prints nothing else on stdout
  try {
    m_port = std::stoi(line);
  } catch (const std::exception&) {
    m_port = 0;
  }
  if (m_port <= 0) {
    ADD_FAILURE() << "the LLM stand-in did not start (" << python << " " << script
                  << "); it printed '" << line << "'";
  }
}

LlmStandin::~LlmStandin() {
  if (m_pid > 0) {
    ::kill(m_pid, SIGTERM);
    int status = 0;
    for (int i = 0; i < 200; ++i) {
      if (::waitpid(m_pid, &status, WNOHANG) == m_pid) {
        m_pid = -1;
        break;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
    if (m_pid > 0) {
      ::kill(m_pid, SIGKILL);
      ::waitpid(m_pid, &status, 0);
    }
  }
  if (!::testing::Test::HasFailure()) {
    fs::remove(m_record);
  } else {
    std::cerr << "LLM stand-in record kept: " << m_record << "\n";
  }
}

std::string LlmStandin::root_url() const {
  return "http://127.0.0.1:" + std::to_string(m_port);
}

void LlmStandin::set_mode(const std::string& mode, std::optional<int> count,
                          const std::string& then, double delay_s, const std::string& retry_after) {
  nlohmann::json body = {
      {"mode", mode}, {"then", then}, {"delay_s", delay_s}, {"retry_after", retry_after}};
  if (count) {
    body["count"] = *count;
  }
  HttpClient http;
  const auto answer =
      http.send(HttpRequest::post_json(root_url() + "/_control", body.dump(), false));
  ASSERT_TRUE(answer) << answer.error().message;
  ASSERT_EQ(answer->status, 200) << answer->body;
}

std::vector<nlohmann::json> LlmStandin::requests() const {
  std::vector<nlohmann::json> out;
  std::ifstream in(m_record);
  std::string line;
  while (std::getline(in, line)) {
    if (!line.empty()) {
      out.push_back(nlohmann::json::parse(line));
    }
  }
  return out;
}

int rows_asked(const nlohmann::json& request) {
  static const std::regex k_rows("Generate exactly (\\d+) new records");
  const std::string body = request.at("body").dump();
  std::smatch m;
  return std::regex_search(body, m, k_rows) ? std::stoi(m[1]) : -1;
}

} // namespace mm::test
