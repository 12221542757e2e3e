// The decisions of MlflowTracker::production_metrics_many (mlflow_fleet.hpp) on plain values, and
// the parsing of the search answers it reads (bodies as MLflow 3.17 answers them).

#include "adapters/mlflow/mlflow_convert.hpp"
#include "adapters/mlflow/mlflow_fleet.hpp"
#include "adapters/mlflow/mlflow_parse.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

MlflowModelVersion version(const std::string& model, const std::string& number,
                           const std::string& run_id, const std::string& stage = "None") {
  MlflowModelVersion v;
  v.name = model;
  v.version = number;
  v.run_id = run_id;
  v.current_stage = stage;
  return v;
}

ProductionLookup lookup(const std::string& model, const std::string& alias = "production") {
  return {model, "exp-of-" + model, alias, 100};
}

// m: alias production → 2; versions 1 (Production), 2, 10 (Production).
FleetRegistry registry() {
  FleetRegistry r;
  r.models["m"] = MlflowRegisteredModel{"m", {{"production", "2"}, {"challenger", "1"}}};
  r.versions["m"] = {version("m", "1", "run-1", "Production"), version("m", "2", "run-2"),
                     version("m", "10", "run-10", "Production")};
  return r;
}

TEST(FleetProductionVersion, TheAliasDecidesWhateverTheStages) {
  const auto c = settled_production_version(lookup("m"), registry());
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->source, RunSource::alias);
  EXPECT_EQ(c->version.version, "2");
  EXPECT_EQ(c->version.run_id, "run-2");
}

TEST(FleetProductionVersion, WithoutTheAliasTheHighestProductionVersion) {
  // "10" > "1" as numbers, as get-latest-versions orders them.
  for (const std::string alias : {"champion", ""}) {
    const auto c = settled_production_version(lookup("m", alias), registry());
    ASSERT_TRUE(c.has_value()) << alias;
    EXPECT_EQ(c->source, RunSource::legacy_stage);
    EXPECT_EQ(c->version.version, "10");
  }
  FleetRegistry r = registry();
  r.versions["m"][2].current_stage = "production"; // stages compare without case, as before
  r.versions["m"][0].current_stage = "Archived";
  const auto c = settled_production_version(lookup("m", "champion"), r);
  ASSERT_TRUE(c.has_value());
  EXPECT_EQ(c->version.version, "10");
}

TEST(FleetProductionVersion, WhatTheSearchesCannotDecideIsLeftToTheTracker) {
  // Unknown model: production_metrics decides between the legacy stage and the latest run.
  EXPECT_FALSE(settled_production_version(lookup("other"), registry()));
  // "latest" (any case) is resolved by the server.
  FleetRegistry r = registry();
  r.models["m"].aliases["latest"] = "1";
  for (const std::string alias : {"latest", "Latest", "LATEST"}) {
    EXPECT_FALSE(settled_production_version(lookup("m", alias), r)) << alias;
  }
  // An alias that matches only ignoring case: the database's collation would decide.
  EXPECT_FALSE(settled_production_version(lookup("m", "Production"), registry()));
  EXPECT_FALSE(settled_production_version(lookup("m", "CHALLENGER"), registry()));
  // The aliased version is not among the versions found, or has no run.
  r = registry();
  r.models["m"].aliases["production"] = "7";
  EXPECT_FALSE(settled_production_version(lookup("m"), r));
  r = registry();
  r.versions["m"][1].run_id.clear();
  EXPECT_FALSE(settled_production_version(lookup("m"), r));
  // No alias and nothing in Production: production_metrics reads the latest run.
  r = registry();
  r.models["m"].aliases.clear();
  for (auto& v : r.versions["m"]) {
    v.current_stage = "Staging";
  }
  EXPECT_FALSE(settled_production_version(lookup("m"), r));
  r.versions.clear();
  EXPECT_FALSE(settled_production_version(lookup("m"), r));
}

MlflowRun run(const std::string& id, const std::string& status,
              std::map<std::string, double> metrics) {
  MlflowRun r;
  r.run_id = id;
  r.experiment_id = "7";
  r.status = status;
  r.end_time_ms = 1700000000000;
  r.metrics = std::move(metrics);
  return r;
}

