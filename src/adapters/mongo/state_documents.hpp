#pragma once
// The documents of model-monitor's own collection model_monitor_state (DESIGN §4) and the
// queries on them: pure functions, testable without a server.
// Internal to mm_mongo and its tests (includes the driver's headers).
//
// One collection, several kinds of document told apart by `kind`:
//   retrain  one per RetrainRecord, _id = record.id: {kind, specialist_type, trigger, state,
//            started_at, finished_at, run_id, dataset_path, error, baseline_f1, candidate_f1,
//            owner, host, training_pid, baseline_run_id, baseline_version,
//            baseline_precision, baseline_recall, promoted_version, notified}
//            (an unset optional is stored as null)
//   lease    one per (specialist, generation): ledger_documents.hpp
//   counter  one per (specialist, metric name, labels), _id = counter_id(...):
//            {kind, specialist_type, name, labels: {label: value, ...}, value}
// The index {kind: 1, specialist_type: 1, started_at: -1} serves both reads: the newest
// retrain of a type (two equalities and the sort) and the counters of a type (its prefix).
//
// Every query is valid on MongoDB 6/7 and FerretDB v1 (equality, $in, $or, $type, $ne, $inc,
// $setOnInsert, sort/limit/projection; no aggregation).

#include "adapters/mongo/mongo_handles.hpp"
#include "core/metrics.hpp"
#include "core/result.hpp"
#include "ports/state_store.hpp"

#include <array>
#include <map>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

namespace mm::mongo {

inline constexpr const char* k_kind_retrain = "retrain";
inline constexpr const char* k_kind_counter = "counter";
inline constexpr const char* k_state_index_name = "kind_1_specialist_type_1_started_at_-1";

// {createIndexes: collection, indexes: [{key: {kind: 1, specialist_type: 1, started_at: -1},
// name: k_state_index_name}]}. Idempotent on the server: the same key and name again is a
// no-op.
BsonPtr state_indexes_command(const std::string& collection);

// `text` unchanged when it is UTF-8 without NUL (what BSON strings must be), otherwise with
// every NUL and every byte >= 0x80 replaced by '?': free text such as an error message must
// not make the write fail.
std::string bson_safe_text(std::string_view text);

// --- retrain records ---------------------------------------------------------------------------
//
// The cooldown (last_retrain) counts the retrains that reached training, whatever came after:
// states training, evaluating, promoted and rejected, and failed *with a run_id*. The pipeline
// sets run_id when it creates the MLflow run, just before the state becomes training, and keeps
// it when a later step fails; so a failed record with a run_id launched a training and one
// without failed before (check, dataset generation, feedback merge, dataset write, creating the
// run). Why: a training that ran, even one that failed, cost a training's compute and would
// fail the same way at the next CronJob run, so the cooldown holds it off; a retrain that never
// trained cost little and should be tried again at the next run. A record with a `decided` or
// `dataset` state (a run that died mid-way) does not start the cooldown either.
inline constexpr std::array<std::string_view, 4> k_trained_states = {"training", "evaluating",
                                                                     "promoted", "rejected"};
inline constexpr std::string_view k_failed_state = "failed";

// id, specialist_type and state non-empty UTF-8 without NUL; they are keys, not free text.
Status validate(const RetrainRecord& record);

// {_id: record.id}
BsonPtr retrain_selector(const RetrainRecord& record);

// The whole document (with _id), for a replace: saving the same record twice leaves one
// document with the same content. Non-finite F1 values are stored as null (FerretDB drops the
// connection on a NaN, and neither is a score); free-text fields go through bson_safe_text.
BsonPtr retrain_document(const RetrainRecord& record);

// {kind: "retrain", specialist_type: T, started_at: {$type: "date"},
//  $or: [{state: {$in: k_trained_states}}, {state: "failed", run_id: {$type: "string", $ne: ""}}]}
BsonPtr last_retrain_filter(const std::string& specialist_type);
// {projection: {_id: 0, started_at: 1}, sort: {started_at: -1}, limit: 1}
BsonPtr last_retrain_options();
// No document → nullopt; one with a date started_at → that time; anything else → bad_response.
Result<std::optional<TimePoint>> last_retrain_from_reply(const std::vector<BsonPtr>& docs);

// --- counters ----------------------------------------------------------------------------------

// name a Prometheus metric name ([a-zA-Z_:][a-zA-Z0-9_:]*), label names Prometheus label names
// ([a-zA-Z_][a-zA-Z0-9_]*, so they are safe as field names of the labels object), label values
// UTF-8 without NUL, delta finite and >= 0 (a counter never goes down: Prometheus reads a
// decrease as a reset). Checked before any I/O.
Status validate_counter(const std::string& specialist_type, const std::string& name,
                        const std::map<std::string, std::string>& labels, double delta);

// "{type}|{name}|{label=value,...}" with labels in name order (std::map) and '\', '|', ',' and
// '=' in values escaped with '\', so that two different counters never share an id.
std::string counter_id(const std::string& specialist_type, const std::string& name,
                       const std::map<std::string, std::string>& labels);

// {_id: id}
BsonPtr counter_selector(const std::string& id);

// {$inc: {value: delta}, $setOnInsert: {kind, specialist_type, name, labels}}, for an upsert:
// the first increment creates the counter, the others only add.
BsonPtr counter_update(const std::string& specialist_type, const std::string& name,
                       const std::map<std::string, std::string>& labels, double delta);

// {kind: "counter", specialist_type: T}
BsonPtr counters_filter(const std::string& specialist_type);
// {projection: {_id: 1, name: 1, labels: 1, value: 1}, sort: {_id: 1}}: a stable order.
BsonPtr counters_options();
// name a string, labels an object of strings, value a finite number (double, int32, int64);
// anything else → bad_response naming the document's _id.
Result<StateStore::Counter> counter_from_document(const bson_t* doc);

} // namespace mm::mongo
