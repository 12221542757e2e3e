#pragma once
// Prometheus metric families as plain values (the exposition format is the adapter's business).

#include <map>
#include <string>
#include <vector>

namespace mm {

enum class MetricType { gauge, counter, histogram };

struct Sample {
  std::map<std::string, std::string> labels; // besides the push group's labels
  double value = 0.0;
  std::string suffix; // "", or for histograms "_bucket" / "_sum" / "_count"
};

struct MetricFamily {
  std::string name;
  std::string help;
  MetricType type = MetricType::gauge;
  std::vector<Sample> samples;
};

} // namespace mm