TEST(FleetMetrics, AFinishedScorableRunGivesWhatProductionMetricsGives) {
  const FleetChoice choice{version("m", "2", "run-2"), RunSource::alias};
  const auto m = settled_metrics(
      choice, run("run-2", "FINISHED",
                  {{"precision", 0.8}, {"recall", 0.7}, {"f1_score", 0.74}, {"accuracy", 0.9}}));
  ASSERT_TRUE(m.has_value());
  EXPECT_EQ(m->source, RunSource::alias);
  EXPECT_EQ(m->model_name, "m");
  EXPECT_EQ(m->model_version, "2");
  EXPECT_EQ(m->run_id, "run-2");
  EXPECT_EQ(m->experiment_id, "7");
  EXPECT_EQ(m->run_end_time_ms, 1700000000000);
  EXPECT_EQ(m->f1_score, 0.74);
  EXPECT_EQ(m->accuracy, 0.9);
  // Precision and recall without f1_score: check derives F1, as for production_metrics.
  const auto pr =
      settled_metrics(choice, run("run-2", "FINISHED", {{"precision", 0.8}, {"recall", 0.7}}));
  ASSERT_TRUE(pr.has_value());
  EXPECT_FALSE(pr->f1_score.has_value());
  // f1_score outside [0, 1] is dropped; precision and recall still score it.
  EXPECT_TRUE(settled_metrics(
      choice, run("run-2", "FINISHED", {{"precision", 0.8}, {"recall", 0.7}, {"f1_score", 74.0}})));
}

TEST(FleetMetrics, RunsProductionMetricsReportsAnErrorForAreNotSettled) {
  const FleetChoice choice{version("m", "2", "run-2"), RunSource::legacy_stage};
  for (const char* status : {"RUNNING", "FAILED", "KILLED", "SCHEDULED"}) {
    EXPECT_FALSE(settled_metrics(choice, run("run-2", status, {{"f1_score", 0.8}}))) << status;
  }
  EXPECT_FALSE(settled_metrics(choice, run("run-2", "FINISHED", {{"accuracy", 0.9}})));
  EXPECT_FALSE(settled_metrics(choice, run("run-2", "FINISHED", {{"precision", 0.9}})));
  EXPECT_FALSE(settled_metrics(choice, run("run-2", "FINISHED", {{"f1_score", 1.5}})));
  EXPECT_FALSE(settled_metrics(choice, run("other", "FINISHED", {{"f1_score", 0.8}})));
}

TEST(FleetFilters, LikeCoversEveryNameWithTheirCommonPrefixAndSuffix) {
  EXPECT_EQ(like_covering({"fleet0000-specialist", "fleet0999-specialist", "fleet0123-specialist"},
                          "name"),
            "name LIKE 'fleet0%-specialist'");
  EXPECT_EQ(like_covering({"technical-specialist", "business-specialist"}, "name"),
            "name LIKE '%-specialist'");
  EXPECT_EQ(like_covering({"a-specialist"}, "name"), "name = 'a-specialist'");
  EXPECT_EQ(like_covering({"x", "x"}, "name"), "name = 'x'");
  // Prefix and suffix may not overlap: "ab%ab" would not match "ab".
  EXPECT_EQ(like_covering({"ab", "abab"}, "name"), "name LIKE 'ab%'");
  EXPECT_EQ(like_covering({"abc", "xyz"}, "name"), ""); // no filter: every model
  EXPECT_FALSE(like_covering({}, "name"));
  EXPECT_FALSE(like_covering({"ok", "it's"}, "name"));
  EXPECT_FALSE(like_covering({"ok", ""}, "name"));
}

TEST(FleetFilters, RunIdsInOneInList) {
  EXPECT_EQ(run_ids_filter({"a1", "b2"}), "attributes.run_id IN ('a1','b2')");
  EXPECT_FALSE(run_ids_filter({"a1", "b'2"}));
}

