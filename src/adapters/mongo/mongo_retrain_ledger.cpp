// MongoStateStore's RetrainLedger side: the per-specialist lease and the open retrain records.
#include "adapters/mongo/ledger_documents.hpp"
#include "adapters/mongo/mongo_collection.hpp"
#include "adapters/mongo/mongo_handles.hpp"
#include "adapters/mongo/mongo_state_store.hpp"
#include "core/time_format.hpp"

namespace mm {
namespace {

using mongo::BsonPtr;
using mongo::LeasedCollection;

constexpr std::uint32_t k_code_duplicate_key = 11000;

bool is_duplicate_key(const bson_error_t& error) {
  return error.code == k_code_duplicate_key &&
         (error.domain == MONGOC_ERROR_SERVER || error.domain == MONGOC_ERROR_COLLECTION ||
          error.domain == MONGOC_ERROR_QUERY);
}

Result<std::optional<mongo::StoredLease>> newest_lease(const LeasedCollection& target,
                                                       const std::string& type) {
  const std::string operation = "find (lease, specialist_type '" + type + "')";
  const BsonPtr filter = mongo::lease_filter(type);
  const BsonPtr opts = mongo::newest_lease_options();
  auto docs = mongo::find(target, filter.get(), opts.get(), operation);
  if (!docs) {
    return std::move(docs).error();
  }
  if (docs->empty()) {
    return std::optional<mongo::StoredLease>{};
  }
  auto stored = mongo::lease_from_document(docs->front().get());
  if (!stored) {
    return mongo::in_context(std::move(stored).error(), operation, target);
  }
  return std::optional<mongo::StoredLease>{std::move(stored).value()};
}

// The number of documents an update matched ("matchedCount" of the reply).
std::int64_t matched_count(const bson_t* reply) {
  bson_iter_t it;
  if (bson_iter_init_find(&it, reply, "matchedCount") && BSON_ITER_HOLDS_NUMBER(&it)) {
    return bson_iter_as_int64(&it);
  }
  return 0;
}

} // namespace

Result<LeaseAttempt> MongoStateStore::acquire_lease(const std::string& type,
                                                    const std::string& owner, TimePoint now,
                                                    std::chrono::seconds ttl) {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  auto newest = newest_lease(*target, type);
  if (!newest) {
    return std::move(newest).error();
  }
  if (*newest && mongo::lease_is_active(**newest, now) && (*newest)->lease.owner != owner) {
    return LeaseAttempt{false, (*newest)->lease};
  }
  return insert_lease(type, owner, *newest ? (*newest)->lease.generation + 1 : 1, now, ttl);
}

Result<LeaseAttempt> MongoStateStore::take_over_lease(const Lease& stale, const std::string& owner,
                                                      TimePoint now, std::chrono::seconds ttl) {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  auto newest = newest_lease(*target, stale.specialist_type);
  if (!newest) {
    return std::move(newest).error();
  }
  if (*newest && (*newest)->lease.generation != stale.generation) {
    return LeaseAttempt{false, (*newest)->lease}; // someone took it over already
  }
  return insert_lease(stale.specialist_type, owner, stale.generation + 1, now, ttl);
}

Result<LeaseAttempt> MongoStateStore::insert_lease(const std::string& type,
                                                   const std::string& owner,
                                                   std::int64_t generation, TimePoint now,
                                                   std::chrono::seconds ttl) {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  Lease mine{type, owner, generation, now, now + ttl};
  const BsonPtr doc = mongo::lease_document(mine);
  const std::string operation = "insert (lease '" + mongo::lease_id(type, mine.generation) + "')";
  bson_error_t error{};
  const auto started = std::chrono::steady_clock::now();
  mongo::ReplyBson reply;
  if (!mongoc_collection_insert_one(target->collection.get(), doc.get(), nullptr, reply.get(),
                                    &error)) {
    if (!is_duplicate_key(error)) {
      return mongo::driver_error(error, operation, *target, started);
    }
    // Another process inserted this generation first: it holds the lease.
    auto winner = newest_lease(*target, type);
    if (!winner) {
      return std::move(winner).error();
    }
    if (!*winner) {
      return Error::internal("lease of '" + type +
                             "' was taken by another process and vanished; run again");
    }
    return LeaseAttempt{false, (*winner)->lease};
  }
  // History: the generations before ours (best effort; the next acquirer retries).
  const BsonPtr older = mongo::older_leases_filter(type, mine.generation);
  bson_error_t ignored{};
  (void)mongoc_collection_delete_many(target->collection.get(), older.get(), nullptr, nullptr,
                                      &ignored);
  return LeaseAttempt{true, mine};
}

Status MongoStateStore::renew_lease(const Lease& lease, TimePoint now, std::chrono::seconds ttl) {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  const std::string id = mongo::lease_id(lease.specialist_type, lease.generation);
  // A newer generation means ours expired and was taken over: it is lost even if our document
  // is still there.
  auto newest = newest_lease(*target, lease.specialist_type);
  if (!newest) {
    return std::move(newest).error();
  }
  if (!*newest || (*newest)->lease.generation != lease.generation ||
      (*newest)->lease.owner != lease.owner || (*newest)->released) {
    return Error::not_found(
        "the retrain lease '" + id + "' is no longer ours" +
        (*newest ? " (now held by " + (*newest)->lease.owner + ")" : std::string()) +
        "; stopping before changing anything");
  }
  const BsonPtr selector = mongo::own_lease_selector(lease);
  const BsonPtr update = mongo::renew_update(now + ttl);
  mongo::ReplyBson reply;
  bson_error_t error{};
  const auto started = std::chrono::steady_clock::now();
  if (!mongoc_collection_update_one(target->collection.get(), selector.get(), update.get(), nullptr,
                                    reply.get(), &error)) {
    return mongo::driver_error(error, "update (renew " + id + ")", *target, started);
  }
  if (matched_count(reply.get()) != 1) {
    return Error::not_found("the retrain lease '" + id +
                            "' is gone; stopping before changing "
                            "anything");
  }
  return ok_status();
}

Status MongoStateStore::release_lease(const Lease& lease, TimePoint now) {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  const std::string id = mongo::lease_id(lease.specialist_type, lease.generation);
  const BsonPtr selector = mongo::own_lease_selector(lease);
  const BsonPtr update = mongo::release_update(now);
  mongo::ReplyBson reply;
  bson_error_t error{};
  const auto started = std::chrono::steady_clock::now();
  if (!mongoc_collection_update_one(target->collection.get(), selector.get(), update.get(), nullptr,
                                    reply.get(), &error)) {
    return mongo::driver_error(error, "update (release " + id + ")", *target, started);
  }
  return ok_status();
}

Result<std::vector<RetrainRecord>> MongoStateStore::open_retrains(const std::string& type) {
  auto target = mongo::lease_collection(m_pool, m_database, m_collection, m_query_timeout);
  if (!target) {
    return std::move(target).error();
  }
  const std::string operation = "find (open retrain records, specialist_type '" + type + "')";
  const BsonPtr filter = mongo::open_retrains_filter(type);
  const BsonPtr opts = mongo::open_retrains_options();
  auto docs = mongo::find(*target, filter.get(), opts.get(), operation);
  if (!docs) {
    return std::move(docs).error();
  }
  std::vector<RetrainRecord> out;
  for (const auto& doc : *docs) {
    auto record = mongo::retrain_from_document(doc.get());
    if (!record) {
      return mongo::in_context(std::move(record).error(), operation, *target);
    }
    out.push_back(std::move(record).value());
  }
  return out;
}

} // namespace mm
