#pragma once
// RAII owners for libmongoc/libbson handles (STYLE.md: every C handle has an owner).
// Internal to mm_mongo and its tests: it includes the driver's headers, which mm_mongo links
// privately, so public headers of this module must not include it.

#include <mongoc/mongoc.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

namespace mm::mongo {

struct BsonDeleter {
  void operator()(bson_t* b) const noexcept { bson_destroy(b); }
};
struct CursorDeleter {
  void operator()(mongoc_cursor_t* c) const noexcept { mongoc_cursor_destroy(c); }
};
struct CollectionDeleter {
  void operator()(mongoc_collection_t* c) const noexcept { mongoc_collection_destroy(c); }
};
// A standalone client (mongoc_client_new), for tools and tests; the app leases from MongoPool.
struct ClientDeleter {
  void operator()(mongoc_client_t* c) const noexcept { mongoc_client_destroy(c); }
};
// (MongoPool keeps its URI with mongo::UriDeleter from mongo_pool.hpp, which needs no driver
// header; this one is for code that already includes the driver.)
struct UriHandleDeleter {
  void operator()(mongoc_uri_t* u) const noexcept { mongoc_uri_destroy(u); }
};
struct DatabaseDeleter {
  void operator()(mongoc_database_t* d) const noexcept { mongoc_database_destroy(d); }
};

// bson_t carries an alignment attribute that a template argument cannot keep; the pointer held
// here is the one bson_new returned, already aligned, so the warning says nothing useful.
#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wignored-attributes"
using BsonPtr = std::unique_ptr<bson_t, BsonDeleter>;
using BsonRefs = std::vector<const bson_t*>; // borrowed, e.g. for mongoc_collection_insert_many
#pragma GCC diagnostic pop
using CursorPtr = std::unique_ptr<mongoc_cursor_t, CursorDeleter>;
using CollectionPtr = std::unique_ptr<mongoc_collection_t, CollectionDeleter>;
using DatabasePtr = std::unique_ptr<mongoc_database_t, DatabaseDeleter>;
using ClientPtr = std::unique_ptr<mongoc_client_t, ClientDeleter>;
using UriHandle = std::unique_ptr<mongoc_uri_t, UriHandleDeleter>;

// A heap bson_t (bson_new never returns null: it aborts on allocation failure).
inline BsonPtr make_bson() {
  return BsonPtr(bson_new());
}

// Owned copy of a document the driver lends us (e.g. from mongoc_cursor_next, valid only until
// the next call).
inline BsonPtr copy_bson(const bson_t* b) {
  return BsonPtr(bson_copy(b));
}

// Memory libbson allocates for us (e.g. the JSON text of bson_as_relaxed_extended_json).
struct BsonFree {
  void operator()(char* p) const noexcept { bson_free(p); }
};
using BsonString = std::unique_ptr<char, BsonFree>;

// Relaxed extended JSON of a document, for messages and tests ("" if libbson cannot render it).
inline std::string to_json(const bson_t* b) {
  BsonString json(bson_as_relaxed_extended_json(b, nullptr));
  return json ? std::string(json.get()) : std::string();
}

// The same, cut to `max_chars` (then ending in "...") so that an error message quoting a
// malformed document stays readable whatever the document's size.
inline constexpr std::size_t k_max_json_in_message = 300;
inline std::string json_excerpt(const bson_t* b, std::size_t max_chars = k_max_json_in_message) {
  std::string json = to_json(b);
  if (json.size() > max_chars) {
    json.resize(max_chars);
    json += "...";
  }
  return json;
}

// Appends `text` as a UTF-8 string field (libbson takes a length, so the view need not end in
// a NUL).
inline void append_text(bson_t* doc, const char* key, std::string_view text) {
  bson_append_utf8(doc, key, -1, text.data(), static_cast<int>(text.size()));
}

// An out-parameter document (e.g. the `reply` of mongoc_client_command_simple), which the driver
// always (re)initialises and the caller must always destroy. Starting from bson_init (inline,
// no allocation) makes destroying it safe even if the driver was never called.
class ReplyBson {
public:
  ReplyBson() noexcept { bson_init(&m_doc); }
  ~ReplyBson() { bson_destroy(&m_doc); }
  ReplyBson(const ReplyBson&) = delete;
  ReplyBson& operator=(const ReplyBson&) = delete;
  ReplyBson(ReplyBson&&) = delete;
  ReplyBson& operator=(ReplyBson&&) = delete;

  bson_t* get() noexcept { return &m_doc; }

private:
  bson_t m_doc;
};

} // namespace mm::mongo
