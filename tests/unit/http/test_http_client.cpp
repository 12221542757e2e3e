// HttpClient against real servers on 127.0.0.1 (ephemeral ports). Sleeps are injected and
// recorded, so retry schedules are checked without waiting for them.

#include "adapters/http/http_client.hpp"
#include "unit/http/local_server.hpp"

#include <gtest/gtest.h>

#include <atomic>
#include <mutex>
#include <vector>

namespace mm {
namespace {

using std::chrono::milliseconds;
using test::LocalServer;
using test::RawServer;

// Records the delays the client asked to sleep, without sleeping.
struct SleepLog {
  std::mutex mutex;
  std::vector<milliseconds> delays;

  RetryHooks hooks(double random_unit = 0.5) {
    return RetryHooks{[this](Millis d) {
                        const std::lock_guard lock(mutex);
                        delays.push_back(d);
                      },
                      [random_unit] { return random_unit; }};
  }
};

HttpOptions fast_options() {
  HttpOptions o;
  o.connect_timeout_ms = 2000;
  o.total_timeout_ms = 5000;
  return o;
}

TEST(HttpClient, GetReturnsBodyStatusAndHeaders) {
  LocalServer s;
  std::string seen_auth;
  std::string seen_agent;
  s.server().Get("/hello", [&](const httplib::Request& req, httplib::Response& res) {
    seen_auth = req.get_header_value("Authorization");
    seen_agent = req.get_header_value("User-Agent");
    res.set_header("Retry-After", "5");
    res.set_content(R"({"ok":true})", "application/json");
  });
  HttpClient client(fast_options());
  HttpRequest req = HttpRequest::get(s.url("/hello"));
  req.headers.emplace_back("Authorization", "Bearer t0ken");
  auto r = client.send(req);
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, R"({"ok":true})");
  EXPECT_EQ(r->content_type(), "application/json");
  EXPECT_EQ(r->retry_after(), "5");
  EXPECT_EQ(r->header("CONTENT-TYPE"), "application/json");
  EXPECT_EQ(r->header("x-nope"), std::nullopt);
  EXPECT_EQ(seen_auth, "Bearer t0ken");
  EXPECT_EQ(seen_agent, "model-monitor");
  EXPECT_EQ(client.last_attempts(), 1);
}

TEST(HttpClient, PostPutDeleteSendMethodAndBody) {
  LocalServer s;
  std::vector<std::string> seen;
  const auto record = [&](const httplib::Request& req, httplib::Response& res) {
    seen.push_back(req.method + " " + req.body + " " + req.get_header_value("Content-Type"));
    res.set_content("{}", "application/json");
  };
  s.server().Post("/x", record);
  s.server().Put("/x", record);
  s.server().Delete("/x", record);
  HttpClient client(fast_options());
  ASSERT_TRUE(client.send(HttpRequest::post_json(s.url("/x"), R"({"a":1})", false)).ok());
  ASSERT_TRUE(
      client.send({HttpMethod::put, s.url("/x"), "m 1", {{"Content-Type", "text/plain"}}, true})
          .ok());
  ASSERT_TRUE(client.send({HttpMethod::delete_, s.url("/x"), "", {}, true}).ok());
  ASSERT_EQ(seen.size(), 3U);
  EXPECT_EQ(seen[0], R"(POST {"a":1} application/json)");
  EXPECT_EQ(seen[1], "PUT m 1 text/plain");
  EXPECT_EQ(seen[2], "DELETE  ");
}

TEST(HttpClient, LargePostBodyArrivesWhole) {
  LocalServer s;
  std::size_t received = 0;
  s.server().Post("/big", [&](const httplib::Request& req, httplib::Response& res) {
    received = req.body.size();
    res.status = 204;
  });
  HttpClient client(fast_options());
  const std::string body(3 * 1024 * 1024, 'x');
  auto r = client.send(HttpRequest::post_json(s.url("/big"), body, false));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 204);
  EXPECT_EQ(received, body.size());
}

