// The warning a large fleet's run gives before pushing to a Pushgateway whose consistency check
// makes the pushes cost it O(N²) (check_command.hpp), against the real Pushgateway of
// scripts/services.sh, which runs with Debian's defaults (check on).
#include "adapters/pushgateway/pushgateway_status.hpp"
#include "app/check_command.hpp"
#include "support/process.hpp"

#include <gtest/gtest.h>

#include <cstdio>
#include <memory>
#include <string>

namespace mm {
namespace {

struct FileCloser {
  void operator()(std::FILE* f) const noexcept { std::fclose(f); }
};

// What warn_if_pushes_are_costly logged, as JSON lines.
std::string logged(const std::string& url, std::size_t groups) {
  std::unique_ptr<std::FILE, FileCloser> sink(std::tmpfile());
  if (!sink) {
    ADD_FAILURE() << "tmpfile failed";
    return {};
  }
  {
    Logger log(sink.get(), /*json=*/true, LogLevel::info);
    warn_if_pushes_are_costly(url, groups, log);
  }
  std::fflush(sink.get());
  std::rewind(sink.get());
  std::string out;
  char buf[4096];
  for (std::size_t n; (n = std::fread(buf, 1, sizeof buf, sink.get())) > 0;) {
    out.append(buf, n);
  }
  return out;
}

TEST(CheckPushCostIT, AFleetFromTheThresholdOnIsWarnedWithWhatToDo) {
  const std::string url = test::require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
  const std::string out = logged(url, k_costly_consistency_check_groups);
  EXPECT_NE(out.find("\"event\":\"pushgateway_consistency_check_costly\""), std::string::npos)
      << out;
  EXPECT_NE(out.find("\"level\":\"warning\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"groups\":500"), std::string::npos) << out;
  EXPECT_NE(out.find("--push.disable-consistency-check"), std::string::npos) << out;
}

TEST(CheckPushCostIT, ASmallerFleetSendsNothingAndSaysNothing) {
  // An unreachable URL proves no request is sent below the threshold: asking it would log.
  EXPECT_EQ(logged("http://127.0.0.1:9", k_costly_consistency_check_groups - 1), "");
  const std::string url = test::require_service_env("PROMETHEUS_PUSHGATEWAY_URL");
  EXPECT_EQ(logged(url, k_costly_consistency_check_groups - 1), "");
}

TEST(CheckPushCostIT, AnUnreadableStatusIsAnInfoLineWithTheMaskedUrl) {
  const std::string out = logged("http://ops:s3cret@127.0.0.1:9", 5000);
  EXPECT_NE(out.find("\"event\":\"pushgateway_status_unreadable\""), std::string::npos) << out;
  EXPECT_NE(out.find("\"level\":\"info\""), std::string::npos) << out;
  EXPECT_EQ(out.find("s3cret"), std::string::npos) << out;
  EXPECT_EQ(out.find("pushgateway_consistency_check_costly"), std::string::npos) << out;
}

} // namespace
} // namespace mm
