// libFuzzer target: documents read from MongoDB (adapters/mongo). The input becomes BSON two
// ways, both tried on every input:
//   - as raw BSON bytes (bson_init_static): the driver hands us reply documents without
//     validating their elements, so a corrupt one must not be read out of bounds;
//   - as JSON / MongoDB extended JSON (bson_new_from_json): the mutations of readable seeds stay
//     well-formed BSON of every type ($date, $numberLong, $numberDecimal, nested arrays), which
//     reaches deeper than random bytes.
// A document whose first field is an array named "reply" stands for a reply of several documents
// (its document elements, in order); any other document is a reply of one.
// Each reply goes to the readers of aggregation results (feedback_pipelines.hpp: counts, rating
// sums, grouped by type, and the statistics made of them), of feedback and opinion documents
// (feedback_row_documents.hpp: training rows) and of our own state (state_documents.hpp: the
// last retrain, counters; ledger_documents.hpp: leases and retrain records, which are written
// back). See docs/fuzzing.md.

#include "adapters/mongo/feedback_pipelines.hpp"
#include "adapters/mongo/feedback_row_documents.hpp"
#include "adapters/mongo/ledger_documents.hpp"
#include "adapters/mongo/mongo_error.hpp"
#include "adapters/mongo/mongo_handles.hpp"
#include "adapters/mongo/state_documents.hpp"
#include "fuzz_support.hpp"

