#include "pipeline/lease_keeper.hpp"

namespace mm {

LeaseKeeper::LeaseKeeper(RetrainLedger& ledger, Lease lease, std::chrono::seconds ttl, Clock clock,
                         std::function<void(const Error&)> on_lost)
    : m_ledger(ledger), m_lease(std::move(lease)), m_ttl(ttl), m_clock(std::move(clock)),
      m_on_lost(std::move(on_lost)), m_thread([this](std::stop_token stop) { run(stop); }) {}

LeaseKeeper::~LeaseKeeper() {
  m_thread.request_stop();
  m_wake.notify_all();
  if (m_thread.joinable()) {
    m_thread.join();
  }
  if (!m_lost.load()) {
    const std::lock_guard<std::mutex> lock(m_mutex);
    (void)m_ledger.release_lease(m_lease, m_clock());
  }
}

bool LeaseKeeper::renew() {
  const std::lock_guard<std::mutex> lock(m_mutex);
  if (m_lost.load()) {
    return false;
  }
  Status renewed = m_ledger.renew_lease(m_lease, m_clock(), m_ttl);
  if (!renewed && renewed.error().kind == ErrorKind::not_found) {
    m_lost.store(true);
    if (m_on_lost) {
      m_on_lost(renewed.error());
    }
    return false;
  }
  // A transient failure (MongoDB briefly unreachable) is retried at the next beat; the lease
  // lasts ttl, five beats.
  return true;
}

void LeaseKeeper::run(std::stop_token stop) {
  const auto beat = std::max<std::chrono::milliseconds>(m_ttl / 5, std::chrono::seconds(1));
  std::mutex wait_mutex;
  while (!stop.stop_requested()) {
    {
      std::unique_lock<std::mutex> lock(wait_mutex);
      if (m_wake.wait_for(lock, stop, beat, [] { return false; })) {
        break;
      }
    }
    if (stop.stop_requested() || !renew()) {
      break;
    }
  }
}

} // namespace mm
