#include "adapters/mongo/mongo_uri.hpp"

#include <gtest/gtest.h>

namespace mm {
namespace {

struct MaskCase {
  const char* uri;
  const char* masked;
};

TEST(MaskMongoUri, MasksPasswordsKeepsEverythingElse) {
  const MaskCase cases[] = {
      {"mongodb://127.0.0.1:27017/", "mongodb://127.0.0.1:27017/"},
      {"mongodb://user:secret@host", "mongodb://user:***@host"},
      {"mongodb://user:secret@host:27017/neural_hive?authSource=admin",
       "mongodb://user:***@host:27017/neural_hive?authSource=admin"},
      {"mongodb+srv://app:p%40ss@cluster0.example.net/db",
       "mongodb+srv://app:***@cluster0.example.net/db"},
      {"mongodb://u:pw@h1:1,h2:2,h3:3/?replicaSet=rs0",
       "mongodb://u:***@h1:1,h2:2,h3:3/?replicaSet=rs0"},
      // Invalid but seen: a raw '@' or '/' in the password stays inside the masked part.
      {"mongodb://u:p@ss@host/db", "mongodb://u:***@host/db"},
      {"mongodb://u:p/s@host/db", "mongodb://u:***@host/db"},
      // User without password (X.509): nothing secret.
      {"mongodb://CN=client@host/?authMechanism=MONGODB-X509",
       "mongodb://CN=client@host/?authMechanism=MONGODB-X509"},
      {"mongodb://user:@host", "mongodb://user:***@host"},
      // Secrets in options.
      {"mongodb://host/?tls=true&tlsCertificateKeyFilePassword=hunter2",
       "mongodb://host/?tls=true&tlsCertificateKeyFilePassword=***"},
      {"mongodb://host/?authMechanism=MONGODB-AWS;authMechanismProperties=AWS_SESSION_TOKEN:abc",
       "mongodb://host/?authMechanism=MONGODB-AWS;authMechanismProperties=***"},
      {"mongodb://host/?appname=x&token=t", "mongodb://host/?appname=x&token=***"},
      // Not a URI: unchanged (nothing recognisable to mask).
      {"not a uri", "not a uri"},
      {"", ""},
  };
  for (const auto& c : cases) {
    EXPECT_EQ(mask_mongo_uri(c.uri), c.masked) << c.uri;
  }
}

TEST(MaskMongoUri, NeverShowsThePassword) {
  for (const char* uri :
       {"mongodb://admin:Sup3rS3cret@db:27017/", "mongodb://admin:Sup3rS3cret@",
        "mongodb://admin:Sup3rS3cret@db:notaport/?x=1", "mongodb+srv://admin:Sup3rS3cret@a.b"}) {
    EXPECT_EQ(mask_mongo_uri(uri).find("Sup3rS3cret"), std::string::npos) << uri;
  }
}

TEST(RedactUriPassword, RemovesThePasswordFromDriverMessages) {
  EXPECT_EQ(redact_uri_password("Invalid host 'admin:Sup3r@db'", "mongodb://admin:Sup3r@db/"),
            "Invalid host 'admin:***@db'");
  EXPECT_EQ(redact_uri_password("no secret here", "mongodb://db/"), "no secret here");
  EXPECT_EQ(redact_uri_password("x pw y pw", "mongodb://u:pw@h"), "x *** y ***");
}

} // namespace
} // namespace mm
