#pragma once
// Port: where metrics go (Prometheus Pushgateway, DESIGN §6).

#include "core/metric_family.hpp"
#include "core/result.hpp"

#include <string>
#include <vector>

namespace mm {

class MetricsSink {
public:
  virtual ~MetricsSink() = default;

  // Replaces the whole group of this specialist (HTTP PUT), so one specialist's push never
  // touches another's and stale series of the same specialist disappear.
  virtual Status push_group(const std::string& specialist_type,
                            const std::vector<MetricFamily>& families) = 0;

  // Replaces only the metrics of these names in the group (HTTP POST), leaving the others: used
  // when a run could not measure anything but must still record that it failed.
  virtual Status add_to_group(const std::string& specialist_type,
                              const std::vector<MetricFamily>& families) = 0;
};

} // namespace mm
