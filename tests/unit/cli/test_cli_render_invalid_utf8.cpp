// Regression (found by tests/fuzz, docs/fuzzing.md): error messages quote what a service sent,
// cut at a byte count (HttpClient keeps the first 200 bytes of a body). A proxy's UTF-8 error
// page cut inside a character, or a body that is not UTF-8 at all, made the JSON renderers
// throw nlohmann's type_error 316, and `check --output-format json` ended with exit 4
// ("internal error") and no report instead of exit 3 and the report of the failure.

#include "cli/report_render.hpp"
#include "cli/retrain_render.hpp"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include <string>

namespace mm {
namespace {

// "...Servi" followed by the first byte of "ç" (0xC3 0xA7): what a 200-byte cut leaves.
const std::string k_cut_message =
    std::string("GET http://mlflow:5000/api/2.0/mlflow/runs/get: HTTP 502: Servi") + '\xc3' +
    "...; the service is overloaded or failing, retry later";
const std::string k_latin1_message = std::string("HTTP 502: ") + "Servi\xe7o indispon\xedvel";

TEST(RenderInvalidUtf8, CheckJsonReplacesInvalidBytesInsteadOfThrowing) {
  for (const std::string& message : {k_cut_message, k_latin1_message}) {
    CheckOutcome o;
    o.specialist_type = "technical";
    o.error = Error::unavailable(message);
    for (const bool single : {true, false}) {
      std::string out;
      ASSERT_NO_THROW(out = render_json({o}, Lang::en, single));
      const auto j = nlohmann::json::parse(out);
      const auto& report = single ? j : j.at("reports").at(0);
      const std::string rendered = report.at("error").at("message").get<std::string>();
      EXPECT_NE(rendered.find("\xef\xbf\xbd"), std::string::npos) << rendered; // U+FFFD
      EXPECT_EQ(rendered.substr(0, 10), message.substr(0, 10));
    }
  }
}

TEST(RenderInvalidUtf8, RetrainJsonReplacesInvalidBytesInsteadOfThrowing) {
  RetrainOutcome o;
  o.specialist_type = "technical";
  o.check_error = Error::unavailable(k_cut_message);
  o.state = "failed";
  o.failed_step = "dataset";
  o.error = Error::bad_response(k_latin1_message);
  for (const bool single : {true, false}) {
    std::string out;
    ASSERT_NO_THROW(out = render_retrain_json({o}, single));
    EXPECT_NE(out.find("\xef\xbf\xbd"), std::string::npos) << out; // U+FFFD
    EXPECT_TRUE(nlohmann::json::accept(out)) << out;
  }
}

} // namespace
} // namespace mm
