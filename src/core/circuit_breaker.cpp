#include "core/circuit_breaker.hpp"

#include <algorithm>

namespace mm {

const char* to_string(BreakerState s) noexcept {
  switch (s) {
  case BreakerState::closed:
    return "closed";
  case BreakerState::open:
    return "open";
  case BreakerState::half_open:
    return "half_open";
  }
  return "closed";
}

CircuitBreaker::CircuitBreaker(int failure_threshold, std::chrono::milliseconds open_for)
    : m_threshold(std::max(1, failure_threshold)), m_open_for(open_for) {}

bool CircuitBreaker::allow(TimePoint now) {
  switch (m_state) {
  case BreakerState::closed:
    return true;
  case BreakerState::open:
    if (now < m_opened_at + m_open_for) {
      return false;
    }
    m_state = BreakerState::half_open;
    m_probe_in_flight = true;
    return true;
  case BreakerState::half_open:
    if (m_probe_in_flight) {
      return false;
    }
    m_probe_in_flight = true;
    return true;
  }
  return false;
}

void CircuitBreaker::record_success() {
  m_state = BreakerState::closed;
  m_failures = 0;
  m_probe_in_flight = false;
}

void CircuitBreaker::record_failure(TimePoint now) {
  ++m_failures;
  m_probe_in_flight = false;
  if (m_state == BreakerState::half_open || m_failures >= m_threshold) {
    m_state = BreakerState::open;
    m_opened_at = now;
  }
}

} // namespace mm
