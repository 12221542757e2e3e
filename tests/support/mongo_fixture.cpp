#include "support/mongo_fixture.hpp"

#include "core/redact.hpp"

#include <nlohmann/json.hpp>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <cctype>
#include <charconv>
#include <chrono>
#include <cstdlib>
#include <iostream>
#include <mutex>

namespace mm::test {
namespace {

std::atomic<std::uint64_t> g_counter{0};

std::string unique_suffix() {
  return std::to_string(::getpid()) + "-" + std::to_string(++g_counter);
}

void init_driver() {
  // Idempotent in libmongoc too, but one call is the documented contract. No mongoc_cleanup:
  // mm_mongo's own initialisation cleans up at exit when it is linked; otherwise the process
  // ends anyway.
  static std::once_flag s_once;
  std::call_once(s_once, [] { mongoc_init(); });
}

mongo::BsonPtr parse_json(std::string_view json) {
  bson_error_t error{};
  mongo::BsonPtr doc(bson_new_from_json(reinterpret_cast<const std::uint8_t*>(json.data()),
                                        static_cast<ssize_t>(json.size()), &error));
  if (!doc) {
    ADD_FAILURE() << "bad extended JSON in test: " << error.message << ": " << json;
  }
  return doc;
}

std::string shortest(double v) {
  char buf[64];
  const auto r = std::to_chars(buf, buf + sizeof buf, v);
  return std::string(buf, r.ptr);
}

} // namespace

std::string mongodb_uri_from_env() {
  const char* v = std::getenv("MONGODB_URI"); // NOLINT(concurrency-mt-unsafe)
  if (v == nullptr || *v == '\0') {
    ADD_FAILURE() << "MONGODB_URI is not set: MongoDB integration tests need a running server; "
                     "run scripts/test.sh, or scripts/services.sh start and "
                     "export MONGODB_URI=mongodb://127.0.0.1:27117/";
    return "mongodb://127.0.0.1:1/";
  }
  return v;
}

// ---------------------------------------------------------------------------------------------
// FeedbackDoc

FeedbackDoc::FeedbackDoc()
    : m_feedback_id("fb-" + unique_suffix()), m_opinion_id("op-" + unique_suffix()),
      m_plan_id("plan-" + unique_suffix()), m_submitted_at(std::chrono::system_clock::now()) {
  rating(0.8);
}

FeedbackDoc& FeedbackDoc::feedback_id(std::string v) {
  m_feedback_id = std::move(v);
  return *this;
}
FeedbackDoc& FeedbackDoc::opinion_id(std::string v) {
  m_opinion_id = std::move(v);
  return *this;
}
FeedbackDoc& FeedbackDoc::plan_id(std::string v) {
  m_plan_id = std::move(v);
  return *this;
}
FeedbackDoc& FeedbackDoc::specialist_type(std::string v) {
  m_specialist_type = std::move(v);
  return *this;
}
FeedbackDoc& FeedbackDoc::rating(double v) {
  // Explicit $numberDouble: a bare 1.0 could be read back as an int by some JSON printers.
  m_rating_json = R"({"$numberDouble": ")" + shortest(v) + R"("})";
  return *this;
}
FeedbackDoc& FeedbackDoc::rating_int(std::int32_t v) {
  m_rating_json = R"({"$numberInt": ")" + std::to_string(v) + R"("})";
  return *this;
}
FeedbackDoc& FeedbackDoc::rating_json(std::string json_value) {
  m_rating_json = std::move(json_value);
  return *this;
}
FeedbackDoc& FeedbackDoc::without_rating() {
  m_rating_json.reset();
  return *this;
}
FeedbackDoc& FeedbackDoc::recommendation(std::string v) {
  m_recommendation = std::move(v);
  return *this;
}
FeedbackDoc& FeedbackDoc::notes(std::string v) {
  m_notes = std::move(v);
  return *this;
}
FeedbackDoc& FeedbackDoc::submitted_by(std::string v) {
  m_submitted_by = std::move(v);
  return *this;
}
FeedbackDoc& FeedbackDoc::submitted_at(TimePoint v) {
  m_submitted_at = v;
  return *this;
}
FeedbackDoc& FeedbackDoc::submitted_at_json(std::string json_value) {
  m_submitted_at_json = std::move(json_value);
  m_has_submitted_at = true;
  return *this;
}
FeedbackDoc& FeedbackDoc::without_submitted_at() {
  m_has_submitted_at = false;
  return *this;
}
FeedbackDoc& FeedbackDoc::source(std::string v) {
  m_source = std::move(v);
  return *this;
}
FeedbackDoc& FeedbackDoc::metadata_json(std::string json_object) {
  m_metadata_json = std::move(json_object);
  return *this;
}

std::string FeedbackDoc::json() const {
  using nlohmann::ordered_json;
  const auto ms =
      std::chrono::floor<std::chrono::milliseconds>(m_submitted_at.time_since_epoch()).count();
  ordered_json j;
  j["feedback_id"] = m_feedback_id;
  j["schema_version"] = m_schema_version;
  j["opinion_id"] = m_opinion_id;
  j["plan_id"] = m_plan_id;
  j["specialist_type"] = m_specialist_type;
  if (m_rating_json) {
    j["human_rating"] = ordered_json::parse(*m_rating_json);
  }
  j["human_recommendation"] = m_recommendation;
  j["feedback_notes"] = m_notes;
  j["submitted_by"] = m_submitted_by;
  if (m_has_submitted_at && m_submitted_at_json) {
    j["submitted_at"] = ordered_json::parse(*m_submitted_at_json);
  } else if (m_has_submitted_at) {
    j["submitted_at"] = {{"$date", {{"$numberLong", std::to_string(ms)}}}};
  }
  j["feedback_source"] = m_source;
  j["metadata"] = ordered_json::parse(m_metadata_json);
  return j.dump();
}

// ---------------------------------------------------------------------------------------------
// OpinionDoc

OpinionDoc::OpinionDoc()
    : m_opinion_id("op-" + unique_suffix()), m_plan_id("plan-" + unique_suffix()),
      m_created_at(std::chrono::system_clock::now()) {
  m_values[0] = static_cast<double>(++g_counter); // num_tasks: unique, tells rows apart
  for (std::size_t i = 1; i < m_values.size(); ++i) {
    m_values[i] = static_cast<double>(i + 1) / 2.0;
  }
}

OpinionDoc OpinionDoc::of(const FeedbackDoc& feedback) {
  OpinionDoc doc;
  doc.m_opinion_id = feedback.opinion_id();
  doc.m_plan_id = feedback.plan_id();
  doc.m_specialist_type = feedback.specialist_type();
  return doc;
}

OpinionDoc& OpinionDoc::opinion_id(std::string v) {
  m_opinion_id = std::move(v);
  return *this;
}
OpinionDoc& OpinionDoc::plan_id(std::string v) {
  m_plan_id = std::move(v);
  return *this;
}
OpinionDoc& OpinionDoc::specialist_type(std::string v) {
  m_specialist_type = std::move(v);
  return *this;
}
OpinionDoc& OpinionDoc::recommendation(std::string v) {
  m_recommendation = std::move(v);
  return *this;
}
OpinionDoc& OpinionDoc::created_at(TimePoint v) {
  m_created_at = v;
  return *this;
}
OpinionDoc& OpinionDoc::feature(std::string_view name, double v) {
  for (std::size_t i = 0; i < k_feature_names.size(); ++i) {
    if (k_feature_names[i] == name) {
      m_values[i] = v;
      m_overrides.erase(std::string(name));
      return *this;
    }
  }
  m_overrides[std::string(name)] = R"({"$numberDouble": ")" + shortest(v) + R"("})";
  return *this;
}
OpinionDoc& OpinionDoc::feature_json(std::string_view name, std::string json_value) {
  m_overrides[std::string(name)] = std::move(json_value);
  return *this;
}
OpinionDoc& OpinionDoc::without_feature(std::string_view name) {
  m_overrides[std::string(name)] = std::nullopt;
  return *this;
}
OpinionDoc& OpinionDoc::features_json(std::string json_value) {
  m_features_json = std::move(json_value);
  m_has_features = true;
  return *this;
}
OpinionDoc& OpinionDoc::without_features() {
  m_has_features = false;
  return *this;
}

std::string OpinionDoc::json() const {
  using nlohmann::ordered_json;
  const auto ms =
      std::chrono::floor<std::chrono::milliseconds>(m_created_at.time_since_epoch()).count();
  ordered_json j;
  j["opinion_id"] = m_opinion_id;
  j["plan_id"] = m_plan_id;
  j["specialist_type"] = m_specialist_type;
  j["recommendation"] = m_recommendation;
  j["confidence_score"] = {{"$numberDouble", "0.9"}};
  if (m_has_features && m_features_json) {
    j["features"] = ordered_json::parse(*m_features_json);
  } else if (m_has_features) {
    ordered_json features = ordered_json::object();
    for (std::size_t i = 0; i < k_feature_names.size(); ++i) {
      const std::string name(k_feature_names[i]);
      const auto o = m_overrides.find(name);
      if (o == m_overrides.end()) {
        // Explicit $numberDouble, as FeedbackDoc::rating: every default is a BSON double.
        features[name] = {{"$numberDouble", shortest(m_values[i])}};
      } else if (o->second) {
        features[name] = ordered_json::parse(*o->second);
      }
    }
    for (const auto& [name, value] : m_overrides) {
      if (!features.contains(name) && value) {
        features[name] = ordered_json::parse(*value);
      }
    }
    j["features"] = std::move(features);
  }
  j["created_at"] = {{"$date", {{"$numberLong", std::to_string(ms)}}}};
  return j.dump();
}

// ---------------------------------------------------------------------------------------------
// MongoTest

void MongoTest::SetUp() {
  init_driver();
  m_uri = mongodb_uri_from_env();
  if (HasFailure()) {
    GTEST_FAIL() << "stopping this test: no MongoDB to run it against";
  }

  bson_error_t error{};
  mongo::UriHandle uri(mongoc_uri_new_with_error(m_uri.c_str(), &error));
  ASSERT_TRUE(uri) << "MONGODB_URI '" << mm::mask_uri_credentials(m_uri)
                   << "' is invalid: " << error.message;
  if (!mongoc_uri_has_option(uri.get(), MONGOC_URI_SERVERSELECTIONTIMEOUTMS)) {
    mongoc_uri_set_option_as_int32(uri.get(), MONGOC_URI_SERVERSELECTIONTIMEOUTMS, 3000);
  }
  m_client.reset(mongoc_client_new_from_uri_with_error(uri.get(), &error));
  ASSERT_TRUE(m_client) << "cannot create a client for '" << mm::mask_uri_credentials(m_uri)
                        << "': " << error.message;
  mongoc_client_set_error_api(m_client.get(), MONGOC_ERROR_API_VERSION_2);

  mongo::BsonPtr ping = mongo::make_bson();
  BSON_APPEND_INT32(ping.get(), "ping", 1);
  mongo::ReplyBson reply;
  ASSERT_TRUE(mongoc_client_command_simple(m_client.get(), "admin", ping.get(), nullptr,
                                           reply.get(), &error))
      << "MongoDB at " << mm::mask_uri_credentials(m_uri) << " is unreachable: " << error.message
      << "; start it with scripts/services.sh start (FerretDB on 127.0.0.1:27117) and check "
         "MONGODB_URI";

  // Database names: at most 63 bytes of [A-Za-z0-9_-] keeps both MongoDB and FerretDB happy.
  std::string name = ::testing::UnitTest::GetInstance()->current_test_info()->name();
  for (char& c : name) {
    if (std::isalnum(static_cast<unsigned char>(c)) == 0) {
      c = '_';
    }
  }
  m_database = "mmit_" + name.substr(0, 32) + "_" + std::to_string(::getpid()) + "_" +
               std::to_string(++g_counter);
  m_collection.reset(
      mongoc_client_get_collection(m_client.get(), m_database.c_str(), k_collection));
}

void MongoTest::TearDown() {
  if (!m_client || m_database.empty()) {
    return;
  }
  m_collection.reset();
  const char* keep = std::getenv("MM_KEEP_TEST_DB"); // NOLINT(concurrency-mt-unsafe)
  if (keep != nullptr && std::string_view(keep) == "1") {
    std::cerr << "kept test database " << m_database << " (MM_KEEP_TEST_DB=1)\n";
    return;
  }
  mongo::DatabasePtr db(mongoc_client_get_database(m_client.get(), m_database.c_str()));
  bson_error_t error{};
  EXPECT_TRUE(mongoc_database_drop(db.get(), &error))
      << "could not drop test database " << m_database << ": " << error.message;
}

mongoc_collection_t* MongoTest::collection() {
  return m_collection.get();
}

void MongoTest::insert(const FeedbackDoc& doc) {
  insert_json(doc.json());
}

void MongoTest::insert(const std::vector<FeedbackDoc>& docs) {
  std::vector<std::string> jsons;
  for (const auto& d : docs) {
    jsons.push_back(d.json());
  }
  insert_json_into(k_collection, jsons);
}

void MongoTest::insert(const OpinionDoc& doc) {
  insert_json_into(k_opinions_collection, {doc.json()});
}

void MongoTest::insert(const std::vector<OpinionDoc>& docs) {
  std::vector<std::string> jsons;
  for (const auto& d : docs) {
    jsons.push_back(d.json());
  }
  insert_json_into(k_opinions_collection, jsons);
}

void MongoTest::insert_json_into(std::string_view collection,
                                 const std::vector<std::string>& jsons) {
  if (jsons.empty()) {
    return;
  }
  std::vector<mongo::BsonPtr> owned;
  mongo::BsonRefs ptrs;
  for (const auto& j : jsons) {
    owned.push_back(parse_json(j));
    ASSERT_TRUE(owned.back());
    ptrs.push_back(owned.back().get());
  }
  mongo::CollectionPtr target = open(collection);
  bson_error_t error{};
  mongo::ReplyBson reply;
  ASSERT_TRUE(mongoc_collection_insert_many(target.get(), ptrs.data(), ptrs.size(), nullptr,
                                            reply.get(), &error))
      << "insert_many into " << collection << " failed: " << error.message << " "
      << mongo::to_json(reply.get());
}

void MongoTest::insert_json(std::string_view json) {
  const std::string refusal = try_insert_json(json);
  EXPECT_EQ(refusal, "") << "insert of " << json;
}

std::string MongoTest::try_insert_json(std::string_view json) {
  mongo::BsonPtr doc = parse_json(json);
  if (!doc) {
    return "unparsable JSON";
  }
  bson_error_t error{};
  mongo::ReplyBson reply;
  if (!mongoc_collection_insert_one(collection(), doc.get(), nullptr, reply.get(), &error)) {
    return std::string(error.message) + " (domain " + std::to_string(error.domain) + ", code " +
           std::to_string(error.code) + ")";
  }
  return "";
}

void MongoTest::create_feedback_indexes() {
  const std::string command = R"({"createIndexes": ")" + std::string(k_collection) + R"(",
    "indexes": [
      {"key": {"opinion_id": 1}, "name": "opinion_id_1"},
      {"key": {"specialist_type": 1, "submitted_at": -1}, "name": "specialist_type_1_submitted_at_-1"},
      {"key": {"human_rating": 1}, "name": "human_rating_1"},
      {"key": {"feedback_id": 1}, "name": "feedback_id_1", "unique": true}
    ]})";
  mongo::BsonPtr cmd = parse_json(command);
  ASSERT_TRUE(cmd);
  bson_error_t error{};
  mongo::ReplyBson reply;
  ASSERT_TRUE(mongoc_client_write_command_with_opts(m_client.get(), m_database.c_str(), cmd.get(),
                                                    nullptr, reply.get(), &error))
      << "createIndexes failed: " << error.message;
}

