#include "core/dataset.hpp"

namespace mm {

const char* to_string(RowSource s) noexcept {
  return s == RowSource::feedback ? "feedback" : "llm";
}

} // namespace mm
