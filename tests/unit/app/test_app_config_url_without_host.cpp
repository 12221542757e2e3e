// Regression (found by tests/fuzz/fuzz_config, docs/fuzzing.md): an http(s) URL variable made of
// the scheme and slashes only ("https:///") passed the length check and lost its trailing
// slashes afterwards, leaving "https:" as the MLflow tracking URI (or LLM base URL, Pushgateway,
// Slack webhook): every request then failed with a confusing libcurl error instead of exit 2
// naming the variable at start-up.

#include "app/config.hpp"

#include <gtest/gtest.h>

#include <map>
#include <string>

namespace mm {
namespace {

EnvLookup env_with(const std::string& name, const std::string& value) {
  return [=](const std::string& n) -> std::optional<std::string> {
    return n == name ? std::optional<std::string>(value) : std::nullopt;
  };
}

TEST(ConfigUrlWithoutHost, SlashesOnlyAreRejectedWithTheVariablesName) {
  for (const char* name :
       {"MLFLOW_TRACKING_URI", "LLM_BASE_URL", "PROMETHEUS_PUSHGATEWAY_URL", "SLACK_WEBHOOK_URL"}) {
    for (const char* value : {"https:///", "http:////", "https://////////", " http:/// "}) {
      auto c = load_config(env_with(name, value));
      ASSERT_FALSE(c.ok()) << name << "=" << value;
      EXPECT_EQ(c.error().kind, ErrorKind::config);
      EXPECT_NE(c.error().message.find(name), std::string::npos) << c.error().message;
    }
  }
}

TEST(ConfigUrlWithoutHost, TrailingSlashesOfARealUrlAreStillDropped) {
  auto c = load_config(env_with("MLFLOW_TRACKING_URI", "http://x/"));
  ASSERT_TRUE(c.ok()) << c.error().message;
  EXPECT_EQ(c->mlflow_tracking_uri, "http://x");
  auto d = load_config(env_with("MLFLOW_TRACKING_URI", "https://mlflow.example.com/prefix///"));
  ASSERT_TRUE(d.ok()) << d.error().message;
  EXPECT_EQ(d->mlflow_tracking_uri, "https://mlflow.example.com/prefix");
}

} // namespace
} // namespace mm
