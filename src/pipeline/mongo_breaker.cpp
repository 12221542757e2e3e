#include "pipeline/mongo_breaker.hpp"

#include "core/time_format.hpp"

#include <fmt/format.h>

namespace mm {

BreakerGuard::BreakerGuard(CircuitBreaker breaker, std::function<TimePoint()> clock)
    : m_breaker(breaker), m_clock(std::move(clock)) {}

bool BreakerGuard::allow() {
  std::lock_guard lock(m_mutex);
  return m_breaker.allow(m_clock());
}

void BreakerGuard::record(const Error* error) {
  std::lock_guard lock(m_mutex);
  if (error == nullptr) {
    m_breaker.record_success();
  } else if (error->kind == ErrorKind::unavailable || error->kind == ErrorKind::timeout) {
    m_breaker.record_failure(m_clock());
  } else {
    // The server answered: the link works even if the answer was bad.
    m_breaker.record_success();
  }
}

Error BreakerGuard::open_error() const {
  std::lock_guard lock(m_mutex);
  return Error::unavailable(fmt::format(
      "MongoDB circuit breaker is open after {} consecutive failures; the next probe goes at {}; "
      "check MONGODB_URI and MongoDB's health",
      m_breaker.consecutive_failures(), format_iso8601_utc(m_breaker.retry_at())));
}

BreakerState BreakerGuard::state() const {
  std::lock_guard lock(m_mutex);
  return m_breaker.state();
}

GuardedFeedbackStore::GuardedFeedbackStore(FeedbackStore& inner, BreakerGuard& guard)
    : m_inner(inner), m_guard(guard) {}

Result<FeedbackStats> GuardedFeedbackStore::feedback_stats(const FeedbackQuery& query) {
  return m_guard.run<FeedbackStats>([&] { return m_inner.feedback_stats(query); });
}

Result<std::map<std::string, FeedbackStats>>
GuardedFeedbackStore::feedback_stats_many(const std::vector<std::string>& types,
                                          const FeedbackQuery& query) {
  return m_guard.run<std::map<std::string, FeedbackStats>>(
      [&] { return m_inner.feedback_stats_many(types, query); });
}

GuardedFeedbackRows::GuardedFeedbackRows(FeedbackRowSource& inner, BreakerGuard& guard)
    : m_inner(inner), m_guard(guard) {}

Result<FeedbackRows> GuardedFeedbackRows::recent_training_rows(const std::string& type, int limit) {
  return m_guard.run<FeedbackRows>([&] { return m_inner.recent_training_rows(type, limit); });
}

GuardedStateStore::GuardedStateStore(StateStore& inner, BreakerGuard& guard)
    : m_inner(inner), m_guard(guard) {}

Result<std::optional<TimePoint>> GuardedStateStore::last_retrain(const std::string& type) {
  return m_guard.run<std::optional<TimePoint>>([&] { return m_inner.last_retrain(type); });
}

Status GuardedStateStore::save_retrain(const RetrainRecord& record) {
  return m_guard.run<Unit>([&] { return m_inner.save_retrain(record); });
}

Status GuardedStateStore::increment_counter(const std::string& type, const std::string& name,
                                            const std::map<std::string, std::string>& labels,
                                            double delta) {
  return m_guard.run<Unit>([&] { return m_inner.increment_counter(type, name, labels, delta); });
}

Result<std::vector<StateStore::Counter>> GuardedStateStore::counters(const std::string& type) {
  return m_guard.run<std::vector<Counter>>([&] { return m_inner.counters(type); });
}

Result<std::map<std::string, double>> GuardedStateStore::counter_by_type(const std::string& name) {
  return m_guard.run<std::map<std::string, double>>([&] { return m_inner.counter_by_type(name); });
}

} // namespace mm
