#pragma once
// Port: the retrain ledger's coordination side (DESIGN §4, model_monitor_state): a lease per
// specialist, so overlapping invocations (a CronJob overlap, a manual run) produce one retrain,
// and the retrain records a process left open when it died (kill -9, node loss), so the next
// invocation resumes or closes them.

#include "core/metrics.hpp"
#include "core/result.hpp"
#include "ports/state_store.hpp"

#include <chrono>
#include <cstdint>
#include <string>
#include <vector>

namespace mm {

struct Lease {
  std::string specialist_type;
  std::string owner; // "{host} pid {pid} #{token}": who to ask, and unique per process
  std::int64_t generation = 0;
  TimePoint acquired_at;
  TimePoint expires_at;
};

struct LeaseAttempt {
  bool acquired = false;
  Lease lease; // ours when acquired, else the holder's
};

class RetrainLedger {
public:
  virtual ~RetrainLedger() = default;

  // Takes the specialist's lease for `ttl` unless another owner holds an unexpired one.
  // Exactly one of several concurrent callers acquires it.
  virtual Result<LeaseAttempt> acquire_lease(const std::string& specialist_type,
                                             const std::string& owner, TimePoint now,
                                             std::chrono::seconds ttl) = 0;

  // Takes over `stale`, a lease whose owner is known to be dead (same host, process gone),
  // before it expires: acquired only if `stale` is still the newest generation, so of several
  // processes taking over the same dead owner's lease exactly one wins.
  virtual Result<LeaseAttempt> take_over_lease(const Lease& stale, const std::string& owner,
                                               TimePoint now, std::chrono::seconds ttl) = 0;

  // Extends our lease to now + ttl. An error of kind not_found when the lease is no longer ours
  // (it expired and another owner took it): the caller must stop before changing anything.
  virtual Status renew_lease(const Lease& lease, TimePoint now, std::chrono::seconds ttl) = 0;

  // Gives the lease back (best effort: an unreleased lease simply expires).
  virtual Status release_lease(const Lease& lease, TimePoint now) = 0;

  // Records of the specialist that are not closed: a state before promoted / rejected / failed,
  // or closed without their notification sent. Oldest first.
  virtual Result<std::vector<RetrainRecord>> open_retrains(const std::string& specialist_type) = 0;
};

} // namespace mm
