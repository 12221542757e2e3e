#pragma once
// StateStore over MongoDB: model-monitor's own collection model_monitor_state in
// MONGODB_DATABASE (DESIGN §4, §6): retrain records for the cooldown and the ledger, and the
// cumulative counters pushed to Prometheus. Documents and queries: state_documents.hpp.
// Touches only its own collection, never feedback or opinions.

#include "adapters/mongo/mongo_pool.hpp"
#include "ports/retrain_ledger.hpp"
#include "ports/state_store.hpp"

#include <chrono>
#include <map>
#include <mutex>
#include <optional>
#include <string>
#include <vector>

namespace mm {

class MongoStateStore : public StateStore, public RetrainLedger {
public:
  static constexpr const char* k_default_collection = "model_monitor_state";
  // maxTimeMS of each read: a handful of documents per specialist behind an index.
  static constexpr std::chrono::milliseconds k_default_query_timeout{20000};

  // `pool` must outlive the store. database: MONGODB_DATABASE (neural_hive). No I/O here.
  MongoStateStore(MongoPool& pool, std::string database,
                  std::string collection = k_default_collection,
                  std::chrono::milliseconds query_timeout = k_default_query_timeout);

  // Creates the index {kind: 1, specialist_type: 1, started_at: -1} (a no-op when it exists).
  // The first write of the store does it too, so calling this is optional; a failure is
  // returned and retried by the next write.
  Status ensure_indexes();

  // Start of the newest retrain of the type that reached training (the cooldown rule is in
  // state_documents.hpp: training, evaluating, promoted, rejected, or failed after its MLflow
  // run was created).
  Result<std::optional<TimePoint>> last_retrain(const std::string& specialist_type) override;

  // Upsert by record.id, replacing the whole document: idempotent.
  Status save_retrain(const RetrainRecord& record) override;

  // $inc with upsert: atomic on MongoDB. Increments from this process are also serialised by
  // the store, because FerretDB v1 (SQLite) runs $inc as an unguarded read-modify-write and
  // loses concurrent increments of one document (measured: 8 × 50 concurrent $inc gave 50),
  // and two first increments racing can both try the insert (E11000), which is retried once.
  // Invalid names, labels or deltas (state_documents.hpp) are refused before any I/O.
  Status increment_counter(const std::string& specialist_type, const std::string& name,
                           const std::map<std::string, std::string>& labels, double delta) override;

  // Every counter of the type, ordered by id (type, name, then labels).
  Result<std::vector<Counter>> counters(const std::string& specialist_type) override;
  Result<std::map<std::string, double>> counter_by_type(const std::string& name) override;

  // The lease and the open records (RetrainLedger; documents in ledger_documents.hpp):
  // acquiring = inserting the next generation, atomic through the unique _id on MongoDB and on
  // FerretDB v1 alike.
  Result<LeaseAttempt> acquire_lease(const std::string& specialist_type, const std::string& owner,
                                     TimePoint now, std::chrono::seconds ttl) override;
  Result<LeaseAttempt> take_over_lease(const Lease& stale, const std::string& owner, TimePoint now,
                                       std::chrono::seconds ttl) override;
  Status renew_lease(const Lease& lease, TimePoint now, std::chrono::seconds ttl) override;
  Status release_lease(const Lease& lease, TimePoint now) override;
  Result<std::vector<RetrainRecord>> open_retrains(const std::string& specialist_type) override;

private:
  Status ensure_indexes_once();
  // Inserts generation `generation` owned by `owner`; not acquired when another process
  // inserted it first (the unique _id decides).
  Result<LeaseAttempt> insert_lease(const std::string& type, const std::string& owner,
                                    std::int64_t generation, TimePoint now,
                                    std::chrono::seconds ttl);

  MongoPool& m_pool;
  std::string m_database;
  std::string m_collection;
  std::chrono::milliseconds m_query_timeout;

  std::mutex m_index_mutex; // guards m_indexes_ready
  bool m_indexes_ready = false;
  std::mutex m_increment_mutex;
};

} // namespace mm
