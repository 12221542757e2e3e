// MongoStateStore against the real server named by MONGODB_URI (FerretDB locally).
#include "adapters/mongo/mongo_state_store.hpp"
#include "support/mongo_fixture.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <algorithm>
#include <chrono>
#include <limits>
#include <thread>
#include <vector>

namespace mm {
namespace {

using namespace std::chrono_literals;
using std::chrono::hours;

class MongoStateStoreIT : public test::MongoTest {
protected:
  void SetUp() override {
    MongoTest::SetUp();
    if (HasFatalFailure()) {
      return;
    }
    auto pool = MongoPool::create(uri());
    ASSERT_TRUE(pool.ok()) << pool.error().message;
    m_pool = std::move(*pool);
    m_store = std::make_unique<MongoStateStore>(*m_pool, database());
    m_now = std::chrono::floor<std::chrono::milliseconds>(std::chrono::system_clock::now());
  }

  RetrainRecord record(const std::string& type, const std::string& state, TimePoint started,
                       const std::string& run_id = "") const {
    RetrainRecord r;
    r.id = type + ":degradation:" + std::to_string(started.time_since_epoch().count());
    r.specialist_type = type;
    r.trigger = "degradation";
    r.state = state;
    r.started_at = started;
    r.run_id = run_id;
    return r;
  }

  void save(const RetrainRecord& r) {
    const Status s = m_store->save_retrain(r);
    EXPECT_TRUE(s.ok()) << s.error().message;
  }

  std::optional<TimePoint> last(const std::string& type) {
    auto r = m_store->last_retrain(type);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::nullopt;
  }

  void increment(const std::string& type, const std::string& name,
                 const std::map<std::string, std::string>& labels, double delta) {
    const Status s = m_store->increment_counter(type, name, labels, delta);
    EXPECT_TRUE(s.ok()) << s.error().message;
  }

  std::vector<StateStore::Counter> counters(const std::string& type) {
    auto r = m_store->counters(type);
    EXPECT_TRUE(r.ok()) << r.error().message;
    return r.ok() ? *r : std::vector<StateStore::Counter>{};
  }

