// TLS certificate verification is on by default (issue 5 item 9): an https:// server with a
// self-signed certificate is refused, with a message that says the certificate could not be
// verified, and no request (so no credential) reaches it. The certificate is made at test time
// with the openssl CLI (Debian's openssl, a dependency of ca-certificates) for 127.0.0.1, and
// served by cpp-httplib's SSLServer (Debian's libcpp-httplib is built with OpenSSL).
// The positive control trusts the same certificate through HttpOptions::ca_bundle: the server
// works, so the refusal is the verification's.
#include "adapters/http/http_client.hpp"
#include "integration/notify/notify_fixture.hpp"
#include "integration/secrets/leak_scan.hpp"
#include "integration/secrets/secrets_fixture.hpp"
#include "support/process.hpp"

#include <httplib.h>

#include <gtest/gtest.h>

#include <atomic>
#include <chrono>
#include <filesystem>
#include <memory>
#include <thread>

namespace mm::test {
namespace {

namespace fs = std::filesystem;

class SelfSignedServer {
public:
  explicit SelfSignedServer(const fs::path& dir) {
    m_cert = dir / "cert.pem";
    const fs::path key = dir / "key.pem";
    const ProcessResult made = run_process(
        {"openssl", "req", "-x509", "-newkey", "ec", "-pkeyopt", "ec_paramgen_curve:prime256v1",
         "-nodes", "-keyout", key.string(), "-out", m_cert.string(), "-days", "2", "-subj",
         "/CN=127.0.0.1", "-addext", "subjectAltName=IP:127.0.0.1"});
    if (made.exit_code != 0) {
      ADD_FAILURE() << "openssl could not make a self-signed certificate (install openssl): "
                    << made.err;
      return;
    }
    m_server = std::make_unique<httplib::SSLServer>(m_cert.c_str(), key.c_str());
    if (!m_server->is_valid()) {
      ADD_FAILURE() << "cpp-httplib could not load " << m_cert << " and " << key;
      m_server.reset();
      return;
    }
    m_server->Get(".*", [this](const httplib::Request&, httplib::Response& res) {
      ++m_requests;
      res.set_content(R"({"experiment": {}})", "application/json");
    });
    m_port = m_server->bind_to_any_port("127.0.0.1");
    m_thread = std::thread([this] { m_server->listen_after_bind(); });
  }
  ~SelfSignedServer() {
    if (m_server) {
      for (int i = 0; i < 2000 && !m_server->is_running(); ++i) {
        std::this_thread::sleep_for(std::chrono::milliseconds(1));
      }
      m_server->stop();
      m_thread.join();
    }
  }
  SelfSignedServer(const SelfSignedServer&) = delete;
  SelfSignedServer& operator=(const SelfSignedServer&) = delete;

  bool ok() const { return m_server != nullptr && m_port > 0; }
  std::string url(const std::string& path = "/") const {
    return "https://127.0.0.1:" + std::to_string(m_port) + path;
  }
  int port() const { return m_port; }
  const fs::path& cert() const { return m_cert; }
  int requests() const { return m_requests; }

private:
  fs::path m_cert;
  std::unique_ptr<httplib::SSLServer> m_server;
  std::thread m_thread;
  int m_port = 0;
  std::atomic<int> m_requests{0};
};

class TlsVerification : public NotifyTest {
protected:
  static HttpOptions options() {
    HttpOptions o; // the defaults every adapter starts from
    o.connect_timeout_ms = 3000;
    o.total_timeout_ms = 5000;
    o.max_retries = 0;
    return o;
  }
};

TEST_F(TlsVerification, SelfSignedCertificateIsRefusedByDefault) {
  SelfSignedServer server(dir());
  ASSERT_TRUE(server.ok());
  ASSERT_TRUE(HttpOptions{}.verify_tls);
  HttpClient client(options());
  auto r = client.send(HttpRequest::get(server.url("/api/2.0/mlflow/experiments/get")));
  ASSERT_FALSE(r.ok()) << "an unverifiable certificate was accepted";
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable) << r.error().message;
  EXPECT_NE(r.error().message.find("TLS failure"), std::string::npos) << r.error().message;
  // libcurl/OpenSSL: "SSL certificate problem: self-signed certificate".
  EXPECT_NE(r.error().message.find("certificate"), std::string::npos) << r.error().message;
  EXPECT_EQ(server.requests(), 0) << "a request reached a server that was not verified";
}

TEST_F(TlsVerification, TheSameServerIsTrustedWithItsCertificateAsCaBundle) {
  SelfSignedServer server(dir());
  ASSERT_TRUE(server.ok());
  HttpOptions o = options();
  o.ca_bundle = server.cert().string();
  HttpClient client(o);
  auto r = client.send(HttpRequest::get(server.url("/api/2.0/mlflow/experiments/get")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(server.requests(), 1);
}

TEST_F(TlsVerification, BinaryRefusesAnUnverifiedMlflowAndSendsItNoCredential) {
  SelfSignedServer server(dir());
  ASSERT_TRUE(server.ok());
  const std::string tracking_uri =
      with_userinfo(server.url(""), k_mlflow_user, k_mlflow_uri_password);
  const ProcessResult r =
      run_process({"timeout", "60", MM_BINARY, "check", "--specialist-type", "technical",
                   "--output-format", "json"},
                  {{"MLFLOW_TRACKING_URI", tracking_uri},
                   {"MLFLOW_TRACKING_TOKEN", k_mlflow_token},
                   {"MLFLOW_HTTP_REQUEST_MAX_RETRIES", "0"},
                   {"MONGODB_URI", "mongodb://127.0.0.1:" + std::to_string(closed_local_port()) +
                                       "/?serverSelectionTimeoutMS=500"},
                   {"PROMETHEUS_PUSHGATEWAY_URL", std::nullopt},
                   {"LOG_FORMAT", "json"}});
  EXPECT_EQ(r.exit_code, 3) << r.out << r.err;
  EXPECT_NE((r.out + r.err).find("certificate"), std::string::npos) << r.out << r.err;
  EXPECT_EQ(server.requests(), 0) << "a request reached a server that was not verified";
  const auto leaks = find_leaks(planted_secrets(std::string("http://127.0.0.1:1") + k_slack_path),
                                {{"stdout", r.out}, {"stderr", r.err}});
  EXPECT_TRUE(leaks.empty()) << describe(leaks);
}

} // namespace
} // namespace mm::test
