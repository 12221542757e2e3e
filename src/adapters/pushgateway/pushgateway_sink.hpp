#pragma once
// MetricsSink over the Prometheus Pushgateway HTTP API
// (https://github.com/prometheus/pushgateway#api): PUT replaces the whole group.

#include "adapters/http/http_client.hpp"
#include "ports/metrics_sink.hpp"

#include <string>

namespace mm {

inline constexpr const char* k_push_job = "model-performance-monitor";

class PushgatewaySink : public MetricsSink {
public:
  // base_url: e.g. "http://prometheus-pushgateway:9091" (no trailing slash needed).
  PushgatewaySink(std::string base_url, HttpOptions options);

  Status push_group(const std::string& specialist_type,
                    const std::vector<MetricFamily>& families) override;

  Status add_to_group(const std::string& specialist_type,
                      const std::vector<MetricFamily>& families) override;

  // The group URL of a specialist (for messages and tests).
  std::string group_url(const std::string& specialist_type) const;

private:
  Status send(HttpMethod method, const std::string& specialist_type,
              const std::vector<MetricFamily>& families);

  std::string m_base_url;
  HttpClient m_http;
};

// Options for the Pushgateway: a push is cheap and re-sent by the next run, so a few quick
// retries instead of MLflow's long backoff.
HttpOptions pushgateway_http_options();

} // namespace mm
