// MlflowRunRegistry against the real MLflow server of MLFLOW_TRACKING_URI (scripts/services.sh
// starts MLflow 3.17.2 on 127.0.0.1). Each test works on its own experiment and registered model
// (unique names from MlflowFixture); what the registry creates is adopted by the fixture, so it
// is cleaned up with the rest. Results are checked through the fixture's own REST calls.

#include "adapters/mlflow/mlflow_run_registry.hpp"
#include "support/mlflow_fixture.hpp"
#include "support/mongo_fixture.hpp" // closed_local_port

#include <gtest/gtest.h>

#include <algorithm>
#include <chrono>

namespace mm {
namespace {

using test::MetricPoint;
using test::MlflowFixture;

HttpOptions it_options() {
  HttpOptions o;
  o.max_retries = 2;
  o.backoff_factor = 0.1;
  o.connect_timeout_ms = 2000;
  o.total_timeout_ms = 10000;
  return o;
}

std::int64_t now_ms() {
  return std::chrono::duration_cast<std::chrono::milliseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

class MlflowRunRegistryIt : public ::testing::Test {
protected:
  MlflowFixture fx;
  std::string type = fx.unique_type("reg");
  std::string experiment_name = type + "-specialist";
  std::string model_name = type + "-specialist";
  MlflowRunRegistry registry{fx.tracking_uri(), it_options(), MlflowAuth{}};

  std::string experiment() {
    auto id = registry.ensure_experiment(experiment_name);
    if (!id) {
      ADD_FAILURE() << id.error().message;
      return {};
    }
    fx.adopt_experiment(*id);
    return *id;
  }
  std::string run(const std::string& experiment_id,
                  const std::map<std::string, std::string>& tags = {}) {
    auto id = registry.create_run(experiment_id, tags);
    if (!id) {
      ADD_FAILURE() << id.error().message;
      return {};
    }
    fx.adopt_run(*id);
    return *id;
  }
  ModelVersionRef registered(const std::string& run_id) {
    auto v = registry.register_version(model_name, run_id, "runs:/" + run_id + "/model");
    fx.adopt_registered_model(model_name);
    if (!v) {
      ADD_FAILURE() << v.error().message;
      return {};
    }
    return *v;
  }
};

TEST_F(MlflowRunRegistryIt, EnsureExperimentCreatesOnceThenFindsIt) {
  auto first = registry.ensure_experiment(experiment_name);
  ASSERT_TRUE(first.ok()) << first.error().message;
  fx.adopt_experiment(*first);
  auto second = registry.ensure_experiment(experiment_name);
  ASSERT_TRUE(second.ok()) << second.error().message;
  EXPECT_EQ(*first, *second);
  EXPECT_EQ(fx.get_or_create_experiment(experiment_name), *first); // the fixture sees the same
}

TEST_F(MlflowRunRegistryIt, EnsureExperimentFindsOneMadeElsewhere) {
  const std::string id = fx.get_or_create_experiment(experiment_name);
  auto found = registry.ensure_experiment(experiment_name);
  ASSERT_TRUE(found.ok()) << found.error().message;
  EXPECT_EQ(*found, id);
}

TEST_F(MlflowRunRegistryIt, DeletedExperimentIsAConfigError) {
  const std::string id = fx.get_or_create_experiment(experiment_name);
  fx.delete_experiment(id);
  auto found = registry.ensure_experiment(experiment_name);
  ASSERT_FALSE(found.ok());
  EXPECT_EQ(found.error().kind, ErrorKind::config);
  EXPECT_NE(found.error().message.find("deleted"), std::string::npos) << found.error().message;
}

TEST_F(MlflowRunRegistryIt, CreateRunWithTagsAndReadThemBack) {
  const std::string exp = experiment();
  const std::int64_t before = now_ms();
  const std::string id =
      run(exp, {{"model_monitor.trigger", "degradation"}, {"model_monitor.type", type}});
  const std::int64_t after = now_ms();
  auto state = registry.get_run(id);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->run_id, id);
  EXPECT_EQ(state->status, RunStatus::running);
  EXPECT_EQ(state->tags.at("model_monitor.trigger"), "degradation");
  EXPECT_EQ(state->tags.at("model_monitor.type"), type);
  EXPECT_EQ(state->precision, std::nullopt);
  const auto raw = fx.get_run(id);
  EXPECT_EQ(raw.at("info").at("experiment_id"), exp);
  const std::int64_t start = raw.at("info").at("start_time");
  EXPECT_GE(start, before);
  EXPECT_LE(start, after);
}

TEST_F(MlflowRunRegistryIt, GetRunReadsLatestSanitisedMetrics) {
  const std::string exp = experiment();
  const std::string id = run(exp);
  fx.log_metrics(id, {{"precision", 0.5, 0},
                      {"precision", 0.81, 1},
                      {"recall", "NaN"},
                      {"f1_score", "Infinity"}, // MLflow stores +inf as 1.797e308
                      {"accuracy", 0.9}});
  auto state = registry.get_run(id);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->precision, 0.81);
  EXPECT_EQ(state->recall, std::nullopt);
  EXPECT_EQ(state->f1_score, std::nullopt);
  EXPECT_EQ(state->accuracy, 0.9);
}

TEST_F(MlflowRunRegistryIt, SetTagsThenTerminateFailed) {
  const std::string exp = experiment();
  const std::string id = run(exp);
  ASSERT_TRUE(
      registry.set_tags(id, {{"model_monitor.failure", "training_timeout"}, {"x", ""}}).ok());
  const std::int64_t before = now_ms();
  const Status st = registry.terminate_run(id, RunStatus::failed);
  ASSERT_TRUE(st.ok()) << st.error().message;
  auto state = registry.get_run(id);
  ASSERT_TRUE(state.ok()) << state.error().message;
  EXPECT_EQ(state->status, RunStatus::failed);
  EXPECT_EQ(state->tags.at("model_monitor.failure"), "training_timeout");
  EXPECT_EQ(state->tags.at("x"), "");
  const std::int64_t end = fx.get_run(id).at("info").at("end_time");
  EXPECT_GE(end, before);
}

TEST_F(MlflowRunRegistryIt, UnknownRunIsNotFound) {
  const std::string nope = "0123456789abcdef0123456789abcdef";
  auto state = registry.get_run(nope);
  ASSERT_FALSE(state.ok());
  EXPECT_EQ(state.error().kind, ErrorKind::not_found) << state.error().message;
  EXPECT_NE(state.error().message.find(nope), std::string::npos);
  EXPECT_EQ(registry.set_tags(nope, {{"a", "b"}}).error().kind, ErrorKind::not_found);
  EXPECT_EQ(registry.terminate_run(nope, RunStatus::killed).error().kind, ErrorKind::not_found);
}

// MLflow 3.17 registers "runs:/<id>/model" although the run logged no artifact, and the version
// is READY at once (the open-source registry copies nothing).
TEST_F(MlflowRunRegistryIt, RegisterVersionsOfARunAndFindThem) {
  const std::string exp = experiment();
  const std::string id = run(exp);
  const std::string other = run(exp);

  auto none = registry.version_of_run(model_name, id); // no registered model yet
  ASSERT_TRUE(none.ok()) << none.error().message;
  EXPECT_FALSE(none->has_value());

  const ModelVersionRef v1 = registered(id);
  EXPECT_EQ(v1.model_name, model_name);
  EXPECT_EQ(v1.version, "1");
  EXPECT_EQ(v1.run_id, id);
  EXPECT_EQ(v1.current_stage, "None");
  EXPECT_EQ(fx.get_model_version(model_name, "1").at("status"), "READY");

  const ModelVersionRef v2 = registered(id); // the model exists now: tolerated
  EXPECT_EQ(v2.version, "2");
  const ModelVersionRef v3 = registered(other);
  EXPECT_EQ(v3.version, "3");

  auto found = registry.version_of_run(model_name, id);
  ASSERT_TRUE(found.ok()) << found.error().message;
  ASSERT_TRUE(found->has_value());
  EXPECT_EQ((*found)->version, "2"); // the newest of the run's, not the model's newest
  auto of_other = registry.version_of_run(model_name, other);
  ASSERT_TRUE(of_other.ok() && of_other->has_value());
  EXPECT_EQ((*of_other)->version, "3");
  auto of_unregistered = registry.version_of_run(model_name, run(exp));
  ASSERT_TRUE(of_unregistered.ok());
  EXPECT_FALSE(of_unregistered->has_value());
}

TEST_F(MlflowRunRegistryIt, SetAndMoveAnAlias) {
  auto no_model = registry.version_by_alias(model_name, "production");
  ASSERT_TRUE(no_model.ok()) << no_model.error().message;
  EXPECT_FALSE(no_model->has_value());

  const std::string exp = experiment();
  const ModelVersionRef v1 = registered(run(exp));
  const ModelVersionRef v2 = registered(run(exp));
  auto unset = registry.version_by_alias(model_name, "production"); // 400 on the server
  ASSERT_TRUE(unset.ok()) << unset.error().message;
  EXPECT_FALSE(unset->has_value());

  ASSERT_TRUE(registry.set_alias(model_name, "production", v1.version).ok());
  auto at_v1 = registry.version_by_alias(model_name, "production");
  ASSERT_TRUE(at_v1.ok() && at_v1->has_value());
  EXPECT_EQ((*at_v1)->version, v1.version);
  EXPECT_EQ((*at_v1)->run_id, v1.run_id);
  EXPECT_EQ((*at_v1)->aliases, std::vector<std::string>{"production"});

  ASSERT_TRUE(registry.set_alias(model_name, "previous-production", v1.version).ok());
  ASSERT_TRUE(registry.set_alias(model_name, "production", v2.version).ok()); // moves it
  auto at_v2 = registry.version_by_alias(model_name, "production");
  ASSERT_TRUE(at_v2.ok() && at_v2->has_value());
  EXPECT_EQ((*at_v2)->version, v2.version);
  auto previous = registry.version_by_alias(model_name, "previous-production");
  ASSERT_TRUE(previous.ok() && previous->has_value());
  EXPECT_EQ((*previous)->version, v1.version);
  EXPECT_EQ((*previous)->aliases, std::vector<std::string>{"previous-production"});
}

TEST_F(MlflowRunRegistryIt, AliasErrors) {
  const std::string exp = experiment();
  const ModelVersionRef v1 = registered(run(exp));
  const Status reserved = registry.set_alias(model_name, "latest", v1.version);
  ASSERT_FALSE(reserved.ok());
  EXPECT_EQ(reserved.error().kind, ErrorKind::config) << reserved.error().message;
  const Status missing = registry.set_alias(model_name, "production", "99");
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.error().kind, ErrorKind::not_found) << missing.error().message;
}

