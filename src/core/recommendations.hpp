#pragma once
// What the operator should do, one recommendation per breached threshold and per data gap,
// in the report's language.

#include "core/performance.hpp"

#include <string>
#include <vector>

namespace mm {

enum class Lang { pt_br, en };

std::vector<std::string> recommendations(const PerformanceReport& report, Lang lang);

// "Precision 0.700 < 0.75" style one-line description of a breached threshold.
std::string describe_reason(const DegradationReason& reason, Lang lang);

// A sentence about a data gap.
std::string describe_gap(const PerformanceReport& report, DataGap gap, Lang lang);

} // namespace mm
