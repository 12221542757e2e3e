#pragma once
// What every libcurl user of ours needs: owning handles, the one-time global init, the slist
// append that cannot leak, and which codes are TLS failures. Shared by mm_http and mm_smtp;
// internal to modules that link libcurl (it includes curl.h).

#include <curl/curl.h>

#include <memory>
#include <string>

namespace mm::libcurl {

struct EasyDeleter {
  void operator()(CURL* handle) const noexcept { curl_easy_cleanup(handle); }
};
using Easy = std::unique_ptr<CURL, EasyDeleter>;

struct SlistDeleter {
  void operator()(curl_slist* list) const noexcept { curl_slist_free_all(list); }
};
using Slist = std::unique_ptr<curl_slist, SlistDeleter>;

// curl_global_init must run before any other libcurl call and is only thread-safe since 7.84
// (https://curl.se/libcurl/c/curl_global_init.html): this runs it once. curl_global_cleanup is
// deliberately never called: other clients may live until exit. A failure shows up as
// curl_easy_init returning null.
void ensure_global_init();

// Appends one line; false (the list untouched) when libcurl could not allocate.
[[nodiscard]] bool append(Slist& list, const std::string& line);

// A failed TLS handshake, certificate or TLS engine: the server's certificate, the CA bundle or
// a scheme/port that does not match the server. (CURLE_USE_SSL_FAILED, TLS required and not
// offered, is not among them: its callers explain it on their own terms.)
bool is_tls_error(CURLcode code) noexcept;

} // namespace mm::libcurl
