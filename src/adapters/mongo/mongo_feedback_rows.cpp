#include "adapters/mongo/mongo_feedback_rows.hpp"

#include "adapters/mongo/feedback_row_documents.hpp"
#include "adapters/mongo/mongo_collection.hpp"
#include "adapters/mongo/mongo_handles.hpp"

#include <algorithm>
#include <array>
#include <map>
#include <optional>
#include <span>
#include <vector>

namespace mm {
namespace {

using mongo::BsonPtr;
using Features = std::array<double, k_feature_count>;

// What the opinion lookup found for one id: nullopt when an opinion exists without usable
// features.
using OpinionFeatures = std::map<std::string, std::optional<Features>>;

Result<std::vector<mongo::FeedbackRef>>
read_recent_feedback(MongoPool& pool, const std::string& database, const std::string& collection,
                     std::chrono::milliseconds timeout, const std::string& type, int limit) {
  auto target = mongo::lease_collection(pool, database, collection, timeout);
  if (!target) {
    return std::move(target).error();
  }
  const BsonPtr filter = mongo::recent_feedback_filter(type);
  const BsonPtr opts = mongo::recent_feedback_options(limit);
  auto docs = mongo::find(*target, filter.get(), opts.get(),
                          "find (last " + std::to_string(limit) +
                              " feedback documents, specialist_type '" + type + "')");
  if (!docs) {
    return std::move(docs).error();
  }
  std::vector<mongo::FeedbackRef> refs;
  refs.reserve(docs->size());
  for (const auto& doc : *docs) {
    refs.push_back(mongo::feedback_ref_of(doc.get()));
  }
  return refs;
}

Status read_opinions(const mongo::LeasedCollection& target, std::span<const std::string> ids,
                     OpinionFeatures& found) {
  const BsonPtr filter = mongo::opinions_filter(ids);
  const BsonPtr opts = mongo::opinions_options();
  auto docs = mongo::find(target, filter.get(), opts.get(),
                          "find (opinions, batch of " + std::to_string(ids.size()) + " ids)");
  if (!docs) {
    return std::move(docs).error();
  }
  for (const auto& doc : *docs) {
    std::optional<std::string> id = mongo::opinion_id_of(doc.get());
    if (!id) {
      continue; // cannot happen for a match of {opinion_id: {$in: strings}}
    }
    std::optional<Features>& slot = found[*id];
    if (!slot) {
      slot = mongo::features_of(doc.get()); // the first usable duplicate wins
    }
  }
  return ok_status();
}

} // namespace

MongoFeedbackRowSource::MongoFeedbackRowSource(MongoPool& pool, std::string database,
                                               std::string feedback_collection,
                                               std::string opinions_collection,
                                               std::chrono::milliseconds query_timeout)
    : m_pool(pool), m_database(std::move(database)),
      m_feedback_collection(std::move(feedback_collection)),
      m_opinions_collection(std::move(opinions_collection)), m_query_timeout(query_timeout) {}

Result<FeedbackRows>
MongoFeedbackRowSource::recent_training_rows(const std::string& specialist_type, int limit) {
  FeedbackRows out;
  if (limit <= 0) {
    return out;
  }
  auto refs = read_recent_feedback(m_pool, m_database, m_feedback_collection, m_query_timeout,
                                   specialist_type, limit);
  if (!refs) {
    return std::move(refs).error();
  }
  out.feedback_read = static_cast<int>(refs->size());

  // Distinct ids of the feedback worth a row, for the batched lookup.
  std::vector<std::string> ids;
  for (const auto& ref : *refs) {
    if (ref.label && ref.opinion_id) {
      ids.push_back(*ref.opinion_id);
    }
  }
  std::sort(ids.begin(), ids.end());
  ids.erase(std::unique(ids.begin(), ids.end()), ids.end());

  OpinionFeatures found;
  if (!ids.empty()) {
    auto target =
        mongo::lease_collection(m_pool, m_database, m_opinions_collection, m_query_timeout);
    if (!target) {
      return std::move(target).error();
    }
    const std::span<const std::string> all(ids);
    for (std::size_t start = 0; start < all.size(); start += mongo::k_opinion_batch_size) {
      const std::size_t n = std::min(mongo::k_opinion_batch_size, all.size() - start);
      if (auto s = read_opinions(*target, all.subspan(start, n), found); !s) {
        return std::move(s).error();
      }
    }
  }

  for (const auto& ref : *refs) {
    if (!ref.label) {
      ++out.skipped_bad_label;
      continue;
    }
    const auto it = ref.opinion_id ? found.find(*ref.opinion_id) : found.end();
    if (it == found.end()) {
      ++out.skipped_no_opinion;
      continue;
    }
    if (!it->second) {
      ++out.skipped_bad_features;
      continue;
    }
    TrainingRow row;
    row.features = *it->second;
    row.label = *ref.label;
    row.source = RowSource::feedback;
    row.created_at = ref.submitted_at;
    out.rows.push_back(row);
  }
  return out;
}

} // namespace mm
