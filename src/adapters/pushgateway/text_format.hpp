#pragma once
// Prometheus text exposition format 0.0.4, as the Pushgateway accepts it
// (https://prometheus.io/docs/instrumenting/exposition_formats/).

#include "core/metric_family.hpp"

#include <string>
#include <string_view>
#include <vector>

namespace mm {

// Label values escape backslash, double quote and line feed.
std::string escape_label_value(std::string_view value);
// HELP text escapes backslash and line feed.
std::string escape_help(std::string_view help);
// Go's strconv formatting as Prometheus writes it: NaN, +Inf, -Inf, else shortest round-trip.
std::string format_sample_value(double value);

std::string encode_text(const std::vector<MetricFamily>& families);

// "/metrics/job/<job>/specialist_type/<type>": label values that are not plain URL path segments
// use the Pushgateway's base64 form ("<name>@base64/<urlsafe-base64>"), as its README says.
std::string push_group_path(std::string_view job, std::string_view label_name,
                            std::string_view label_value);

} // namespace mm
