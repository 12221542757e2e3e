// The grep of the secret-leak tests can fail: it finds every planted value, in every form, in a
// control string, and finds nothing in masked text or in random bytes.
#include "integration/secrets/leak_scan.hpp"
#include "integration/secrets/secrets_fixture.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <random>

namespace mm::test {
namespace {

const std::string k_webhook = std::string("http://127.0.0.1:31081") + k_slack_path;

bool found(const std::string& text, const std::string& secret_name) {
  for (const Leak& leak : find_leaks(planted_secrets(k_webhook), {{"control", text}})) {
    if (leak.secret == secret_name) {
      return true;
    }
  }
  return false;
}

TEST(LeakScan, Base64MatchesRfc4648) {
  // RFC 4648 §10 test vectors.
  EXPECT_EQ(base64(""), "");
  EXPECT_EQ(base64("f"), "Zg==");
  EXPECT_EQ(base64("fo"), "Zm8=");
  EXPECT_EQ(base64("foo"), "Zm9v");
  EXPECT_EQ(base64("foob"), "Zm9vYg==");
  EXPECT_EQ(base64("fooba"), "Zm9vYmE=");
  EXPECT_EQ(base64("foobar"), "Zm9vYmFy");
}

TEST(LeakScan, PercentEncodingRoundTrips) {
  EXPECT_EQ(percent_decode(k_mongo_password), "LEAKCANARY-mongo+p@ss");
  EXPECT_EQ(percent_encode("LEAKCANARY-mongo+p@ss"), k_mongo_password);
  EXPECT_EQ(percent_decode("100%"), "100%");
}

TEST(LeakScan, FindsEveryFormOfEveryPlantedSecretInAControlString) {
  for (const Secret& secret : planted_secrets(k_webhook)) {
    const auto forms = forms_of(secret);
    ASSERT_FALSE(forms.empty()) << secret.name;
    for (const auto& [form, needle] : forms) {
      const std::string control = "{\"msg\": \"error at " + needle + "; check it\"}";
      EXPECT_TRUE(found(control, secret.name)) << secret.name << " as " << form << ": " << needle;
    }
  }
}

TEST(LeakScan, FindsSecretsTheWayProtocolsEncodeThem) {
  // HTTP basic auth (RFC 7617) of the MLflow credentials, as libcurl sends them (decoded).
  EXPECT_TRUE(found("Authorization: Basic " +
                        base64(std::string(k_mlflow_basic_user) + ":" + k_mlflow_password),
                    "MLFLOW_TRACKING_PASSWORD"));
  EXPECT_TRUE(found("Authorization: Basic " + base64(std::string(k_mlflow_user) + ":" +
                                                     percent_decode(k_mlflow_uri_password)),
                    "the password in MLFLOW_TRACKING_URI"));
  // SMTP AUTH PLAIN (RFC 4616: authzid NUL authcid NUL passwd) and AUTH LOGIN.
  EXPECT_TRUE(found("AUTH PLAIN " + base64(std::string("\0", 1) + k_smtp_user +
                                           std::string("\0", 1) + k_smtp_password),
                    "SMTP_PASSWORD"));
  EXPECT_TRUE(found("334 UGFzc3dvcmQ6\r\n" + base64(k_smtp_password), "SMTP_PASSWORD"));
  // A MongoDB password as the driver sees it, decoded.
  EXPECT_TRUE(found("auth failed for LEAKCANARY-mongo+p@ss", "the password in MONGODB_URI"));
  // The Slack token alone, and a partly masked value.
  EXPECT_TRUE(
      found("POST /services/T000/B000/LEAKCANARYxyz", "the token in SLACK_WEBHOOK_URL's path"));
  EXPECT_TRUE(found("key=sk-LEAKCANARY-***", "the marker every planted value contains"));
}

TEST(LeakScan, FindsNothingInMaskedTextOrRandomBytes) {
  const std::string masked =
      "MONGODB_URI=mongodb://***:***@127.0.0.1:27117/?authMechanism=PLAIN\n"
      "MLFLOW_TRACKING_URI=http://***:***@127.0.0.1:15000\nOPENAI_API_KEY=***\n"
      "Slack webhook (SLACK_WEBHOOK_URL) answered HTTP 404: no_service\n"
      "POST http://127.0.0.1:1/(SLACK_WEBHOOK_URL path): cannot connect";
  EXPECT_TRUE(find_leaks(planted_secrets(k_webhook), {{"masked", masked}}).empty());

  std::mt19937_64 rng(20240905);
  std::string noise(4U * 1024U * 1024U, '\0');
  for (char& c : noise) {
    c = static_cast<char>(rng() & 0xFFU);
  }
  const auto leaks = find_leaks(planted_secrets(k_webhook), {{"random bytes", noise}});
  EXPECT_TRUE(leaks.empty()) << describe(leaks);
}

// End to end through the real binary: SLACK_CHANNEL is no secret, so --print-config prints it
// as it is; planted with a secret's value, the scan must report it.
TEST(LeakScan, FindsAPlantedValueTheBinaryPrints) {
  const ProcessResult r =
      run_process({"timeout", "60", MM_BINARY, "check", "--print-config"},
                  {{"SLACK_CHANNEL", std::string("#") + k_openai_key}, {"LOG_FORMAT", "json"}});
  ASSERT_EQ(r.exit_code, 0) << r.err;
  const auto leaks = find_leaks(planted_secrets(k_webhook), {{"stdout of --print-config", r.out}});
  ASSERT_FALSE(leaks.empty()) << r.out;
  EXPECT_EQ(leaks.front().secret, "OPENAI_API_KEY");
  EXPECT_NE(leaks.front().where.find("--print-config"), std::string::npos);
}

} // namespace
} // namespace mm::test
