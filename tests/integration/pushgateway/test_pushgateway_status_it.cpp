// GET /api/v1/status of real Pushgateways: the one of scripts/services.sh (Debian's defaults:
// consistency check on) and one this test starts with --push.disable-consistency-check.
#include "adapters/pushgateway/pushgateway_sink.hpp"
#include "adapters/pushgateway/pushgateway_status.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <filesystem>
#include <string>
#include <thread>

namespace mm {
namespace {

// A port nobody listens on right now (bound to 0, read back, released).
int free_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 0;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd);
  return port;
}

// A second Pushgateway, without its consistency check, stopped on destruction.
class PushgatewayWithoutConsistencyCheck {
public:
  PushgatewayWithoutConsistencyCheck() {
    const int port = free_port();
    m_url = "http://127.0.0.1:" + std::to_string(port);
    m_log = std::filesystem::temp_directory_path() /
            ("mm-pushgateway-" + std::to_string(::getpid()) + ".log");
    const pid_t pid = test::spawn_logged({"/usr/bin/prometheus-pushgateway",
                                          "--web.listen-address=127.0.0.1:" + std::to_string(port),
                                          "--persistence.file=", "--push.disable-consistency-check",
                                          "--log.level=warn"},
                                         {}, m_log);
    m_pid = pid > 0 ? pid : 0;
  }
  ~PushgatewayWithoutConsistencyCheck() {
    if (m_pid > 0) {
      ::kill(m_pid, SIGTERM);
      int status = 0;
      ::waitpid(m_pid, &status, 0);
    }
    std::error_code ignored;
    std::filesystem::remove(m_log, ignored);
  }
  PushgatewayWithoutConsistencyCheck(const PushgatewayWithoutConsistencyCheck&) = delete;
  PushgatewayWithoutConsistencyCheck& operator=(const PushgatewayWithoutConsistencyCheck&) = delete;

  bool started() const { return m_pid > 0; }
  const std::string& url() const { return m_url; }
  const std::filesystem::path& log() const { return m_log; }

private:
  pid_t m_pid = 0;
  std::string m_url;
  std::filesystem::path m_log;
};

TEST(PushgatewayStatusIT, TheServicesPushgatewayChecksConsistency) {
  const std::string base = test::require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
  auto status = read_pushgateway_status(base, pushgateway_http_options());
  ASSERT_TRUE(status.ok()) << status.error().message;
  EXPECT_TRUE(status->consistency_check);
  EXPECT_FALSE(status->version.empty());
  // A trailing slash in the configured URL changes nothing.
  auto again = read_pushgateway_status(base + "/", pushgateway_http_options());
  ASSERT_TRUE(again.ok()) << again.error().message;
  EXPECT_TRUE(again->consistency_check);
}

TEST(PushgatewayStatusIT, APushgatewayRunWithTheFlagSaysSo) {
  PushgatewayWithoutConsistencyCheck pushgateway;
  ASSERT_TRUE(pushgateway.started()) << "could not start /usr/bin/prometheus-pushgateway";
  Result<PushgatewayStatus> status = Error::unavailable("not asked yet");
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(20);
  while (std::chrono::steady_clock::now() < deadline) {
    status = read_pushgateway_status(pushgateway.url(), pushgateway_http_options());
    if (status.ok() || status.error().kind != ErrorKind::unavailable) {
      break;
    }
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
  }
  ASSERT_TRUE(status.ok()) << status.error().message << "; its log: " << pushgateway.log();
  EXPECT_FALSE(status->consistency_check);
  EXPECT_FALSE(consistency_check_is_costly(100000, *status));
}

TEST(PushgatewayStatusIT, UnreachablePushgatewayIsUnavailableNamingTheUrl) {
  const std::string url = "http://user:s3cret@127.0.0.1:" + std::to_string(free_port());
  auto status = read_pushgateway_status(url, pushgateway_http_options());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::unavailable);
  EXPECT_NE(status.error().message.find("/api/v1/status"), std::string::npos)
      << status.error().message;
  EXPECT_EQ(status.error().message.find("s3cret"), std::string::npos) << status.error().message;
}

TEST(PushgatewayStatusIT, AnotherServerAtThatUrlIsABadResponse) {
  // A URL that is not a Pushgateway's root (here a path below it) answers something else.
  const std::string base = test::require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
  auto status = read_pushgateway_status(base + "/metrics", pushgateway_http_options());
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.error().kind, ErrorKind::bad_response) << status.error().message;
}

} // namespace
} // namespace mm
