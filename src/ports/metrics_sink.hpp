#pragma once
// Port: where metrics go (Prometheus Pushgateway, DESIGN §6).

#include "core/result.hpp"

#include <map>
#include <string>
#include <vector>

namespace mm {

enum class MetricType { gauge, counter, histogram };

struct Sample {
  std::map<std::string, std::string> labels; // besides the group's labels
  double value = 0.0;
  std::string suffix; // "", or for histograms "_bucket" / "_sum" / "_count"
};

struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::gauge;
  std::vector<Sample> samples;
};

class MetricsSink {
public:
  virtual ~MetricsSink() = default;

  // Replaces the whole group of this specialist (HTTP PUT), so one specialist's push never
  // touches another's and stale series of the same specialist disappear.
  virtual Status push_group(const std::string& specialist_type,
                            const std::vector<MetricFamily>& families) = 0;
};

} // namespace mm