#include <algorithm>
#include <array>
#include <cmath>
#include <cstddef>
#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace mm::mongo {
namespace {

// The fleet a grouped pipeline asked for (the seeds' groups use these names).
const std::array<std::string, 4> k_types = {"technical", "business", "behavior", "evolution"};

// 2^53: the largest count a double carries exactly (feedback_pipelines.cpp).
constexpr std::int64_t k_max_count = 9007199254740992;

std::vector<BsonPtr> reply_of(const bson_t* doc) {
  std::vector<BsonPtr> docs;
  bson_iter_t it;
  bson_iter_t items;
  if (bson_iter_init(&it, doc) && bson_iter_next(&it) &&
      std::strcmp(bson_iter_key(&it), "reply") == 0 && BSON_ITER_HOLDS_ARRAY(&it) &&
      bson_iter_recurse(&it, &items)) {
    while (bson_iter_next(&items)) {
      if (!BSON_ITER_HOLDS_DOCUMENT(&items)) {
        continue;
      }
      std::uint32_t length = 0;
      const std::uint8_t* data = nullptr;
      bson_iter_document(&items, &length, &data);
      bson_t* copy = bson_new_from_data(data, length);
      if (copy != nullptr) {
        docs.emplace_back(copy);
      }
    }
    return docs;
  }
  docs.push_back(copy_bson(doc));
  return docs;
}

void check_aggregations(const std::vector<BsonPtr>& reply) {
  WindowCounts counts;
  if (auto n = count_from_reply(reply)) {
    MM_FUZZ_CHECK(*n >= 0 && *n <= k_max_count, std::to_string(*n));
    counts.all = *n;
    counts.valid = *n / 2;
    counts.positive = *n / 3;
    counts.negative = *n / 4;
  } else {
    MM_FUZZ_CHECK_ERROR(n.error(), ErrorKind::bad_response);
  }
  if (auto sum = sum_from_reply(reply)) {
    MM_FUZZ_CHECK(std::isfinite(*sum) && *sum >= 0.0, std::to_string(*sum));
    counts.rating_sum = *sum;
  } else {
    MM_FUZZ_CHECK_ERROR(sum.error(), ErrorKind::bad_response);
  }
  // DESIGN §4: every count non-negative, the average (when there is one) a rating in [0, 1].
  const FeedbackStats stats = stats_from_counts(counts, 30);
  MM_FUZZ_CHECK(stats.neutral_count >= 0 && stats.invalid_count >= 0, "negative count");
  if (const auto avg = stats.avg_rating()) {
    MM_FUZZ_CHECK(*avg >= 0.0 && *avg <= 1.0, std::to_string(*avg));
  }

  if (auto grouped = grouped_counts_from_reply(reply, k_types)) {
    for (const auto& [type, n] : *grouped) {
      MM_FUZZ_CHECK(std::find(k_types.begin(), k_types.end(), type) != k_types.end(), type);
      MM_FUZZ_CHECK(n >= 0 && n <= k_max_count, type);
    }
  } else {
    MM_FUZZ_CHECK_ERROR(grouped.error(), ErrorKind::bad_response);
  }
  if (auto sums = grouped_sums_from_reply(reply, k_types)) {
    for (const auto& [type, v] : *sums) {
      MM_FUZZ_CHECK(std::find(k_types.begin(), k_types.end(), type) != k_types.end(), type);
      MM_FUZZ_CHECK(std::isfinite(v) && v >= 0.0, type);
    }
  } else {
    MM_FUZZ_CHECK_ERROR(sums.error(), ErrorKind::bad_response);
  }
}

void check_training_documents(const bson_t* doc) {
  const FeedbackRef ref = feedback_ref_of(doc);
  if (ref.label) {
    MM_FUZZ_CHECK(*ref.label >= 0 && *ref.label <= 2, std::to_string(*ref.label));
  }
  (void)opinion_id_of(doc);
  if (const auto features = features_of(doc)) {
    for (const double f : *features) {
      MM_FUZZ_CHECK(std::isfinite(f), "non-finite feature in a training row");
    }
  }
}

void check_state_documents(const std::vector<BsonPtr>& reply) {
  if (auto last = last_retrain_from_reply(reply); !last) {
    MM_FUZZ_CHECK_ERROR(last.error(), ErrorKind::bad_response);
  }
  for (const auto& doc : reply) {
    if (auto counter = counter_from_document(doc.get())) {
      MM_FUZZ_CHECK(std::isfinite(counter->value), counter->name);
    } else {
      MM_FUZZ_CHECK_ERROR(counter.error(), ErrorKind::bad_response);
    }
  }
}

// The retrain ledger reads records back to resume or close them (ledger_documents.hpp) and saves
// them again: a record it accepts must survive the round trip through retrain_document.
void check_ledger_documents(const bson_t* doc) {
  if (auto lease = lease_from_document(doc); !lease) {
    MM_FUZZ_CHECK_ERROR(lease.error(), ErrorKind::bad_response);
  }
  auto record = retrain_from_document(doc);
  if (!record) {
    MM_FUZZ_CHECK_ERROR(record.error(), ErrorKind::bad_response);
    return;
  }
  const RetrainRecord& r = *record;
  MM_FUZZ_CHECK(!r.baseline_f1 || std::isfinite(*r.baseline_f1), r.id);
  MM_FUZZ_CHECK(!r.candidate_f1 || std::isfinite(*r.candidate_f1), r.id);
  if (!validate(r)) {
    return; // refused before any write
  }
  const BsonPtr written = retrain_document(r);
  MM_FUZZ_CHECK(bson_validate(written.get(), BSON_VALIDATE_UTF8, nullptr), r.id);
  auto again = retrain_from_document(written.get());
  MM_FUZZ_CHECK(again.ok(), r.id);
  MM_FUZZ_CHECK(again->id == r.id && again->specialist_type == r.specialist_type &&
                    again->state == r.state && again->started_at == r.started_at &&
                    again->finished_at == r.finished_at && again->training_pid == r.training_pid &&
                    again->notified == r.notified && again->baseline_f1 == r.baseline_f1,
                r.id);
}

// Free text (an error message quoting a server) stored in a retrain record must always make a
// document the server accepts: UTF-8 without NUL.
void check_safe_text(std::string_view text) {
  const std::string safe = bson_safe_text(text);
  MM_FUZZ_CHECK(bson_utf8_validate(safe.data(), safe.size(), false), safe);
  if (bson_utf8_validate(text.data(), text.size(), false)) {
    MM_FUZZ_CHECK(safe == text, safe);
  }
}

// A driver error (its message may quote the server) → Error with a message fit for the report.
void check_driver_error(std::string_view bytes) {
  bson_error_t error{};
  std::uint32_t words[2] = {0, 0};
  std::memcpy(words, bytes.data(), std::min(sizeof(words), bytes.size()));
  error.domain = words[0] % 64;
  error.code = words[1] % 512;
  const std::string_view message = bytes.substr(std::min(sizeof(words), bytes.size()));
  const std::size_t n = std::min(message.size(), sizeof(error.message) - 1);
  std::memcpy(error.message, message.data(), n);
  error.message[n] = '\0';
  const Error e = error_from_mongoc(error, {"aggregate", "mongodb://monitor:***@db:27017/", false});
  MM_FUZZ_CHECK(!e.message.empty(), "driver error without a message");
}

void check_document(const bson_t* doc) {
  const std::vector<BsonPtr> reply = reply_of(doc);
  check_aggregations(reply);
  check_state_documents(reply);
  for (const auto& d : reply) {
    check_training_documents(d.get());
    check_ledger_documents(d.get());
  }
}

} // namespace
} // namespace mm::mongo

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace mm::mongo;
  const std::string_view bytes(reinterpret_cast<const char*>(data), size);

  bson_t raw;
  if (bson_init_static(&raw, data, size)) {
    check_document(&raw);
  }
  bson_error_t error{};
  BsonPtr parsed(bson_new_from_json(data, static_cast<ssize_t>(size), &error));
  if (parsed) {
    check_document(parsed.get());
  }
  check_safe_text(bytes);
  check_driver_error(bytes);
  return 0;
}
