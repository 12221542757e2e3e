#include "integration/notify/notify_fixture.hpp"

#include "support/process.hpp"

#include <curl/curl.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <fstream>
#include <iostream>
#include <sstream>
#include <thread>

namespace mm::test {

namespace fs = std::filesystem;
using namespace std::chrono_literals;

namespace {

const fs::path k_source_dir = MM_SOURCE_DIR;

struct CurlDeleter {
  void operator()(CURL* h) const noexcept { curl_easy_cleanup(h); }
};
struct SlistDeleter {
  void operator()(curl_slist* l) const noexcept { curl_slist_free_all(l); }
};

} // namespace

ChildProcess::ChildProcess(const std::vector<std::string>& argv,
                           const std::map<std::string, std::string>& env, const fs::path& log)
    : m_log(log) {
  std::string error;
  m_pid = spawn_logged(argv, EnvChanges(env.begin(), env.end()), m_log, &error);
  if (m_pid <= 0) {
    m_pid = -1;
    ADD_FAILURE() << "cannot start " << argv[0] << ": " << error;
  }
}

ChildProcess::~ChildProcess() {
  stop();
}

void ChildProcess::stop() {
  if (m_pid <= 0) {
    return;
  }
  kill(m_pid, SIGTERM);
  int status = 0;
  for (int i = 0; i < 500; ++i) {
    if (waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_pid = -1;
      return;
    }
    std::this_thread::sleep_for(10ms);
  }
  kill(m_pid, SIGKILL);
  waitpid(m_pid, &status, 0);
  m_pid = -1;
}

std::string ChildProcess::wait_for_line(const std::string& marker,
                                        std::chrono::milliseconds timeout) {
  const auto deadline = std::chrono::steady_clock::now() + timeout;
  while (std::chrono::steady_clock::now() < deadline) {
    std::istringstream lines(read_file(m_log));
    for (std::string line; std::getline(lines, line);) {
      if (line.find(marker) != std::string::npos) {
        return line;
      }
    }
    int status = 0;
    if (m_pid > 0 && waitpid(m_pid, &status, WNOHANG) == m_pid) {
      m_pid = -1;
      return "";
    }
    std::this_thread::sleep_for(20ms);
  }
  return "";
}

fs::path make_temp_dir() {
  std::string tmpl = (fs::temp_directory_path() / "mm-notify-XXXXXX").string();
  if (mkdtemp(tmpl.data()) == nullptr) {
    ADD_FAILURE() << "mkdtemp failed: " << std::strerror(errno);
  }
  return tmpl;
}

int free_local_port() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof(addr);
  if (fd < 0 || bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
      getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    ADD_FAILURE() << "cannot bind a socket on 127.0.0.1";
  }
  const int port = ntohs(addr.sin_port);
  close(fd);
  return port;
}

std::string venv_python() {
  fs::path venv;
  if (const char* v = std::getenv("MM_VENV"); v != nullptr && *v != '\0') { // NOLINT
    venv = v;
  } else {
    const char* xdg = std::getenv("XDG_DATA_HOME"); // NOLINT
    const char* home = std::getenv("HOME");         // NOLINT
    const fs::path data = (xdg != nullptr && *xdg != '\0')
                              ? fs::path(xdg)
                              : fs::path(home != nullptr ? home : "/") / ".local/share";
    venv = data / "model-monitor/venv";
  }
  const fs::path python = venv / "bin/python";
  if (!fs::exists(python)) {
    ADD_FAILURE() << "no Python at " << python
                  << ": the SMTP tests run scripts/smtp_sink.py with the project's venv "
                     "(aiosmtpd); run scripts/setup.sh or set MM_VENV";
  }
  return python.string();
}

