#pragma once
// The circuit breaker in front of everything that talks to MongoDB (feedback statistics,
// feedback rows, model-monitor's own state). After repeated connection failures the next calls fail
// at once, without waiting for the server selection timeout each time; after 30 s one probe goes
// through (core/circuit_breaker). Only unavailable / timeout errors count: a malformed document
// says nothing about the link.

#include "core/circuit_breaker.hpp"
#include "ports/feedback_rows.hpp"
#include "ports/feedback_store.hpp"
#include "ports/state_store.hpp"

#include <functional>
#include <mutex>

namespace mm {

class BreakerGuard {
public:
  BreakerGuard(CircuitBreaker breaker, std::function<TimePoint()> clock);

  // Runs `call` unless the breaker is open; records its outcome.
  template <typename T> Result<T> run(const std::function<Result<T>()>& call) {
    if (!allow()) {
      return open_error();
    }
    Result<T> r = call();
    record(r.ok() ? nullptr : &r.error());
    return r;
  }

  BreakerState state() const;

private:
  bool allow();
  void record(const Error* error);
  Error open_error() const;

  mutable std::mutex m_mutex;
  CircuitBreaker m_breaker;
  std::function<TimePoint()> m_clock;
};

class GuardedFeedbackStore : public FeedbackStore {
public:
  GuardedFeedbackStore(FeedbackStore& inner, BreakerGuard& guard);
  Result<FeedbackStats> feedback_stats(const FeedbackQuery& query) override;
  Result<std::map<std::string, FeedbackStats>>
  feedback_stats_many(const std::vector<std::string>& types, const FeedbackQuery& query) override;

private:
  FeedbackStore& m_inner;
  BreakerGuard& m_guard;
};

class GuardedFeedbackRows : public FeedbackRowSource {
public:
  GuardedFeedbackRows(FeedbackRowSource& inner, BreakerGuard& guard);
  Result<FeedbackRows> recent_training_rows(const std::string& specialist_type, int limit) override;

private:
  FeedbackRowSource& m_inner;
  BreakerGuard& m_guard;
};

// The state store behind the same breaker: once MongoDB has died mid-retrain, the writes that
// follow (ledger, counters) fail at once instead of each waiting the server selection timeout.
class GuardedStateStore : public StateStore {
public:
  GuardedStateStore(StateStore& inner, BreakerGuard& guard);
  Result<std::optional<TimePoint>> last_retrain(const std::string& specialist_type) override;
  Status save_retrain(const RetrainRecord& record) override;
  Status increment_counter(const std::string& specialist_type, const std::string& name,
                           const std::map<std::string, std::string>& labels, double delta) override;
  Result<std::vector<Counter>> counters(const std::string& specialist_type) override;
  Result<std::map<std::string, double>> counter_by_type(const std::string& name) override;

private:
  StateStore& m_inner;
  BreakerGuard& m_guard;
};

} // namespace mm