  std::unique_ptr<MongoPool> m_pool;
  std::unique_ptr<MongoStateStore> m_store;
  TimePoint m_now;
};

TEST_F(MongoStateStoreIT, NoRecordsNoCooldown) {
  EXPECT_FALSE(last("technical").has_value());
  EXPECT_TRUE(counters("technical").empty());
}

TEST_F(MongoStateStoreIT, SavedRecordHoldsEveryField) {
  RetrainRecord r = record("technical", "promoted", m_now - hours(2), "run-1");
  r.finished_at = m_now - hours(1);
  r.dataset_path = "/data/training/technical/x.parquet";
  r.baseline_f1 = 0.7;
  r.candidate_f1 = 0.76;
  save(r);
  const auto docs = find_json(k_state_collection);
  ASSERT_EQ(docs.size(), 1U);
  const auto j = nlohmann::json::parse(docs.front());
  EXPECT_EQ(j["_id"], r.id);
  EXPECT_EQ(j["kind"], "retrain");
  EXPECT_EQ(j["specialist_type"], "technical");
  EXPECT_EQ(j["trigger"], "degradation");
  EXPECT_EQ(j["state"], "promoted");
  EXPECT_EQ(j["run_id"], "run-1");
  EXPECT_EQ(j["dataset_path"], "/data/training/technical/x.parquet");
  EXPECT_EQ(j["error"], "");
  EXPECT_DOUBLE_EQ(j["baseline_f1"].get<double>(), 0.7);
  EXPECT_DOUBLE_EQ(j["candidate_f1"].get<double>(), 0.76);
  EXPECT_TRUE(j["started_at"].contains("$date")) << docs.front();
  EXPECT_TRUE(j["finished_at"].contains("$date")) << docs.front();
  EXPECT_EQ(last("technical"), r.started_at);
}

TEST_F(MongoStateStoreIT, SavingIsAnIdempotentReplace) {
  RetrainRecord r = record("technical", "training", m_now - hours(1), "run-1");
  save(r);
  save(r);
  EXPECT_EQ(count_in(k_state_collection), 1);
  r.state = "rejected";
  r.candidate_f1 = 0.6;
  r.finished_at = m_now;
  save(r);
  const auto docs = find_json(k_state_collection);
  ASSERT_EQ(docs.size(), 1U);
  const auto j = nlohmann::json::parse(docs.front());
  EXPECT_EQ(j["state"], "rejected");
  EXPECT_DOUBLE_EQ(j["candidate_f1"].get<double>(), 0.6);
  EXPECT_TRUE(j["baseline_f1"].is_null());
}

TEST_F(MongoStateStoreIT, NonFiniteScoresAreStoredAsNull) {
  // FerretDB closes the connection on a NaN; the record must still be saved.
  RetrainRecord r = record("technical", "rejected", m_now, "run-1");
  r.candidate_f1 = std::numeric_limits<double>::quiet_NaN();
  r.baseline_f1 = std::numeric_limits<double>::infinity();
  save(r);
  const auto docs = find_json(k_state_collection);
  ASSERT_EQ(docs.size(), 1U);
  const auto j = nlohmann::json::parse(docs.front());
  EXPECT_TRUE(j["candidate_f1"].is_null());
  EXPECT_TRUE(j["baseline_f1"].is_null());
}

TEST_F(MongoStateStoreIT, CooldownCountsOnlyRetrainsThatReachedTraining) {
  struct Case {
    std::string state;
    std::string run_id;
    bool counts;
  };
  const std::vector<Case> cases = {
      {"decided", "", false},  {"dataset", "", false},    {"failed", "", false},
      {"training", "r", true}, {"evaluating", "r", true}, {"promoted", "r", true},
      {"rejected", "r", true}, {"failed", "r", true},     {"training", "", true},
  };
  for (std::size_t i = 0; i < cases.size(); ++i) {
    const std::string type = "case" + std::to_string(i);
    save(record(type, cases[i].state, m_now - hours(1), cases[i].run_id));
    EXPECT_EQ(last(type).has_value(), cases[i].counts)
        << cases[i].state << " run_id '" << cases[i].run_id << "'";
  }
}

TEST_F(MongoStateStoreIT, NewestTrainedRetrainOfTheTypeWins) {
  save(record("technical", "promoted", m_now - hours(72), "r1"));
  save(record("technical", "failed", m_now - hours(30), "r2")); // trained, then failed
  save(record("technical", "failed", m_now - hours(2)));        // dataset generation failed
  save(record("technical", "dataset", m_now - hours(1)));       // died mid-way
  save(record("business", "promoted", m_now - hours(1), "r3"));
  EXPECT_EQ(last("technical"), m_now - hours(30));
  EXPECT_EQ(last("business"), m_now - hours(1));
  EXPECT_FALSE(last("behavior").has_value());
}

TEST_F(MongoStateStoreIT, OneCounterOfEverySpecialistInOneRead) {
  increment("technical", "neural_hive_mlflow_connection_errors_total", {}, 1.0);
  increment("technical", "neural_hive_mlflow_connection_errors_total", {}, 1.0);
  increment("business", "neural_hive_mlflow_connection_errors_total", {}, 1.0);
  increment("business", "other_total", {}, 5.0);
  auto r = m_store->counter_by_type("neural_hive_mlflow_connection_errors_total");
  ASSERT_TRUE(r.ok()) << r.error().message;
  EXPECT_EQ(r->size(), 2U);
  EXPECT_EQ(r->at("technical"), 2.0);
  EXPECT_EQ(r->at("business"), 1.0);
}

TEST_F(MongoStateStoreIT, CountersAreCumulativeAndSeparatedByLabels) {
  const std::string name = "neural_hive_auto_retrain_triggered_total";
  increment("technical", name, {{"reason", "degradation"}, {"status", "success"}}, 1.0);
  increment("technical", name, {{"reason", "degradation"}, {"status", "success"}}, 1.0);
  increment("technical", name, {{"reason", "forced"}, {"status", "failed"}}, 1.0);
  increment("technical", "neural_hive_dataset_generation_errors_total", {}, 0.5);
  increment("business", name, {{"reason", "degradation"}, {"status", "success"}}, 4.0);

  // Another store (the next CronJob run) reads what this one wrote.
  MongoStateStore next_run(*m_pool, database());
  auto read = next_run.counters("technical");
  ASSERT_TRUE(read.ok()) << read.error().message;
  ASSERT_EQ(read->size(), 3U);
  // Ordered by id: type|name|labels.
  EXPECT_EQ((*read)[0].name, name);
  EXPECT_EQ((*read)[0].labels,
            (std::map<std::string, std::string>{{"reason", "degradation"}, {"status", "success"}}));
  EXPECT_DOUBLE_EQ((*read)[0].value, 2.0);
  EXPECT_EQ((*read)[1].labels,
            (std::map<std::string, std::string>{{"reason", "forced"}, {"status", "failed"}}));
  EXPECT_DOUBLE_EQ((*read)[1].value, 1.0);
  EXPECT_EQ((*read)[2].name, "neural_hive_dataset_generation_errors_total");
  EXPECT_TRUE((*read)[2].labels.empty());
  EXPECT_DOUBLE_EQ((*read)[2].value, 0.5);

  const auto business = counters("business");
  ASSERT_EQ(business.size(), 1U);
  EXPECT_DOUBLE_EQ(business[0].value, 4.0);
}

TEST_F(MongoStateStoreIT, LabelValuesWithSeparatorsStayDistinct) {
  increment("technical", "c_total", {{"a", "x,b=y"}}, 1.0);
  increment("technical", "c_total", {{"a", "x"}, {"b", "y"}}, 2.0);
  const auto all = counters("technical");
  ASSERT_EQ(all.size(), 2U);
  double total = 0.0;
  for (const auto& c : all) {
    total += c.value;
    if (c.labels.size() == 1) {
      EXPECT_EQ(c.labels.at("a"), "x,b=y");
      EXPECT_DOUBLE_EQ(c.value, 1.0);
    }
  }
  EXPECT_DOUBLE_EQ(total, 3.0);
}

TEST_F(MongoStateStoreIT, ConcurrentIncrementsAreNotLost) {
  // Eight threads, one counter, starting from nothing: the first increments race on the
  // insert, the others on the $inc (which FerretDB v1 alone would lose: see the header).
  constexpr int k_threads = 8;
  constexpr int k_calls = 25;
  MongoPoolOptions options;
  options.max_pool_size = 4;
  auto pool = MongoPool::create(uri(), options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  MongoStateStore store(**pool, database());
  std::vector<std::string> failures(k_threads);
  {
    std::vector<std::jthread> threads;
    for (int t = 0; t < k_threads; ++t) {
      threads.emplace_back([&, t] {
        for (int i = 0; i < k_calls; ++i) {
          const Status s = store.increment_counter(
              "technical", "neural_hive_auto_retrain_success_total", {{"improved", "true"}}, 1.0);
          if (!s) {
            failures[static_cast<std::size_t>(t)] = s.error().message;
            return;
          }
        }
      });
    }
  }
  for (int t = 0; t < k_threads; ++t) {
    EXPECT_EQ(failures[static_cast<std::size_t>(t)], "") << "thread " << t;
  }
  const auto all = counters("technical");
  ASSERT_EQ(all.size(), 1U);
  EXPECT_DOUBLE_EQ(all[0].value, k_threads * k_calls);
}

TEST_F(MongoStateStoreIT, TheFirstWriteCreatesTheIndex) {
  increment("technical", "c_total", {}, 1.0);
  const auto names = index_names(k_state_collection);
  EXPECT_NE(std::find(names.begin(), names.end(), "kind_1_specialist_type_1_started_at_-1"),
            names.end());
  EXPECT_TRUE(m_store->ensure_indexes().ok()); // again: a no-op
}

TEST_F(MongoStateStoreIT, OnlyItsOwnCollectionIsTouched) {
  insert(test::FeedbackDoc());
  insert(test::OpinionDoc());
  save(record("technical", "promoted", m_now, "r"));
  increment("technical", "c_total", {}, 1.0);
  EXPECT_EQ(count(), 1);
  EXPECT_EQ(count_in(k_opinions_collection), 1);
  EXPECT_EQ(count_in(k_state_collection), 2);
  EXPECT_EQ(count_in(k_state_collection, R"({"kind": "counter"})"), 1);

  MongoStateStore custom(*m_pool, database(), "custom_state");
  ASSERT_TRUE(custom.increment_counter("technical", "c_total", {}, 1.0).ok());
  EXPECT_EQ(count_in("custom_state"), 1);
  EXPECT_EQ(count_in(k_state_collection), 2);
}

TEST_F(MongoStateStoreIT, InvalidArgumentsAreRefusedBeforeAnyIo) {
  const Status bad_name = m_store->increment_counter("technical", "bad name", {}, 1.0);
  ASSERT_FALSE(bad_name.ok());
  EXPECT_EQ(bad_name.error().kind, ErrorKind::internal);
  const Status nan = m_store->increment_counter("technical", "c_total", {},
                                                std::numeric_limits<double>::quiet_NaN());
  ASSERT_FALSE(nan.ok());
  RetrainRecord r = record("technical", "promoted", m_now);
  r.id.clear();
  EXPECT_FALSE(m_store->save_retrain(r).ok());
  EXPECT_EQ(count_in(k_state_collection), 0);
}

TEST_F(MongoStateStoreIT, MalformedCounterDocumentIsABadResponse) {
  insert_json_into(k_state_collection, {R"({"_id": "technical|c_total|", "kind": "counter",
                        "specialist_type": "technical", "name": "c_total", "labels": {},
                        "value": "three"})"});
  auto r = m_store->counters("technical");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::bad_response);
  EXPECT_NE(r.error().message.find("technical|c_total|"), std::string::npos) << r.error().message;
  EXPECT_NE(r.error().message.find(database() + ".model_monitor_state"), std::string::npos)
      << r.error().message;
}

TEST_F(MongoStateStoreIT, UnreachableServerIsUnavailable) {
  MongoPoolOptions options;
  options.server_selection_timeout = 300ms;
  auto pool = MongoPool::create(
      "mongodb://127.0.0.1:" + std::to_string(test::closed_local_port()) + "/", options);
  ASSERT_TRUE(pool.ok()) << pool.error().message;
  MongoStateStore store(**pool, database());
  auto l = store.last_retrain("technical");
  ASSERT_FALSE(l.ok());
  EXPECT_EQ(l.error().kind, ErrorKind::unavailable) << l.error().message;
  const Status s = store.increment_counter("technical", "c_total", {}, 1.0);
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().kind, ErrorKind::unavailable) << s.error().message;
}

} // namespace
} // namespace mm
