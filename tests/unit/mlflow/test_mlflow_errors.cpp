#include "adapters/mlflow/mlflow_errors.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

HttpResponse response(long status, std::string body) {
  return {status, std::move(body), {}};
}

TEST(MlflowErrors, ParsesMlflowErrorBody) {
  // GET experiments/get-by-name?experiment_name=nope on MLflow 3.17.
  const auto api = parse_mlflow_error(response(
      404, R"({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Could not find experiment )"
           R"(with name 'nope'", "sqlstate": "KAM00", "error_class": "RESOURCE_NOT_FOUND"})"));
  EXPECT_EQ(api.http_status, 404);
  EXPECT_EQ(api.error_code, "RESOURCE_DOES_NOT_EXIST");
  EXPECT_EQ(api.message, "Could not find experiment with name 'nope'");
}

TEST(MlflowErrors, ForeignBodyKeepsItsStart) {
  const auto api = parse_mlflow_error(response(502, "<html>\n<h1>Bad Gateway</h1></html>"));
  EXPECT_EQ(api.error_code, "");
  EXPECT_EQ(api.message, "<html> <h1>Bad Gateway</h1></html>");
  const auto odd = parse_mlflow_error(response(500, R"({"error_code": 5, "message": ["x"]})"));
  EXPECT_EQ(odd.error_code, "");
  EXPECT_FALSE(odd.message.empty());
  EXPECT_EQ(parse_mlflow_error(response(500, "")).message, "");
}

TEST(MlflowErrors, Mapping) {
  struct Case {
    long status;
    const char* code;
    ErrorKind kind;
  };
  for (const Case c : {Case{404, "RESOURCE_DOES_NOT_EXIST", ErrorKind::not_found},
                       Case{404, "", ErrorKind::config}, Case{401, "", ErrorKind::config},
                       Case{403, "PERMISSION_DENIED", ErrorKind::config},
                       Case{301, "", ErrorKind::config}, Case{302, "", ErrorKind::config},
                       Case{400, "INVALID_PARAMETER_VALUE", ErrorKind::bad_response},
                       Case{409, "RESOURCE_ALREADY_EXISTS", ErrorKind::bad_response},
                       Case{429, "REQUEST_LIMIT_EXCEEDED", ErrorKind::unavailable},
                       Case{500, "INTERNAL_ERROR", ErrorKind::unavailable},
                       Case{503, "", ErrorKind::unavailable}}) {
    const MlflowApiError api{c.status, c.code, "msg"};
    const Error e = to_error(api, "GET http://h/api/2.0/mlflow/x");
    EXPECT_EQ(e.kind, c.kind) << c.status << " " << c.code;
    EXPECT_NE(e.message.find("GET http://h/api/2.0/mlflow/x: HTTP " + std::to_string(c.status)),
              std::string::npos)
        << e.message;
    EXPECT_NE(e.message.find(c.code), std::string::npos) << e.message;
  }
}

TEST(MlflowErrors, HintsNameTheSettings) {
  EXPECT_NE(to_error({401, "", ""}, "GET u").message.find("MLFLOW_TRACKING_TOKEN"),
            std::string::npos);
  EXPECT_NE(to_error({404, "", ""}, "GET u").message.find("MLFLOW_TRACKING_URI"),
            std::string::npos);
  const Error redirect = to_error({301, "", ""}, "GET u", "https://user:pw@mlflow.example/");
  EXPECT_NE(redirect.message.find("https://***:***@mlflow.example/"), std::string::npos)
      << redirect.message;
  EXPECT_EQ(redirect.message.find("pw@"), std::string::npos);
}

TEST(MlflowErrors, CallErrorNamesTheCallWithTheUrlRedacted) {
  // POST runs/set-tag of an unknown run on MLflow 3.17.2.
  const Error e = call_error(
      response(404, R"({"error_code": "RESOURCE_DOES_NOT_EXIST", "message": "Run with id=nope )"
                    R"(not found", "sqlstate": "KAM00", "error_class": "RESOURCE_NOT_FOUND"})"),
      "POST", "http://u:secret@h:5000/api/2.0/mlflow/runs/set-tag");
  EXPECT_EQ(e.kind, ErrorKind::not_found);
  EXPECT_NE(e.message.find("POST http://***:***@h:5000/api/2.0/mlflow/runs/set-tag: HTTP 404 "
                           "RESOURCE_DOES_NOT_EXIST: Run with id=nope not found"),
            std::string::npos)
      << e.message;
  EXPECT_EQ(e.message.find("secret"), std::string::npos);
  const Error parsed = in_call(Error::bad_response("malformed"), "GET", "http://u:pw@h/x");
  EXPECT_EQ(parsed.kind, ErrorKind::bad_response);
  EXPECT_EQ(parsed.message, "GET http://***:***@h/x: malformed");
}

TEST(MlflowErrors, MissingAliasQuirk) {
  // GET registered-models/alias of an unset alias, MLflow 3.17.2: 400, not 404.
  EXPECT_TRUE(is_missing_alias(parse_mlflow_error(response(
      400, R"({"error_code": "INVALID_PARAMETER_VALUE", "message": "Registered model alias )"
           R"(production not found.", "sqlstate": "KAM00"})"))));
  EXPECT_TRUE(is_missing_alias({404, "RESOURCE_DOES_NOT_EXIST", "Alias prod not found"}));
  // Other 400s of the same endpoint are not a missing alias.
  EXPECT_FALSE(is_missing_alias(
      {400, "INVALID_PARAMETER_VALUE", "'latest' alias name (case insensitive) is reserved."}));
  EXPECT_FALSE(is_missing_alias({400, "INVALID_PARAMETER_VALUE", "Invalid alias name: 'a b'."}));
  EXPECT_FALSE(is_missing_alias({500, "", "alias not found"}));
}

} // namespace
} // namespace mm
