// The one masker of URIs (core/redact.hpp): HTTP URLs of every service, MongoDB connection
// strings, links in notifications, and what a client library quotes back.
#include "core/redact.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

struct RedactCase {
  const char* in;
  const char* out;
};

class MaskUriCredentials : public ::testing::TestWithParam<RedactCase> {};

TEST_P(MaskUriCredentials, Masks) {
  EXPECT_EQ(mask_uri_credentials(GetParam().in), GetParam().out);
}

INSTANTIATE_TEST_SUITE_P(
    Table, MaskUriCredentials,
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

// MongoDB connection strings: the rules above, plus ';' between options and a database path.
TEST(MaskUriCredentials, MongoDbUris) {
  const RedactCase cases[] = {
      {"mongodb://127.0.0.1:27017/", "mongodb://127.0.0.1:27017/"},
      {"mongodb://user:secret@host", "mongodb://***:***@host"},
      {"mongodb://user:secret@host:27017/neural_hive?authSource=admin",
       "mongodb://***:***@host:27017/neural_hive?authSource=admin"},
      {"mongodb+srv://app:p%40ss@cluster0.example.net/db",
       "mongodb+srv://***:***@cluster0.example.net/db"},
      {"mongodb://u:pw@h1:1,h2:2,h3:3/?replicaSet=rs0",
       "mongodb://***:***@h1:1,h2:2,h3:3/?replicaSet=rs0"},
      // Invalid but seen: a raw '@' or '/' in the password stays inside the masked part.
      {"mongodb://u:p@ss@host/db", "mongodb://***:***@host/db"},
      {"mongodb://u:p/s@host/db", "mongodb://***:***@host/db"},
      {"mongodb://u:p/s@host", "mongodb://***:***@host"},
      // A user name alone (X.509) is masked too: elsewhere a user name may be a token.
      {"mongodb://CN=client@host/?authMechanism=MONGODB-X509",
       "mongodb://***@host/?authMechanism=MONGODB-X509"},
      {"mongodb://user:@host", "mongodb://***:***@host"},
      // Secrets in options, with '&' or ';' between them.
      {"mongodb://host/?tls=true&tlsCertificateKeyFilePassword=hunter2",
       "mongodb://host/?tls=true&tlsCertificateKeyFilePassword=***"},
      {"mongodb://host/?authMechanism=MONGODB-AWS;authMechanismProperties=AWS_SESSION_TOKEN:abc",
       "mongodb://host/?authMechanism=MONGODB-AWS;authMechanismProperties=***"},
      {"mongodb://u:pa/ss@h:1/?tlsCertificateKeyFilePassword=x;authSource=admin",
       "mongodb://***:***@h:1/?tlsCertificateKeyFilePassword=***;authSource=admin"},
      {"mongodb://host/?appname=x&token=t", "mongodb://host/?appname=x&token=***"},
      // The price of the rule: an '@' in a database name (legal, rare) cannot be told from a
      // '/' in a password, and the side taken is masking.
      {"mongodb://host/db@x", "mongodb://***@x"},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(mask_uri_credentials(c.in), c.out) << c.in;
  }
}

TEST(MaskUriCredentials, NeverShowsThePassword) {
  for (const char* uri :
       {"mongodb://admin:Sup3rS3cret@db:27017/", "mongodb://admin:Sup3rS3cret@",
        "mongodb://admin:Sup3rS3cret@db:notaport/?x=1", "mongodb+srv://admin:Sup3rS3cret@a.b",
        "http://admin:Sup3rS3cret@h:5000/x", "admin:Sup3rS3cret@h"}) {
    EXPECT_EQ(mask_uri_credentials(uri).find("Sup3rS3cret"), std::string::npos) << uri;
  }
}

TEST(RedactUriPassword, RemovesThePasswordFromDriverMessages) {
  EXPECT_EQ(redact_uri_password("Invalid host 'admin:Sup3r@db'", "mongodb://admin:Sup3r@db/"),
            "Invalid host 'admin:***@db'");
  EXPECT_EQ(redact_uri_password("no secret here", "mongodb://db/"), "no secret here");
  EXPECT_EQ(redact_uri_password("x pw y pw", "mongodb://u:pw@h"), "x *** y ***");
  EXPECT_EQ(redact_uri_password("bad 'p/s'", "mongodb://u:p/s@h/db"), "bad '***'");
  EXPECT_EQ(redact_uri_password("user CN=x", "mongodb://CN=x@h/"), "user CN=x"); // no password
}

TEST(Redact, MasksUserinfoAndSecretQueryValues) {
  EXPECT_EQ(mask_uri_credentials("mongodb://admin:s3cret@db:27017/x?authSource=admin"),
            "mongodb://***:***@db:27017/x?authSource=admin"); // authSource names a database
  EXPECT_EQ(mask_uri_credentials("http://user@host/p"), "http://***@host/p");
  EXPECT_EQ(mask_uri_credentials("https://h/api?token=abc&x=1"), "https://h/api?token=***&x=1");
  EXPECT_EQ(mask_uri_credentials("http://mlflow.mlflow:5000"), "http://mlflow.mlflow:5000");
  EXPECT_EQ(mask_uri_credentials("not a uri"), "not a uri");
  EXPECT_EQ(mask_uri_credentials("mongodb+srv://u:p@cluster/?retryWrites=true"),
            "mongodb+srv://***:***@cluster/?retryWrites=true");
  // '@' in the path is not userinfo.
  EXPECT_EQ(mask_uri_credentials("http://host/a@b"), "http://host/a@b");
}

TEST(Redact, LinksLoseTheirUserinfoEntirely) {
  EXPECT_EQ(uri_without_credentials("http://mm:s3cret@mlflow:5000/#/runs"),
            "http://mlflow:5000/#/runs");
  EXPECT_EQ(uri_without_credentials("http://token@mlflow:5000"), "http://mlflow:5000");
  EXPECT_EQ(uri_without_credentials("https://h/api?token=abc"), "https://h/api?token=***");
  EXPECT_EQ(uri_without_credentials("http://mlflow.mlflow:5000"), "http://mlflow.mlflow:5000");
  EXPECT_EQ(uri_without_credentials("not a uri"), "not a uri");
}

} // namespace
} // namespace mm
