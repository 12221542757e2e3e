#include "adapters/http/attempt.hpp"

#include "adapters/http/curl_support.hpp"

#include <algorithm>

namespace mm::detail {

namespace {

// Over HTTP, CURLE_USE_SSL_FAILED (TLS required and not available) is one more TLS failure;
// the SMTP adapter tells it apart (a server that does not offer STARTTLS).
bool is_tls_error(CURLcode code) {
  return libcurl::is_tls_error(code) || code == CURLE_USE_SSL_FAILED;
}

std::string attempts_note(int attempts) {
  return attempts > 1 ? " (after " + std::to_string(attempts) + " attempts)" : std::string();
}

std::string detail_of(const Attempt& attempt) {
  return attempt.detail.empty() ? std::string(curl_easy_strerror(attempt.code)) : attempt.detail;
}

// The start of a body, on one line, for an error message.
std::string snippet(std::string_view body) {
  constexpr std::size_t k_max = 200;
  std::string out(body.substr(0, k_max));
  std::replace_if(
      out.begin(), out.end(), [](char c) { return c == '\n' || c == '\r' || c == '\t'; }, ' ');
  if (body.size() > k_max) {
    out += "...";
  }
  return out;
}

} // namespace

AttemptOutcome classify(const Attempt& attempt) {
  switch (attempt.code) {
  case CURLE_OK:
    return is_retryable_status(attempt.response.status) ? AttemptOutcome::retryable_status
                                                        : AttemptOutcome::success;
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
  case CURLE_COULDNT_CONNECT:
    return AttemptOutcome::not_sent;
  case CURLE_OPERATION_TIMEDOUT: // connect timeout, or the server is slow to answer
  case CURLE_GOT_NOTHING:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_PARTIAL_FILE:
  case CURLE_HTTP2:
  case CURLE_HTTP2_STREAM:
    return attempt.request_sent ? AttemptOutcome::maybe_sent : AttemptOutcome::not_sent;
  default:
    return AttemptOutcome::fatal;
  }
}

Error transport_error(const Attempt& attempt, const std::string& what, const HttpOptions& options,
                      int attempts) {
  const std::string note = attempts_note(attempts);
  const std::string detail = detail_of(attempt);
  if (attempt.too_large || attempt.code == CURLE_FILESIZE_EXCEEDED) {
    return Error::bad_response(what + ": response body larger than " +
                               std::to_string(options.max_body_bytes) + " bytes refused");
  }
  if (is_tls_error(attempt.code)) {
    return Error::unavailable(what + ": TLS failure: " + detail + note +
                              "; check the server certificate and the CA bundle (ca_bundle), "
                              "and that the URL's scheme (https) matches the server");
  }
  switch (attempt.code) {
  case CURLE_COULDNT_RESOLVE_HOST:
  case CURLE_COULDNT_RESOLVE_PROXY:
    return Error::unavailable(what + ": cannot resolve host: " + detail + note +
                              "; check the host name in the URL and DNS");
  case CURLE_COULDNT_CONNECT:
    return Error::unavailable(what + ": cannot connect: " + detail + note +
                              "; check that the service is running and the URL's host and port");
  case CURLE_OPERATION_TIMEDOUT:
    return Error::timeout(what + ": no answer in time (connect timeout " +
                          std::to_string(options.connect_timeout_ms) + " ms, total " +
                          std::to_string(options.total_timeout_ms) + " ms): " + detail + note);
  case CURLE_UNSUPPORTED_PROTOCOL:
    if (attempt.request_sent) { // the reply was not HTTP/1.x or 2 ("Received HTTP/0.9")
      return Error::bad_response(what + ": malformed HTTP reply: " + detail +
                                 "; is this URL an HTTP server of the expected kind?");
    }
    return Error::config(what + ": invalid URL: " + detail + "; only http:// and https:// work");
  case CURLE_URL_MALFORMAT:
    return Error::config(what + ": invalid URL: " + detail + "; only http:// and https:// work");
  case CURLE_WEIRD_SERVER_REPLY:
  case CURLE_BAD_CONTENT_ENCODING:
    return Error::bad_response(what + ": malformed HTTP reply: " + detail +
                               "; is this URL an HTTP server of the expected kind?");
  case CURLE_GOT_NOTHING:
  case CURLE_RECV_ERROR:
  case CURLE_SEND_ERROR:
  case CURLE_PARTIAL_FILE:
    return Error::unavailable(what + ": connection lost: " + detail + note);
  default:
    return Error::unavailable(what + ": request failed: " + detail + note);
  }
}

Error exhausted_error(const HttpResponse& response, const std::string& what, int attempts) {
  std::string message =
      what + ": HTTP " + std::to_string(response.status) + attempts_note(attempts);
  if (!response.body.empty()) {
    message += ": " + snippet(response.body);
  }
  if (response.status == 408) {
    return Error::timeout(std::move(message));
  }
  return Error::unavailable(message + "; the service is overloaded or failing, retry later");
}

} // namespace mm::detail
