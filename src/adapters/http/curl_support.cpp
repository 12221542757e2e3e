#include "adapters/http/curl_support.hpp"

namespace mm::libcurl {

void ensure_global_init() {
  static const CURLcode k_init = curl_global_init(CURL_GLOBAL_DEFAULT);
  (void)k_init;
}

bool append(Slist& list, const std::string& line) {
  // curl_slist_append returns the head of the list (a new one when given null), or null on
  // failure leaving the list untouched.
  curl_slist* head = curl_slist_append(list.get(), line.c_str());
  if (head == nullptr) {
    return false;
  }
  (void)list.release(); // head is the same list with one more item
  list.reset(head);
  return true;
}

bool is_tls_error(CURLcode code) noexcept {
  switch (code) {
  case CURLE_SSL_CONNECT_ERROR:
  case CURLE_PEER_FAILED_VERIFICATION:
  case CURLE_SSL_CERTPROBLEM:
  case CURLE_SSL_CIPHER:
  case CURLE_SSL_CACERT_BADFILE:
  case CURLE_SSL_ISSUER_ERROR:
  case CURLE_SSL_PINNEDPUBKEYNOTMATCH:
  case CURLE_SSL_INVALIDCERTSTATUS:
  case CURLE_SSL_CRL_BADFILE:
  case CURLE_SSL_ENGINE_NOTFOUND:
  case CURLE_SSL_ENGINE_SETFAILED:
  case CURLE_SSL_ENGINE_INITFAILED:
  case CURLE_SSL_SHUTDOWN_FAILED:
    return true;
  default:
    return false;
  }
}

} // namespace mm::libcurl
