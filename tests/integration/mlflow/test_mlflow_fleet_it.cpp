// MlflowTracker::production_metrics_many against the real MLflow server of MLFLOW_TRACKING_URI:
// for a fleet mixing every path of DESIGN §3, what it settles must be exactly what
// production_metrics returns for that specialist, and what it leaves out must be the cases it
// cannot decide or whose result is an error.

#include "adapters/mlflow/mlflow_tracker.hpp"
#include "support/mlflow_fixture.hpp"
#include "support/mongo_fixture.hpp" // closed_local_port

#include <gtest/gtest.h>

#include <set>

namespace mm {
namespace {

using test::MetricPoint;
using test::MlflowFixture;

constexpr std::int64_t k_t0 = 1'700'000'000'000;

HttpOptions it_options() {
  HttpOptions o;
  o.max_retries = 2;
  o.backoff_factor = 0.1;
  o.connect_timeout_ms = 2000;
  o.total_timeout_ms = 20000;
  return o;
}

std::vector<MetricPoint> metrics(double f1) {
  return {{"precision", 0.8}, {"recall", 0.75}, {"f1_score", f1}, {"accuracy", 0.85}};
}

void expect_same(const MlflowMetrics& a, const MlflowMetrics& b, const std::string& what) {
  EXPECT_EQ(a.source, b.source) << what;
  EXPECT_EQ(a.run_id, b.run_id) << what;
  EXPECT_EQ(a.experiment_id, b.experiment_id) << what;
  EXPECT_EQ(a.model_name, b.model_name) << what;
  EXPECT_EQ(a.model_version, b.model_version) << what;
  EXPECT_EQ(a.precision, b.precision) << what;
  EXPECT_EQ(a.recall, b.recall) << what;
  EXPECT_EQ(a.f1_score, b.f1_score) << what;
  EXPECT_EQ(a.accuracy, b.accuracy) << what;
  EXPECT_EQ(a.run_end_time_ms, b.run_end_time_ms) << what;
}

class MlflowFleetIt : public ::testing::Test {
protected:
  MlflowFixture fx;
  MlflowTracker tracker{fx.tracking_uri(), it_options(), MlflowAuth{}};

