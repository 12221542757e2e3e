// The fault proxy itself, against the real MLflow server (HTTP) and FerretDB (MongoDB wire
// protocol): each fault does what the scenarios rely on, so a scenario that passes does so
// because of the fault it names.
#include "integration/faults/fault_proxy.hpp"
#include "integration/faults/wire_framing.hpp"
#include "support/mongo_fixture.hpp"
#include "support/process.hpp"

#include <curl/curl.h>
#include <gtest/gtest.h>

#include <chrono>
#include <memory>
#include <string>

namespace mm::test {
namespace {

using namespace std::chrono;

struct Fetched {
  CURLcode code = CURLE_OK;
  long status = 0;
  std::string body;
  std::string retry_after;
};

std::size_t on_body(char* data, std::size_t size, std::size_t count, void* user) {
  static_cast<std::string*>(user)->append(data, size * count);
  return size * count;
}

std::size_t on_header(char* data, std::size_t size, std::size_t count, void* user) {
  const std::string line(data, size * count);
  if (line.rfind("Retry-After:", 0) == 0) {
    *static_cast<std::string*>(user) = line.substr(13, line.find('\r') - 13);
  }
  return size * count;
}

// One GET with a fresh connection, bounded by timeout.
Fetched get(const std::string& url, milliseconds timeout = milliseconds(5000)) {
  Fetched f;
  std::unique_ptr<CURL, decltype(&curl_easy_cleanup)> h(curl_easy_init(), &curl_easy_cleanup);
  curl_easy_setopt(h.get(), CURLOPT_URL, url.c_str());
  curl_easy_setopt(h.get(), CURLOPT_TIMEOUT_MS, static_cast<long>(timeout.count()));
  curl_easy_setopt(h.get(), CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(h.get(), CURLOPT_WRITEFUNCTION, &on_body);
  curl_easy_setopt(h.get(), CURLOPT_WRITEDATA, &f.body);
  curl_easy_setopt(h.get(), CURLOPT_HEADERFUNCTION, &on_header);
  curl_easy_setopt(h.get(), CURLOPT_HEADERDATA, &f.retry_after);
  f.code = curl_easy_perform(h.get());
  curl_easy_getinfo(h.get(), CURLINFO_RESPONSE_CODE, &f.status);
  return f;
}

// --- framing (no service needed) -----------------------------------------------------------

TEST(FaultProxyFraming, HttpRequestWithContentLengthOrChunkedBody) {
  const std::string get = "GET /health?x=1 HTTP/1.1\r\nHost: h\r\n\r\n";
  const auto framed = wire::http_request(get + "POST /next");
  ASSERT_TRUE(framed);
  EXPECT_EQ(framed->size, get.size());
  EXPECT_EQ(framed->label, "GET /health?x=1");
  const std::string post = "POST /a HTTP/1.1\r\ncontent-length: 4\r\n\r\nbody";
  EXPECT_FALSE(wire::http_request(post.substr(0, post.size() - 1))) << "body incomplete";
  EXPECT_EQ(wire::http_request(post)->size, post.size());
  const std::string chunked =
      "POST /c HTTP/1.1\r\nTransfer-Encoding: chunked\r\n\r\n4\r\nbody\r\n0\r\n\r\n";
  EXPECT_FALSE(wire::http_request(chunked.substr(0, chunked.size() - 2)));
  EXPECT_EQ(wire::http_request(chunked)->size, chunked.size());
}

TEST(FaultProxyFraming, MongoMessageLabelIsTheCommandAndCollection) {
  mongo::BsonPtr command(bson_new());
  BSON_APPEND_UTF8(command.get(), "find", "specialist_feedback");
  BSON_APPEND_UTF8(command.get(), "$db", "neural_hive");
  std::string body(4, '\0'); // flagBits
  body += '\0';              // section kind 0: the command document
  body.append(reinterpret_cast<const char*>(bson_get_data(command.get())), command->len);
  const auto total = static_cast<std::uint32_t>(16 + body.size());
  std::string msg;
  for (const std::uint32_t v : {total, 7U, 0U, 2013U}) { // length, requestID, responseTo, OP_MSG
    for (int i = 0; i < 4; ++i) {
      msg += static_cast<char>((v >> (8 * i)) & 0xFFU);
    }
  }
  msg += body;
  EXPECT_FALSE(wire::mongo_message(msg.substr(0, 10)));
  const auto framed = wire::mongo_message(msg + "next");
  ASSERT_TRUE(framed);
  EXPECT_EQ(framed->size, msg.size());
  EXPECT_EQ(framed->label, "find specialist_feedback");
  EXPECT_THROW(wire::mongo_message(std::string("\x03\0\0\0", 4)), std::runtime_error);
}

// --- the proxy against the real MLflow server and FerretDB ---------------------------------

class FaultProxyHttp : public ::testing::Test {
protected:
  void SetUp() override {
    const std::string mlflow = require_service_env("MLFLOW_TRACKING_URI");
    const auto hostport = mlflow.substr(mlflow.find("://") + 3);
    const auto colon = hostport.rfind(':');
    m_proxy = std::make_unique<FaultProxy>(hostport.substr(0, colon),
                                           std::stoi(hostport.substr(colon + 1)),
                                           FaultProxy::Protocol::http);
    m_health = m_proxy->http_url() + "/health";
  }

  std::unique_ptr<FaultProxy> m_proxy;
  std::string m_health;
};

TEST_F(FaultProxyHttp, RelaysAndCountsEveryRequest) {
  for (int i = 0; i < 3; ++i) {
    const Fetched f = get(m_health);
    ASSERT_EQ(f.code, CURLE_OK) << curl_easy_strerror(f.code);
    EXPECT_EQ(f.status, 200);
    EXPECT_EQ(f.body, "OK");
  }
  EXPECT_EQ(m_proxy->request_count("GET /health"), 3);
  EXPECT_EQ(m_proxy->connection_count(), 3);
  for (const auto& r : m_proxy->requests()) {
    EXPECT_TRUE(r.relayed);
  }
}

TEST_F(FaultProxyHttp, AnswersTheNextRequestsItselfThenRelaysAgain) {
  m_proxy->answer_http(429, {{"Retry-After", "1"}}, R"({"error_code":"RATE_LIMITED"})", 2);
  for (int i = 0; i < 2; ++i) {
    const Fetched f = get(m_health);
    EXPECT_EQ(f.status, 429);
    EXPECT_EQ(f.retry_after, "1");
    EXPECT_EQ(f.body, R"({"error_code":"RATE_LIMITED"})");
  }
  EXPECT_EQ(get(m_health).status, 200);
  const auto requests = m_proxy->requests();
  ASSERT_EQ(requests.size(), 3U);
  EXPECT_FALSE(requests[0].relayed);
  EXPECT_FALSE(requests[1].relayed);
  EXPECT_TRUE(requests[2].relayed);
}

TEST_F(FaultProxyHttp, AnswersOnlyMatchingRequests) {
  m_proxy->answer_http(503, {}, "{}", -1, "/api/2.0/mlflow/runs/create");
  EXPECT_EQ(get(m_health).status, 200);
  EXPECT_EQ(get(m_proxy->http_url() + "/api/2.0/mlflow/runs/create").status, 503);
  EXPECT_EQ(get(m_proxy->http_url() + "/api/2.0/mlflow/runs/create").status, 503);
  EXPECT_EQ(m_proxy->request_count("runs/create"), 2);
}

TEST_F(FaultProxyHttp, DelayHoldsEachRequest) {
  m_proxy->delay(milliseconds(400));
  const auto t0 = steady_clock::now();
  EXPECT_EQ(get(m_health).status, 200);
  EXPECT_GE(steady_clock::now() - t0, milliseconds(400));
  m_proxy->pass_through();
  const Fetched slow = [&] {
    m_proxy->delay(milliseconds(3000));
    return get(m_health, milliseconds(500));
  }();
  EXPECT_EQ(slow.code, CURLE_OPERATION_TIMEDOUT);
}

TEST_F(FaultProxyHttp, BlackholeNeverAnswers) {
  m_proxy->blackhole();
  const auto t0 = steady_clock::now();
  const Fetched f = get(m_health, milliseconds(600));
  EXPECT_EQ(f.code, CURLE_OPERATION_TIMEDOUT);
  EXPECT_GE(steady_clock::now() - t0, milliseconds(550)); // libcurl's timer is not exact
  EXPECT_EQ(m_proxy->request_count("GET /health"), 1);
  EXPECT_FALSE(m_proxy->requests().front().relayed);
}

TEST_F(FaultProxyHttp, CutConnectionsClosesWhatIsOpen) {
  m_proxy->blackhole();
  Fetched f;
  std::thread client([&] { f = get(m_health, milliseconds(10000)); });
  ASSERT_TRUE(m_proxy->wait_for_requests(1, milliseconds(5000)));
  const auto t0 = steady_clock::now();
  m_proxy->cut_connections();
  client.join();
  EXPECT_EQ(f.code, CURLE_GOT_NOTHING) << curl_easy_strerror(f.code);
  EXPECT_LT(steady_clock::now() - t0, milliseconds(5000));
}

TEST_F(FaultProxyHttp, RefuseThenListenAgainOnTheSamePort) {
  const int port = m_proxy->port();
  m_proxy->refuse();
  EXPECT_EQ(get(m_health).code, CURLE_COULDNT_CONNECT);
  m_proxy->listen_again();
  EXPECT_EQ(m_proxy->port(), port);
  const Fetched f = get(m_health);
  EXPECT_EQ(f.status, 200) << curl_easy_strerror(f.code);
}

TEST_F(FaultProxyHttp, CutOnTheNthMatchingRequestThenRefuses) {
  m_proxy->cut_on("GET /health", 2);
  EXPECT_EQ(get(m_health).status, 200);
  EXPECT_EQ(get(m_health).code, CURLE_GOT_NOTHING);
  EXPECT_TRUE(m_proxy->tripped());
  EXPECT_EQ(get(m_health).code, CURLE_COULDNT_CONNECT);
}

class FaultProxyMongo : public MongoTest {};

TEST_F(FaultProxyMongo, LabelsCommandsAndCutsOnOne) {
  const std::string target = uri();
  const auto hostport = target.substr(target.find("://") + 3);
  const auto host_end = hostport.find_first_of("/?");
  const auto colon = hostport.rfind(':', host_end);
  FaultProxy proxy(hostport.substr(0, colon),
                   std::stoi(hostport.substr(colon + 1, host_end - colon - 1)),
                   FaultProxy::Protocol::mongo);
  insert(FeedbackDoc().specialist_type("proxytest"));
  const std::string via =
      "mongodb://" + proxy.address() + "/?serverSelectionTimeoutMS=1000&connectTimeoutMS=1000";
  bson_error_t error{};
  mongo::UriHandle parsed(mongoc_uri_new_with_error(via.c_str(), &error));
  ASSERT_TRUE(parsed) << error.message;
  mongo::ClientPtr client(mongoc_client_new_from_uri(parsed.get()));
  ASSERT_TRUE(client);
  mongo::CollectionPtr coll(
      mongoc_client_get_collection(client.get(), database().c_str(), k_collection));
  auto count = [&](bson_error_t& err) {
    mongo::BsonPtr filter(bson_new());
    return mongoc_collection_count_documents(coll.get(), filter.get(), nullptr, nullptr, nullptr,
                                             &err);
  };
  EXPECT_EQ(count(error), 1) << error.message;
  EXPECT_GE(proxy.request_count("aggregate specialist_feedback"), 1); // countDocuments
  proxy.cut_on("aggregate specialist_feedback");
  const auto t0 = steady_clock::now();
  EXPECT_EQ(count(error), -1);
  EXPECT_TRUE(proxy.tripped());
  EXPECT_LT(steady_clock::now() - t0, seconds(10)) << "bounded by serverSelectionTimeoutMS";
  EXPECT_EQ(count(error), -1) << "refused from then on";
}

} // namespace
} // namespace mm::test