std::int64_t MongoTest::count(std::string_view filter_json) {
  return count_in(k_collection, filter_json);
}

std::int64_t MongoTest::count_in(std::string_view collection, std::string_view filter_json) {
  mongo::BsonPtr filter = parse_json(filter_json);
  if (!filter) {
    return -1;
  }
  mongo::CollectionPtr target = open(collection);
  bson_error_t error{};
  const std::int64_t n = mongoc_collection_count_documents(target.get(), filter.get(), nullptr,
                                                           nullptr, nullptr, &error);
  EXPECT_GE(n, 0) << "count_documents failed: " << error.message;
  return n;
}

std::vector<std::string> MongoTest::find_json(std::string_view collection,
                                              std::string_view filter_json) {
  std::vector<std::string> out;
  mongo::BsonPtr filter = parse_json(filter_json);
  if (!filter) {
    return out;
  }
  mongo::BsonPtr opts = parse_json(R"({"sort": {"_id": 1}})");
  mongo::CollectionPtr target = open(collection);
  mongo::CursorPtr cursor(
      mongoc_collection_find_with_opts(target.get(), filter.get(), opts.get(), nullptr));
  const bson_t* doc = nullptr;
  while (mongoc_cursor_next(cursor.get(), &doc)) {
    out.push_back(mongo::to_json(doc));
  }
  bson_error_t error{};
  EXPECT_FALSE(mongoc_cursor_error(cursor.get(), &error)) << "find failed: " << error.message;
  return out;
}

