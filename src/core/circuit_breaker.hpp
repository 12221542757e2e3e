#pragma once
// The MongoDB circuit breaker of the spec ("Circuit breaker herdado automaticamente";
// troubleshooting "aguardar circuit breaker auto-recuperar (30s)"): closed → open after
// `failure_threshold` consecutive failures → half-open after `open_for` (one probe) → closed on
// success, open again on failure. Pure: time is passed in; not thread-safe (the decorator that uses
// it locks).

#include "core/metrics.hpp"

#include <chrono>

namespace mm {

enum class BreakerState { closed, open, half_open };

const char* to_string(BreakerState s) noexcept;

class CircuitBreaker {
public:
  explicit CircuitBreaker(int failure_threshold = 3,
                          std::chrono::milliseconds open_for = std::chrono::seconds(30));

  // May a call go through now? In half-open, only one probe at a time.
  bool allow(TimePoint now);
  void record_success();
  void record_failure(TimePoint now);

  BreakerState state() const noexcept { return m_state; }
  int consecutive_failures() const noexcept { return m_failures; }
  TimePoint retry_at() const noexcept { return m_opened_at + m_open_for; }

private:
  int m_threshold;
  std::chrono::milliseconds m_open_for;
  BreakerState m_state = BreakerState::closed;
  int m_failures = 0;
  bool m_probe_in_flight = false;
  TimePoint m_opened_at{};
};

} // namespace mm
