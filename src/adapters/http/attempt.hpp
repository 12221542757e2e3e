#pragma once
// One HTTP attempt as libcurl ended it, and what that means: retry class and error.
// Internal to mm_http (it includes curl.h, which the module links privately): only the
// module's .cpp files include it.

#include "adapters/http/http_types.hpp"
#include "adapters/http/retry_policy.hpp"
#include "core/result.hpp"

#include <curl/curl.h>

#include <string>

namespace mm::detail {

// One attempt's result, before the retry decision.
struct Attempt {
  CURLcode code = CURLE_OK;
  HttpResponse response;
  bool too_large = false;
  bool request_sent = false; // libcurl sent at least the request line and headers
  std::string detail;        // libcurl's error buffer (host and port, never the userinfo)
};

// success / retryable_status for a response; not_sent when the request certainly never left
// (DNS, connect), maybe_sent when it may have been processed, fatal otherwise.
AttemptOutcome classify(const Attempt& attempt);

// The error of a failed transfer ("what" is "GET <redacted url>").
Error transport_error(const Attempt& attempt, const std::string& what, const HttpOptions& options,
                      int attempts);

// The error of a retryable status (408/429/5xx) still failing when no retry is left.
Error exhausted_error(const HttpResponse& response, const std::string& what, int attempts);

} // namespace mm::detail
