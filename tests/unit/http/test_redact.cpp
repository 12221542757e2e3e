#include "adapters/http/redact.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

struct RedactCase {
  const char* in;
  const char* out;
};

class RedactUrl : public ::testing::TestWithParam<RedactCase> {};

TEST_P(RedactUrl, Masks) {
  EXPECT_EQ(redact_url(GetParam().in), GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    Table, RedactUrl,
    ::testing::Values(
        // Userinfo.
        RedactCase{"http://user:pass@host", "http://***:***@host"},
        RedactCase{"https://user:pass@host:5000/api/2.0/mlflow/runs/get?run_id=abc",
                   "https://***:***@host:5000/api/2.0/mlflow/runs/get?run_id=abc"},
        RedactCase{"http://user@host/", "http://***@host/"},
        RedactCase{"http://:secret@host/", "http://***:***@host/"},
        RedactCase{"http://us%40er:p%3Ass@host", "http://***:***@host"},
        RedactCase{"http://user:p@ss@host/x", "http://***:***@host/x"}, // unencoded '@'
        // No credentials: unchanged.
        RedactCase{"http://mlflow.mlflow:5000", "http://mlflow.mlflow:5000"},
        RedactCase{"http://127.0.0.1:15001/api/2.0/mlflow/experiments/get-by-name?"
                   "experiment_name=technical-specialist",
                   "http://127.0.0.1:15001/api/2.0/mlflow/experiments/get-by-name?"
                   "experiment_name=technical-specialist"},
        RedactCase{"http://host/path/with@sign", "http://host/path/with@sign"}, RedactCase{"", ""},
        RedactCase{"not a url", "not a url"},
        // Secret query parameters.
        RedactCase{"https://h/x?token=abc", "https://h/x?token=***"},
        RedactCase{"https://h/x?a=1&api_key=abc&b=2", "https://h/x?a=1&api_key=***&b=2"},
        RedactCase{"https://h/x?access_token=abc#frag", "https://h/x?access_token=***#frag"},
        RedactCase{"https://b.s3.amazonaws.com/k?X-Amz-Credential=AK%2F1&X-Amz-Signature=ff&"
                   "X-Amz-Security-Token=tt&X-Amz-Expires=60",
                   "https://b.s3.amazonaws.com/k?X-Amz-Credential=***&X-Amz-Signature=***&"
                   "X-Amz-Security-Token=***&X-Amz-Expires=60"},
        RedactCase{"https://acct.blob.core.windows.net/c/b?sv=2020&sig=abc%3D&se=x",
                   "https://acct.blob.core.windows.net/c/b?sv=2020&sig=***&se=x"},
        RedactCase{"https://h/?password=p&PASSWORD=q&Secret=s&client_secret=c&key=k",
                   "https://h/?password=***&PASSWORD=***&Secret=***&client_secret=***&key=***"},
        RedactCase{"https://h/?token=", "https://h/?token="}, // nothing to hide
        RedactCase{"https://h/?token", "https://h/?token"},
        RedactCase{"https://u:p@h/?token=t", "https://***:***@h/?token=***"},
        // MongoDB URIs (the mongo adapter prints them too).
        RedactCase{"mongodb://admin:s3cret@mongo-0:27017,mongo-1:27017/neural_hive"
                   "?replicaSet=rs0&authSource=admin",
                   "mongodb://***:***@mongo-0:27017,mongo-1:27017/neural_hive"
                   "?replicaSet=rs0&authSource=admin"},
        RedactCase{"mongodb+srv://app:pw@cluster0.example.net/?retryWrites=true",
                   "mongodb+srv://***:***@cluster0.example.net/?retryWrites=true"},
        RedactCase{"mongodb://h:27017/?authMechanism=MONGODB-AWS&authMechanismProperties="
                   "AWS_SESSION_TOKEN:abc&tlsCertificateKeyFilePassword=pw",
                   "mongodb://h:27017/?authMechanism=MONGODB-AWS&authMechanismProperties=***&"
                   "tlsCertificateKeyFilePassword=***"},
        RedactCase{"mongodb://127.0.0.1:27017", "mongodb://127.0.0.1:27017"},
        // Without a scheme.
        RedactCase{"user:pass@host:27017/db", "***:***@host:27017/db"},
        RedactCase{"host:27017/db", "host:27017/db"}));

TEST(IsSecretParameter, Names) {
  for (const char* name : {"token",
                           "access_token",
                           "refresh_token",
                           "X-Amz-Security-Token",
                           "key",
                           "api_key",
                           "apiKey",
                           "x-api-key",
                           "password",
                           "passwd",
                           "pwd",
                           "pass",
                           "secret",
                           "client_secret",
                           "sig",
                           "signature",
                           "X-Goog-Signature",
                           "credential",
                           "X-Amz-Credential",
                           "auth",
                           "authorization",
                           "tlsCertificateKeyFilePassword",
                           "authMechanismProperties"}) {
    EXPECT_TRUE(is_secret_parameter(name)) << name;
  }
  for (const char* name : {"run_id", "experiment_name", "name", "alias", "max_results",
                           "authSource", "authMechanism", "replicaSet", "sv", "se", "db", ""}) {
    EXPECT_FALSE(is_secret_parameter(name)) << name;
  }
}

} // namespace
} // namespace mm
