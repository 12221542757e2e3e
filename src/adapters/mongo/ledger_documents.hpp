#pragma once
// The ledger's documents in model_monitor_state (DESIGN §4) and the queries on them: pure
// functions, testable without a server. Internal to mm_mongo and its tests.
//
//   lease  one per (specialist, generation), _id = lease_id(type, generation):
//          {kind: "lease", specialist_type, generation, owner, acquired_at, expires_at, released}
//
// Why generations instead of one lease document updated in place: FerretDB v1 runs an update
// or a delete with a filter as a read followed by a write by _id, so two processes taking over
// the same expired document could both believe they won. An insert with a new _id is atomic on
// MongoDB and on FerretDB (unique _id): taking the lease = inserting generation n + 1, and only
// one of several concurrent inserts of the same generation succeeds. The newest generation is
// the lease; older ones are history and are deleted by the next acquirer.

#include "adapters/mongo/mongo_handles.hpp"
#include "core/metrics.hpp"
#include "core/result.hpp"
#include "ports/retrain_ledger.hpp"
#include "ports/state_store.hpp"

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

namespace mm::mongo {

inline constexpr const char* k_kind_lease = "lease";

// "lease|{type}|{generation, 12 digits}": sorts by generation within a type.
std::string lease_id(const std::string& specialist_type, std::int64_t generation);

// The full document of a new generation.
BsonPtr lease_document(const Lease& lease);

// {kind: "lease", specialist_type: T} with {sort: {generation: -1}, limit: 1}: the newest.
BsonPtr lease_filter(const std::string& specialist_type);
BsonPtr newest_lease_options();

// A lease document → Lease and whether it was released; bad_response on a malformed one.
struct StoredLease {
  Lease lease;
  bool released = false;
};
Result<StoredLease> lease_from_document(const bson_t* doc);

// Whether `stored` keeps other owners out at `now`.
bool lease_is_active(const StoredLease& stored, TimePoint now);

// {_id: lease_id, owner}: our own generation (renew, release).
BsonPtr own_lease_selector(const Lease& lease);
// {$set: {expires_at}} / {$set: {released: true, expires_at: now}}
BsonPtr renew_update(TimePoint expires_at);
BsonPtr release_update(TimePoint now);
// {kind: "lease", specialist_type: T, generation: {$lt: generation}}: the history.
BsonPtr older_leases_filter(const std::string& specialist_type, std::int64_t generation);

// --- open retrain records ----------------------------------------------------------------------

// States a live retrain passes through; a record left in one of them was not closed.
inline constexpr const char* k_open_states[] = {"decided", "dataset", "training", "evaluating"};

// {kind: "retrain", specialist_type: T, $or: [{state: {$in: k_open_states}}, {notified: false}]}
// (records written before `notified` existed have no such field and never match it).
BsonPtr open_retrains_filter(const std::string& specialist_type);
// {sort: {started_at: 1}}
BsonPtr open_retrains_options();

// A retrain document (state_documents.hpp: retrain_document) → RetrainRecord. Fields added
// later may be missing (older records): they take their defaults. bad_response when a key
// field (_id, specialist_type, state, started_at) is missing or of the wrong type.
Result<RetrainRecord> retrain_from_document(const bson_t* doc);

} // namespace mm::mongo