TEST_F(MlflowRunRegistryIt, TransitionToProductionArchivesThePreviousOne) {
  const std::string exp = experiment();
  const ModelVersionRef v1 = registered(run(exp));
  const ModelVersionRef v2 = registered(run(exp));
  ASSERT_TRUE(registry.transition_to_production(model_name, v1.version).ok());
  EXPECT_EQ(fx.get_model_version(model_name, v1.version).at("current_stage"), "Production");
  const Status st = registry.transition_to_production(model_name, v2.version);
  ASSERT_TRUE(st.ok()) << st.error().message;
  EXPECT_EQ(fx.get_model_version(model_name, v2.version).at("current_stage"), "Production");
  EXPECT_EQ(fx.get_model_version(model_name, v1.version).at("current_stage"), "Archived");
  auto again = registry.transition_to_production(model_name, v2.version); // idempotent
  EXPECT_TRUE(again.ok());
  auto found = registry.version_of_run(model_name, v2.run_id);
  ASSERT_TRUE(found.ok() && found->has_value());
  EXPECT_EQ((*found)->current_stage, "Production");
  EXPECT_EQ(registry.transition_to_production(model_name, "99").error().kind, ErrorKind::not_found);
}

TEST(MlflowRunRegistryItUnreachable, ClosedPortIsUnavailableNamingTheUrl) {
  const std::string uri = "http://127.0.0.1:" + std::to_string(test::closed_local_port());
  MlflowRunRegistry registry(uri, it_options(), MlflowAuth{}, RetryHooks{[](Millis) {}, {}});
  auto id = registry.ensure_experiment("x-specialist");
  ASSERT_FALSE(id.ok());
  EXPECT_EQ(id.error().kind, ErrorKind::unavailable);
  EXPECT_NE(id.error().message.find(uri), std::string::npos) << id.error().message;
  // A connect failure never left: even runs/create is retried, then reported.
  auto run = registry.create_run("1", {});
  ASSERT_FALSE(run.ok());
  EXPECT_EQ(run.error().kind, ErrorKind::unavailable);
  EXPECT_NE(run.error().message.find("3 attempts"), std::string::npos) << run.error().message;
}

} // namespace
} // namespace mm