std::vector<std::string> MongoTest::index_names(std::string_view collection) {
  std::vector<std::string> out;
  mongo::CollectionPtr target = open(collection);
  mongo::CursorPtr cursor(mongoc_collection_find_indexes_with_opts(target.get(), nullptr));
  const bson_t* doc = nullptr;
  while (mongoc_cursor_next(cursor.get(), &doc)) {
    bson_iter_t it;
    if (bson_iter_init_find(&it, doc, "name") && BSON_ITER_HOLDS_UTF8(&it)) {
      out.emplace_back(bson_iter_utf8(&it, nullptr));
    }
  }
  bson_error_t error{};
  EXPECT_FALSE(mongoc_cursor_error(cursor.get(), &error))
      << "listIndexes failed: " << error.message;
  return out;
}

mongo::CollectionPtr MongoTest::open(std::string_view collection) {
  const std::string name(collection);
  return mongo::CollectionPtr(
      mongoc_client_get_collection(m_client.get(), m_database.c_str(), name.c_str()));
}

int closed_local_port() {
  const int fd = ::socket(AF_INET, SOCK_STREAM, 0);
  if (fd < 0) {
    ADD_FAILURE() << "socket() failed";
    return 1;
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  socklen_t len = sizeof addr;
  int port = 1;
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0 &&
      ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) == 0) {
    port = ntohs(addr.sin_port);
  }
  ::close(fd); // bound but never listening, now closed: connecting is refused
  return port;
}

} // namespace mm::test