TEST(FleetParse, RegisteredModelsWithTheirAliases) {
  // GET registered-models/search?filter=name LIKE 'fleet%-specialist' (abridged).
  auto r = parse_registered_models_page(R"({
  "registered_models": [
    {"name": "fleet0000-specialist", "creation_timestamp": 1795515364728,
     "latest_versions": [{"name": "fleet0000-specialist", "version": "1",
                          "current_stage": "None", "run_id": "5d3e953966aa4bd69c83b00379f36f17"}],
     "aliases": [{"alias": "production", "version": "1"}, {"alias": "previous", "version": 3}]},
    {"name": "fleet0001-specialist"}
  ],
  "next_page_token": "eyJvZmZzZXQiOiAxMDAwfQ=="
})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->models.size(), 2U);
  EXPECT_EQ(r->models[0].name, "fleet0000-specialist");
  EXPECT_EQ(r->models[0].aliases,
            (std::map<std::string, std::string>{{"production", "1"}, {"previous", "3"}}));
  EXPECT_TRUE(r->models[1].aliases.empty());
  EXPECT_EQ(r->names, (std::vector<std::string>{"fleet0000-specialist", "fleet0001-specialist"}));
  for (const char* body : {R"({"registered_models":[{"name":"m","aliases":{}}]})",
                           R"({"registered_models":[{"name":"m","aliases":["production"]}]})",
                           R"({"registered_models":[{"name":"m","aliases":[{"version":"1"}]}]})",
                           R"({"registered_models":[{"name":"m","aliases":[{"alias":"p"}]}]})"}) {
    EXPECT_FALSE(parse_registered_models_page(body).ok()) << body;
  }
}

TEST(FleetParse, ModelVersionsPageCarriesItsToken) {
  // GET model-versions/search (MLflow 3.17 returns no aliases here: registered-models/search does).
  auto r = parse_model_versions_page(R"({
  "model_versions": [{"name": "fleet0998-specialist", "version": "1",
    "creation_timestamp": 1795515437290, "current_stage": "None", "description": "",
    "source": "runs:/0d16f4c6b58c453892db2d6dedaa2236/model",
    "run_id": "0d16f4c6b58c453892db2d6dedaa2236", "status": "READY", "run_link": ""}],
  "next_page_token": "t2"
})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->versions.size(), 1U);
  EXPECT_EQ(r->versions[0].run_id, "0d16f4c6b58c453892db2d6dedaa2236");
  EXPECT_EQ(r->next_page_token, "t2");
  auto empty = parse_model_versions_page("{}");
  ASSERT_TRUE(empty.ok());
  EXPECT_TRUE(empty->versions.empty());
  EXPECT_TRUE(empty->next_page_token.empty());
  EXPECT_FALSE(parse_model_versions_page(R"({"model_versions": [{}]})").ok());
  EXPECT_FALSE(parse_model_versions_page(R"({"next_page_token": 3})").ok());
}

TEST(FleetParse, ExperimentsPage) {
  // POST experiments/search {"filter": "name LIKE 'fleet%-specialist'", "view_type": "ALL"}
  auto r = parse_search_experiments_page(R"({
  "experiments": [
    {"experiment_id": "1000", "name": "fleet0999-specialist",
     "artifact_location": "mlflow-artifacts:/1000", "lifecycle_stage": "active",
     "last_update_time": 1795515436000, "creation_time": 1795515436000},
    {"experiment_id": 12, "name": "fleet0001-specialist", "lifecycle_stage": "deleted"}
  ],
  "next_page_token": "p"
})");
  ASSERT_TRUE(r.ok()) << r.error().message;
  ASSERT_EQ(r->experiments.size(), 2U);
  EXPECT_EQ(r->experiments[0].experiment_id, "1000");
  EXPECT_EQ(r->experiments[1].experiment_id, "12");
  EXPECT_EQ(r->experiments[1].lifecycle_stage, "deleted");
  EXPECT_EQ(r->next_page_token, "p");
  EXPECT_TRUE(parse_search_experiments_page("{}")->experiments.empty());
  for (const char* body : {R"({"experiments": {}})", R"({"experiments": [{"name": "x"}]})",
                           R"({"experiments": ["x"]})"}) {
    EXPECT_FALSE(parse_search_experiments_page(body).ok()) << body;
  }
}

} // namespace
} // namespace mm
