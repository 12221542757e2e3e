#include "adapters/pushgateway/pushgateway_sink.hpp"

#include "adapters/pushgateway/text_format.hpp"
#include "core/redact.hpp"

#include <fmt/format.h>

namespace mm {

HttpOptions pushgateway_http_options() {
  HttpOptions o;
  o.connect_timeout_ms = 3000;
  o.total_timeout_ms = 10000;
  o.max_retries = 2;
  o.backoff_factor = 0.5;
  o.backoff_jitter = 0.25;
  o.max_backoff_ms = 5000;
  return o;
}

PushgatewaySink::PushgatewaySink(std::string base_url, HttpOptions options)
    : m_base_url(std::move(base_url)), m_http(std::move(options)) {
  while (!m_base_url.empty() && m_base_url.back() == '/') {
    m_base_url.pop_back();
  }
}

std::string PushgatewaySink::group_url(const std::string& specialist_type) const {
  return m_base_url + push_group_path(k_push_job, "specialist_type", specialist_type);
}

Status PushgatewaySink::push_group(const std::string& specialist_type,
                                   const std::vector<MetricFamily>& families) {
  return send(HttpMethod::put, specialist_type, families);
}

Status PushgatewaySink::add_to_group(const std::string& specialist_type,
                                     const std::vector<MetricFamily>& families) {
  return send(HttpMethod::post, specialist_type, families);
}

Status PushgatewaySink::send(HttpMethod method, const std::string& specialist_type,
                             const std::vector<MetricFamily>& families) {
  HttpRequest req;
  req.method = method;
  req.url = group_url(specialist_type);
  req.body = encode_text(families);
  req.headers = {{"Content-Type", "text/plain; version=0.0.4; charset=utf-8"}};
  // PUT (or POST) of the same body leaves the group in the same state: safe to retry.
  req.idempotent = true;
  Result<HttpResponse> resp = m_http.send(req);
  if (!resp) {
    Error e = std::move(resp).error();
    e.message = fmt::format("pushing metrics of '{}' to the Pushgateway failed: {} (the URL comes "
                            "from --export-metrics or PROMETHEUS_PUSHGATEWAY_URL)",
                            specialist_type, e.message);
    return e;
  }
  if (!resp->is_success()) {
    std::string body = resp->body.substr(0, 300);
    return Error::bad_response(
        fmt::format("the Pushgateway at {} refused the metrics of '{}' with HTTP {}: {}",
                    mask_uri_credentials(req.url), specialist_type, resp->status, body));
  }
  return ok_status();
}

} // namespace mm