std::string read_file(const fs::path& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

SlackStandin::SlackStandin(const fs::path& dir, std::string webhook_path)
    : m_record(dir / "slack-requests.jsonl"), m_webhook_path(std::move(webhook_path)) {
  m_process = std::make_unique<ChildProcess>(
      std::vector<std::string>{"python3", (k_source_dir / "scripts/slack_standin.py").string(),
                               "--port", "0", "--path", m_webhook_path, "--record",
                               m_record.string()},
      std::map<std::string, std::string>{}, dir / "slack-standin.log");
  const std::string line = m_process->wait_for_line("listening on ", 15s);
  const auto at = line.find("http://");
  if (at == std::string::npos) {
    ADD_FAILURE() << "the Slack stand-in did not start; log: "
                  << read_file(dir / "slack-standin.log");
    return;
  }
  m_base_url = line.substr(at);
}

void SlackStandin::control(const std::string& json) {
  std::unique_ptr<CURL, CurlDeleter> h(curl_easy_init());
  std::unique_ptr<curl_slist, SlistDeleter> headers(
      curl_slist_append(nullptr, "Content-Type: application/json"));
  const std::string url = m_base_url + "/_control";
  curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_POSTFIELDS, json.c_str());
  curl_easy_setopt(h.get(), CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(
      h.get(), CURLOPT_WRITEFUNCTION,
      +[](char*, std::size_t size, std::size_t n, void*) { return size * n; });
  const CURLcode rc = curl_easy_perform(h.get());
  long status = 0;
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &status);
  ASSERT_EQ(rc, CURLE_OK) << curl_easy_strerror(rc);
  ASSERT_EQ(status, 200) << "control request refused: " << json;
}

std::vector<nlohmann::json> SlackStandin::records() const {
  std::vector<nlohmann::json> out;
  std::istringstream lines(read_file(m_record));
  for (std::string line; std::getline(lines, line);) {
    if (!line.empty()) {
      out.push_back(nlohmann::json::parse(line));
    }
  }
  return out;
}

SmtpSink::SmtpSink(const fs::path& dir, const std::map<std::string, std::string>& env)
    : m_spool(dir / "spool"), m_port(free_local_port()) {
  m_process = std::make_unique<ChildProcess>(
      std::vector<std::string>{venv_python(), (k_source_dir / "scripts/smtp_sink.py").string(),
                               "--host", "127.0.0.1", "--port", std::to_string(m_port), "--spool",
                               m_spool.string()},
      env, dir / "smtp-sink.log");
  if (m_process->wait_for_line("listening on", 30s).empty()) {
    ADD_FAILURE() << "the SMTP sink did not start; log: " << read_file(dir / "smtp-sink.log");
  }
}

std::vector<fs::path> SmtpSink::messages() const {
  std::vector<fs::path> out;
  if (!fs::exists(m_spool)) {
    return out;
  }
  for (const auto& entry : fs::directory_iterator(m_spool)) {
    if (entry.path().extension() == ".eml") {
      out.push_back(entry.path());
    }
  }
  std::sort(out.begin(), out.end()); // names start with a UTC timestamp and a sequence number
  return out;
}

nlohmann::json parse_email(const fs::path& eml) {
  static constexpr const char* k_script = R"py(
import email, json, sys
from email import policy
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=policy.default)
body = m.get_content() if not m.is_multipart() else ""
print(json.dumps({
    "subject": str(m["Subject"]), "from": str(m["From"]), "to": str(m["To"]),
    "message_id": str(m["Message-ID"]), "date": str(m["Date"]),
    "content_type": m.get_content_type(), "charset": m.get_content_charset(),
    "cte": str(m["Content-Transfer-Encoding"]),
    "envelope_from": str(m["X-Envelope-From"]), "envelope_to": str(m["X-Envelope-To"]),
    "auth_user": m["X-Auth-User"] and str(m["X-Auth-User"]),
    "body": body.replace("\r\n", "\n"),
    "header_names": list(m.keys()),
    "defects": [repr(d) for d in m.defects],
}))
)py";
  const ProcessResult r = run_process({venv_python(), "-c", k_script, eml.string()});
  if (r.exit_code != 0) {
    ADD_FAILURE() << "parsing " << eml << " with Python's email package failed: " << r.err;
    return nlohmann::json::object();
  }
  return nlohmann::json::parse(r.out);
}

void NotifyTest::SetUp() {
  m_dir = make_temp_dir();
}

void NotifyTest::TearDown() {
  if (HasFailure()) {
    std::cerr << "kept the test's files in " << m_dir << "\n";
  } else {
    std::error_code ec;
    fs::remove_all(m_dir, ec);
  }
}

} // namespace mm::test
