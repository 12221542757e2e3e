#pragma once
// Holds a specialist's retrain lease while a retrain runs: renews it in the background (an LLM
// generation or a training can outlast the lease's time to live) and gives it back at the end.
// If a renewal finds the lease taken over (this process stalled past its expiry and another
// invocation took it), lost() turns true and the pipeline stops before changing anything more.

#include "pipeline/check_pipeline.hpp" // Clock
#include "ports/retrain_ledger.hpp"

#include <atomic>
#include <chrono>
#include <condition_variable>
#include <functional>
#include <mutex>
#include <optional>
#include <thread>

namespace mm {

class LeaseKeeper {
public:
  // `lease` acquired from `ledger`; renewed every ttl / 5 until destruction, then released.
  // on_lost is called once, from the renewing thread, when the lease is found lost.
  LeaseKeeper(RetrainLedger& ledger, Lease lease, std::chrono::seconds ttl, Clock clock,
              std::function<void(const Error&)> on_lost);
  ~LeaseKeeper();
  LeaseKeeper(const LeaseKeeper&) = delete;
  LeaseKeeper& operator=(const LeaseKeeper&) = delete;

  bool lost() const noexcept { return m_lost.load(); }
  const Lease& lease() const noexcept { return m_lease; }

  // One renewal now (also what the background thread does); false once lost.
  bool renew();

private:
  void run(std::stop_token stop);

  RetrainLedger& m_ledger;
  Lease m_lease;
  std::chrono::seconds m_ttl;
  Clock m_clock;
  std::function<void(const Error&)> m_on_lost;
  std::atomic<bool> m_lost{false};
  std::mutex m_mutex; // serialises renewals and the release
  std::condition_variable_any m_wake;
  std::jthread m_thread; // last: started once everything above exists
};

} // namespace mm
