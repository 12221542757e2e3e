#pragma once
// What a Pushgateway says of itself (GET /api/v1/status, its README's "Query API"): here,
// whether it checks every push for consistency. With that check on (its default) the
// Pushgateway gathers every group it holds on each push, one push at a time, so a fleet of N
// specialists (one group each, DESIGN §6) costs it O(N²) CPU: ~25 ms per push at 1,000 groups
// on 2 cores (docs/performance.md). `check` reads this before a large fleet's pushes and warns.

#include "adapters/http/http_types.hpp"
#include "core/result.hpp"

#include <cstddef>
#include <string>
#include <string_view>

namespace mm {

struct PushgatewayStatus {
  bool consistency_check = true; // false when run with --push.disable-consistency-check
  std::string version;           // build_information.version, "" when absent
};

// The body of GET /api/v1/status: {"status": "success", "data": {"flags": {
// "push.disable-consistency-check": "false", ...}, "build_information": {"version": ...}}}.
// A body that is not JSON, a status other than "success", or a missing or non-boolean flag is
// bad_response (e.g. a Pushgateway older than 1.0, which has no such API, or a proxy's page).
Result<PushgatewayStatus> parse_pushgateway_status(std::string_view body);

// GET {base_url}/api/v1/status, once (no retry: the answer only decides whether to warn).
Result<PushgatewayStatus> read_pushgateway_status(const std::string& base_url, HttpOptions options);

// From how many groups in one run the consistency check's cost deserves a warning: at 500 a
// run costs the Pushgateway ~6 s of CPU, and four times that at twice the fleet.
inline constexpr std::size_t k_costly_consistency_check_groups = 500;

// Whether pushing `groups` groups to a Pushgateway in this state deserves that warning.
bool consistency_check_is_costly(std::size_t groups, const PushgatewayStatus& status) noexcept;

} // namespace mm
