#pragma once
// Real servers for the notification integration tests, each started by the test on a free
// 127.0.0.1 port and stopped after it:
//   - scripts/slack_standin.py: a Slack incoming-webhook stand-in (Python standard library);
//   - scripts/smtp_sink.py: a real SMTP server (aiosmtpd, from the project's venv) that stores
//     each message as received.
// Setup and inspection go through these programs and libcurl directly, never through the code
// under test. A missing Python or venv FAILS the test (never skips) saying how to install it.

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>
#include <sys/types.h>

#include <chrono>
#include <filesystem>
#include <map>
#include <memory>
#include <string>
#include <vector>

namespace mm::test {

// A program started with posix_spawn, stdout and stderr to `log`; SIGTERM (then SIGKILL after
// 5 s) on destruction.
class ChildProcess {
public:
  ChildProcess(const std::vector<std::string>& argv, const std::map<std::string, std::string>& env,
               const std::filesystem::path& log);
  ~ChildProcess();
  ChildProcess(const ChildProcess&) = delete;
  ChildProcess& operator=(const ChildProcess&) = delete;

  bool started() const { return m_pid > 0; }
  // The first line of the log containing `marker`, or "" if the process exits or the timeout
  // passes first.
  std::string wait_for_line(const std::string& marker, std::chrono::milliseconds timeout);
  void stop();

private:
  pid_t m_pid = -1;
  std::filesystem::path m_log;
};

// A fresh directory under the system temp dir.
std::filesystem::path make_temp_dir();

// A TCP port on 127.0.0.1 that was free a moment ago (bound to port 0, then closed).
int free_local_port();

// The project venv's python (MM_VENV, else ${XDG_DATA_HOME:-~/.local/share}/model-monitor/venv,
// as scripts/env.sh); FAILS the test when it does not exist.
std::string venv_python();

class SlackStandin {
public:
  SlackStandin(const std::filesystem::path& dir, std::string webhook_path);

  const std::string& base_url() const { return m_base_url; }
  std::string webhook_url() const { return m_base_url + m_webhook_path; }
  // POST /_control with this JSON ({"mode": ..., "count": ..., "retry_after": ...}).
  void control(const std::string& json);
  // Every webhook request received so far (JSON lines of --record).
  std::vector<nlohmann::json> records() const;

private:
  std::filesystem::path m_record;
  std::string m_webhook_path;
  std::string m_base_url;
  std::unique_ptr<ChildProcess> m_process;
};

class SmtpSink {
public:
  // env: e.g. SMTP_SINK_USER / SMTP_SINK_PASSWORD (the sink then accepts only those).
  SmtpSink(const std::filesystem::path& dir, const std::map<std::string, std::string>& env = {});

  int port() const { return m_port; }
  // The stored messages (*.eml), oldest first.
  std::vector<std::filesystem::path> messages() const;

private:
  std::filesystem::path m_spool;
  int m_port = 0;
  std::unique_ptr<ChildProcess> m_process;
};

// A stored message parsed by Python's email package (an independent RFC 5322/2047/2045
// implementation): {"subject", "from", "to", "message_id", "date", "content_type", "charset",
// "cte", "envelope_from", "envelope_to", "auth_user", "body" (decoded, "\n" line ends),
// "header_names" (in order), "defects"}.
nlohmann::json parse_email(const std::filesystem::path& eml);

std::string read_file(const std::filesystem::path& path);

// Base fixture: a temp dir per test, removed when the test passed (kept and printed otherwise).
class NotifyTest : public ::testing::Test {
protected:
  void SetUp() override;
  void TearDown() override;
  const std::filesystem::path& dir() const { return m_dir; }

private:
  std::filesystem::path m_dir;
};

} // namespace mm::test