  // "fl<letter><fixture suffix>": the fleet's names share a prefix and a suffix, so the
  // searches' LIKE filters see this fixture's models and experiments only.
  std::string type(char letter) const { return fx.unique_type(std::string("fl") + letter); }
  static std::string model(const std::string& t) { return t + "-specialist"; }
  ProductionLookup lookup(const std::string& t, const std::string& alias = "production") const {
    return {model(t), t + "-specialist", alias, 100};
  }
};

TEST_F(MlflowFleetIt, SettlesWhatProductionMetricsWouldReturnAndLeavesTheRest) {
  // a: alias on the older of two versions.
  const std::string a = type('a');
  const auto exp_a = fx.get_or_create_experiment(a + "-specialist");
  const auto a_old = fx.add_run(exp_a, k_t0, "FINISHED", metrics(0.71));
  const auto a_new = fx.add_run(exp_a, k_t0 + 1000, "FINISHED", metrics(0.9));
  fx.create_registered_model(model(a));
  const auto a_v1 = fx.create_model_version(model(a), a_old);
  (void)fx.create_model_version(model(a), a_new);
  fx.set_alias(model(a), "production", a_v1);
  // b: no alias, version 1 in legacy stage Production, version 2 newer but not.
  const std::string b = type('b');
  const auto exp_b = fx.get_or_create_experiment(b + "-specialist");
  const auto b_run = fx.add_run(exp_b, k_t0, "FINISHED", metrics(0.77));
  fx.create_registered_model(model(b));
  const auto b_v1 = fx.create_model_version(model(b), b_run);
  (void)fx.create_model_version(model(b),
                                fx.add_run(exp_b, k_t0 + 1000, "FINISHED", metrics(0.99)));
  ASSERT_TRUE(fx.transition_stage(model(b), b_v1, "Production"));
  // c: no registered model: the experiment's latest FINISHED run (left to production_metrics).
  const std::string c = type('c');
  const auto exp_c = fx.get_or_create_experiment(c + "-specialist");
  (void)fx.add_run(exp_c, k_t0, "FINISHED", metrics(0.8));
  // d: the aliased version's run is still RUNNING: production_metrics reports an error.
  const std::string d = type('d');
  const auto exp_d = fx.get_or_create_experiment(d + "-specialist");
  const auto d_run = fx.add_run(exp_d, k_t0, "RUNNING", metrics(0.8));
  fx.create_registered_model(model(d));
  fx.set_alias(model(d), "production", fx.create_model_version(model(d), d_run));
  // e: the aliased version's run was logged in another experiment.
  const std::string e = type('e');
  (void)fx.get_or_create_experiment(e + "-specialist");
  const auto elsewhere = fx.get_or_create_experiment("elsewhere-" + fx.suffix());
  const auto e_run = fx.add_run(elsewhere, k_t0, "FINISHED", metrics(0.82));
  fx.create_registered_model(model(e));
  fx.set_alias(model(e), "production", fx.create_model_version(model(e), e_run));
  // f: an alias that matches only ignoring case, and a legacy Production version.
  const std::string f = type('f');
  const auto exp_f = fx.get_or_create_experiment(f + "-specialist");
  const auto f_run = fx.add_run(exp_f, k_t0, "FINISHED", metrics(0.79));
  fx.create_registered_model(model(f));
  const auto f_v1 = fx.create_model_version(model(f), f_run);
  fx.set_alias(model(f), "PRODUCTION", f_v1);
  ASSERT_TRUE(fx.transition_stage(model(f), f_v1, "Production"));
  // g: a run that logged accuracy only: production_metrics says it cannot be scored.
  const std::string g = type('g');
  const auto exp_g = fx.get_or_create_experiment(g + "-specialist");
  const auto g_run = fx.add_run(exp_g, k_t0, "FINISHED", {{"accuracy", 0.9}});
  fx.create_registered_model(model(g));
  fx.set_alias(model(g), "production", fx.create_model_version(model(g), g_run));

  std::vector<ProductionLookup> lookups;
  for (const auto& t : {a, b, c, d, e, f, g}) {
    lookups.push_back(lookup(t));
  }
  auto settled = tracker.production_metrics_many(lookups);
  ASSERT_TRUE(settled.ok()) << settled.error().message;
  std::set<std::string> names;
  for (const auto& [name, m] : *settled) {
    names.insert(name);
  }
  EXPECT_EQ(names, (std::set<std::string>{model(a), model(b)}));

  for (const auto& l : lookups) {
    auto one = tracker.production_metrics(l);
    const auto it = settled->find(l.model_name);
    if (it != settled->end()) {
      ASSERT_TRUE(one.ok()) << l.model_name << ": " << one.error().message;
      expect_same(it->second, *one, l.model_name);
    }
  }
  EXPECT_EQ(settled->at(model(a)).source, RunSource::alias);
  EXPECT_EQ(settled->at(model(a)).run_id, a_old);
  EXPECT_EQ(settled->at(model(a)).model_version, a_v1);
  EXPECT_EQ(settled->at(model(b)).source, RunSource::legacy_stage);
  EXPECT_EQ(settled->at(model(b)).run_id, b_run);
  // What was left out is still answered one by one, as before.
  EXPECT_EQ(tracker.production_metrics(lookup(c))->source, RunSource::latest_run);
  EXPECT_FALSE(tracker.production_metrics(lookup(d)).ok());
  EXPECT_EQ(tracker.production_metrics(lookup(e))->run_id, e_run);
}

TEST_F(MlflowFleetIt, TheLatestAliasAndUnknownModelsAreLeftToProductionMetrics) {
  const std::string a = type('a');
  const auto exp = fx.get_or_create_experiment(a + "-specialist");
  const auto run = fx.add_run(exp, k_t0, "FINISHED", metrics(0.8));
  fx.create_registered_model(model(a));
  fx.set_alias(model(a), "production", fx.create_model_version(model(a), run));

  auto latest = tracker.production_metrics_many({lookup(a, "latest"), lookup(type('z'))});
  ASSERT_TRUE(latest.ok()) << latest.error().message;
  EXPECT_TRUE(latest->empty());
  auto none = tracker.production_metrics_many({});
  ASSERT_TRUE(none.ok());
  EXPECT_TRUE(none->empty());
}

TEST_F(MlflowFleetIt, AnUnreachableServerFailsTheWholeCall) {
  HttpOptions o = it_options();
  o.max_retries = 0;
  MlflowTracker down("http://127.0.0.1:" + std::to_string(test::closed_local_port()), o,
                     MlflowAuth{});
  auto r = down.production_metrics_many({lookup(type('a')), lookup(type('b'))});
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().kind, ErrorKind::unavailable) << r.error().message;
}

} // namespace
} // namespace mm