TEST(HttpClient, NonSuccessStatusIsAResponseNotAnError) {
  LocalServer s;
  s.server().Get("/missing", [](const httplib::Request&, httplib::Response& res) {
    res.status = 404;
    res.set_content(R"({"error_code":"RESOURCE_DOES_NOT_EXIST","message":"nope"})",
                    "application/json");
  });
  HttpClient client(fast_options());
  auto r = client.send(HttpRequest::get(s.url("/missing")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 404);
  EXPECT_FALSE(r->is_success());
  EXPECT_EQ(client.last_attempts(), 1);
}

TEST(HttpClient, RedirectIsReturnedNotFollowed) {
  LocalServer s;
  s.server().Get("/old",
                 [](const httplib::Request&, httplib::Response& res) { res.set_redirect("/new"); });
  HttpClient client(fast_options());
  auto r = client.send(HttpRequest::get(s.url("/old")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 302);
  EXPECT_EQ(r->header("location"), "/new");
}

TEST(HttpClient, RetriesA503ThenSucceeds) {
  LocalServer s;
  std::atomic<int> calls{0};
  s.server().Get("/flaky", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls == 1) {
      res.status = 503;
      return;
    }
    res.set_content("fine", "text/plain");
  });
  SleepLog log;
  HttpClient client(fast_options(), log.hooks());
  auto r = client.send(HttpRequest::get(s.url("/flaky")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(r->body, "fine");
  EXPECT_EQ(calls, 2);
  EXPECT_EQ(client.last_attempts(), 2);
  EXPECT_EQ(log.delays, std::vector<milliseconds>{milliseconds(0)}); // urllib3: first retry at once
}

TEST(HttpClient, EveryRetryableStatusIsRetried) {
  for (const int status : {408, 429, 500, 502, 503, 504}) {
    LocalServer s;
    std::atomic<int> calls{0};
    s.server().Get("/x", [&](const httplib::Request&, httplib::Response& res) {
      res.status = ++calls == 1 ? status : 200;
    });
    SleepLog log;
    HttpClient client(fast_options(), log.hooks());
    auto r = client.send(HttpRequest::get(s.url("/x")));
    ASSERT_TRUE(r.ok()) << status;
    EXPECT_EQ(r->status, 200) << status;
    EXPECT_EQ(calls, 2) << status;
  }
}

TEST(HttpClient, ExhaustedRetriesAreUnavailableWithTheBackoffSchedule) {
  LocalServer s;
  std::atomic<int> calls{0};
  s.server().Get("/down", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 503;
    res.set_content(R"({"error_code":"TEMPORARILY_UNAVAILABLE","message":"busy"})",
                    "application/json");
  });
  SleepLog log;
  HttpOptions o = fast_options();
  o.max_retries = 3;
  HttpClient client(o, log.hooks(0.5));
  auto r = client.send(HttpRequest::get(s.url("/down")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable);
  EXPECT_NE(r.error().message.find("503"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("4 attempts"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("TEMPORARILY_UNAVAILABLE"), std::string::npos);
  EXPECT_NE(r.error().message.find(s.url("/down")), std::string::npos);
  EXPECT_EQ(calls, 4);
  EXPECT_EQ(log.delays,
            (std::vector<milliseconds>{milliseconds(0), milliseconds(4500), milliseconds(8500)}));
}

TEST(HttpClient, Exhausted408IsATimeout) {
  LocalServer s;
  s.server().Get("/x", [](const httplib::Request&, httplib::Response& res) { res.status = 408; });
  SleepLog log;
  HttpOptions o = fast_options();
  o.max_retries = 1;
  HttpClient client(o, log.hooks());
  auto r = client.send(HttpRequest::get(s.url("/x")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
}

TEST(HttpClient, HonoursRetryAfterOn429) {
  LocalServer s;
  std::atomic<int> calls{0};
  s.server().Get("/limited", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls <= 2) {
      res.status = 429;
      res.set_header("Retry-After", calls == 1 ? "3" : "1");
      return;
    }
    res.set_content("ok", "text/plain");
  });
  SleepLog log;
  HttpClient client(fast_options(), log.hooks());
  auto r = client.send(HttpRequest::get(s.url("/limited")));
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(log.delays, (std::vector<milliseconds>{milliseconds(3000), milliseconds(1000)}));
}

TEST(HttpClient, RetryAfterIsCappedAtMaxBackoff) {
  LocalServer s;
  std::atomic<int> calls{0};
  s.server().Get("/limited", [&](const httplib::Request&, httplib::Response& res) {
    if (++calls == 1) {
      res.status = 503;
      res.set_header("Retry-After", "86400");
      return;
    }
    res.status = 200;
  });
  SleepLog log;
  HttpOptions o = fast_options();
  o.max_backoff_ms = 10000;
  HttpClient client(o, log.hooks());
  ASSERT_TRUE(client.send(HttpRequest::get(s.url("/limited"))).ok());
  EXPECT_EQ(log.delays, std::vector<milliseconds>{milliseconds(10000)});
}

TEST(HttpClient, NonIdempotentPostIsNotResentAfterAnAnswer) {
  LocalServer s;
  std::atomic<int> calls{0};
  s.server().Post("/create", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    res.status = 503;
  });
  SleepLog log;
  HttpClient client(fast_options(), log.hooks());
  auto r = client.send(HttpRequest::post_json(s.url("/create"), "{}", false));
  ASSERT_TRUE(r.ok()) << r.error().message; // the caller decides what a 503 means
  EXPECT_EQ(r->status, 503);
  EXPECT_EQ(calls, 1);
  EXPECT_TRUE(log.delays.empty());
}

TEST(HttpClient, IdempotentPostIsRetried) {
  LocalServer s;
  std::atomic<int> calls{0};
  s.server().Post("/search", [&](const httplib::Request&, httplib::Response& res) {
    res.status = ++calls == 1 ? 502 : 200;
  });
  SleepLog log;
  HttpClient client(fast_options(), log.hooks());
  auto r = client.send(HttpRequest::post_json(s.url("/search"), "{}", true));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
  EXPECT_EQ(calls, 2);
}

TEST(HttpClient, SlowAnswerIsATimeoutAndIdempotentGetIsRetried) {
  LocalServer s;
  std::atomic<int> calls{0};
  s.server().Get("/slow", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    s.slow_sleep(milliseconds(3000));
    res.status = 200;
  });
  SleepLog log;
  HttpOptions o = fast_options();
  o.total_timeout_ms = 300;
  o.max_retries = 1;
  HttpClient client(o, log.hooks());
  auto r = client.send(HttpRequest::get(s.url("/slow")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::timeout) << r.error().message;
  EXPECT_NE(r.error().message.find(s.url("/slow")), std::string::npos);
  EXPECT_EQ(client.last_attempts(), 2);
}

TEST(HttpClient, SlowAnswerToNonIdempotentPostIsNotResent) {
  LocalServer s;
  std::atomic<int> calls{0};
  s.server().Get("/fast",
                 [](const httplib::Request&, httplib::Response& res) { res.status = 200; });
  s.server().Post("/slow", [&](const httplib::Request&, httplib::Response& res) {
    ++calls;
    s.slow_sleep(milliseconds(3000));
    res.status = 200;
  });
  SleepLog log;
  HttpOptions o = fast_options();
  o.total_timeout_ms = 300;
  HttpClient client(o, log.hooks());
  // First a request that leaves a kept-alive connection, so the POST reuses it: "was the request
  // sent" must not depend on a fresh connect.
  ASSERT_TRUE(client.send(HttpRequest::get(s.url("/fast"))).ok());
  auto r = client.send(HttpRequest::post_json(s.url("/slow"), "{}", false));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::timeout);
  EXPECT_EQ(client.last_attempts(), 1);
  EXPECT_TRUE(log.delays.empty());
  // And on a fresh client (new connection) too.
  HttpClient fresh(o, log.hooks());
  r = fresh.send(HttpRequest::post_json(s.url("/slow"), "{}", false));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(fresh.last_attempts(), 1);
}

TEST(HttpClient, ClosedPortIsUnavailableAfterRetriesAndNamesTheUrl) {
  const int port = test::closed_port();
  const std::string url = "http://127.0.0.1:" + std::to_string(port) + "/api/2.0/mlflow/x";
  SleepLog log;
  HttpOptions o = fast_options();
  o.max_retries = 2;
  HttpClient client(o, log.hooks(0.0));
  // Even a non-idempotent request is retried: a refused connect proves it never left.
  auto r = client.send(HttpRequest::post_json(url, "{}", false));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable);
  EXPECT_NE(r.error().message.find(url), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("cannot connect"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("3 attempts"), std::string::npos) << r.error().message;
  EXPECT_EQ(log.delays, (std::vector<milliseconds>{milliseconds(0), milliseconds(4000)}));
}

TEST(HttpClient, CredentialsInTheUrlAreMaskedInErrors) {
  const int port = test::closed_port();
  const std::string url =
      "http://alice:hunter2@127.0.0.1:" + std::to_string(port) + "/x?token=abc123";
  HttpOptions o = fast_options();
  o.max_retries = 0;
  HttpClient client(o);
  auto r = client.send(HttpRequest::get(url));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().message.find("hunter2"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("alice"), std::string::npos) << r.error().message;
  EXPECT_EQ(r.error().message.find("abc123"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find("***:***@127.0.0.1"), std::string::npos) << r.error().message;
}

TEST(HttpClient, UnresolvableHostIsUnavailable) {
  HttpOptions o = fast_options();
  o.max_retries = 0;
  HttpClient client(o);
  // ".invalid" never resolves (RFC 6761 §6.4), so no query leaves this machine for an answer.
  auto r = client.send(HttpRequest::get("http://mlflow.invalid:5000/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable) << r.error().message;
  EXPECT_NE(r.error().message.find("mlflow.invalid"), std::string::npos);
}

TEST(HttpClient, MalformedUrlIsAConfigError) {
  HttpClient client(fast_options());
  for (const char* url : {"ftp://127.0.0.1/x", "http://[::1/x", "::nonsense"}) {
    auto r = client.send(HttpRequest::get(url));
    ASSERT_FALSE(r.ok()) << url;
    EXPECT_EQ(r.error().kind, ErrorKind::config) << url << ": " << r.error().message;
  }
}

TEST(HttpClient, HugeBodyWithContentLengthIsRefused) {
  LocalServer s;
  s.server().Get("/huge", [](const httplib::Request&, httplib::Response& res) {
    res.set_content(std::string(2 * 1024 * 1024, 'a'), "text/plain");
  });
  HttpOptions o = fast_options();
  o.max_body_bytes = 1024 * 1024;
  HttpClient client(o);
  auto r = client.send(HttpRequest::get(s.url("/huge")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("1048576"), std::string::npos) << r.error().message;
  EXPECT_EQ(client.last_attempts(), 1);
}

TEST(HttpClient, HugeChunkedBodyIsRefused) {
  LocalServer s;
  s.server().Get("/stream", [](const httplib::Request&, httplib::Response& res) {
    res.set_chunked_content_provider("text/plain", [](std::size_t offset, httplib::DataSink& sink) {
      if (offset >= 4U * 1024U * 1024U) {
        sink.done();
        return true;
      }
      const std::string chunk(64 * 1024, 'b');
      return sink.write(chunk.data(), chunk.size());
    });
  });
  HttpOptions o = fast_options();
  o.max_body_bytes = 1024 * 1024;
  HttpClient client(o);
  auto r = client.send(HttpRequest::get(s.url("/stream")));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response) << r.error().message;
  // Just under the limit is fine.
  o.max_body_bytes = 4U * 1024U * 1024U;
  HttpClient roomy(o);
  auto ok = roomy.send(HttpRequest::get(s.url("/stream")));
  ASSERT_TRUE(ok.ok()) << ok.error().message;
  EXPECT_EQ(ok->body.size(), 4U * 1024U * 1024U);
}

TEST(HttpClient, MalformedHttpReplyIsABadResponse) {
  for (const char* reply : {"this is not HTTP at all\r\n\r\n", "HTTP/1.1 abc\r\n\r\n",
                            "HTTP/1.1 200 OK\r\nContent-Length: nonsense\r\n\r\nxx"}) {
    RawServer raw(reply);
    HttpClient client(fast_options());
    auto r = client.send(HttpRequest::get(raw.url()));
    ASSERT_FALSE(r.ok()) << reply;
    EXPECT_EQ(r.error().kind, ErrorKind::bad_response) << reply << ": " << r.error().message;
    EXPECT_EQ(raw.connections(), 1) << reply;
  }
}

TEST(HttpClient, EmptyReplyIsRetriedForIdempotentOnly) {
  RawServer raw(""); // reads the request and closes: "Empty reply from server"
  SleepLog log;
  HttpOptions o = fast_options();
  o.max_retries = 2;
  HttpClient client(o, log.hooks());
  auto r = client.send(HttpRequest::get(raw.url()));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable) << r.error().message;
  EXPECT_EQ(client.last_attempts(), 3);

  HttpClient once(o, log.hooks());
  r = once.send(HttpRequest::post_json(raw.url(), "{}", false));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(once.last_attempts(), 1);
}

TEST(HttpClient, HeaderInjectionIsRefused) {
  HttpClient client(fast_options());
  HttpRequest req = HttpRequest::get("http://127.0.0.1:1/");
  req.headers.emplace_back("X-Evil", "a\r\nHost: elsewhere");
  auto r = client.send(req);
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::internal);
}

TEST(HttpClient, TlsToAPlainServerIsUnavailableWithAHint) {
  LocalServer s;
  s.server().Get("/", [](const httplib::Request&, httplib::Response& res) { res.status = 200; });
  HttpOptions o = fast_options();
  o.max_retries = 0;
  HttpClient client(o);
  auto r = client.send(HttpRequest::get("https://127.0.0.1:" + std::to_string(s.port()) + "/"));
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable) << r.error().message;
  EXPECT_NE(r.error().message.find("TLS"), std::string::npos) << r.error().message;
}

TEST(HttpClient, KeepsTheConnectionAlive) {
  LocalServer s;
  std::vector<int> ports;
  std::mutex m;
  s.server().Get("/", [&](const httplib::Request& req, httplib::Response& res) {
    const std::lock_guard lock(m);
    ports.push_back(req.remote_port);
    res.status = 200;
  });
  HttpClient client(fast_options());
  for (int i = 0; i < 3; ++i) {
    ASSERT_TRUE(client.send(HttpRequest::get(s.url("/"))).ok());
  }
  ASSERT_EQ(ports.size(), 3U);
  EXPECT_EQ(ports[0], ports[1]);
  EXPECT_EQ(ports[1], ports[2]);
}

TEST(HttpClient, MovedClientStillWorks) {
  LocalServer s;
  s.server().Get("/", [](const httplib::Request&, httplib::Response& res) { res.status = 200; });
  HttpClient a(fast_options());
  HttpClient b(std::move(a));
  auto r = b.send(HttpRequest::get(s.url("/")));
  ASSERT_TRUE(r.ok());
  EXPECT_EQ(r->status, 200);
}

} // namespace
} // namespace mm
