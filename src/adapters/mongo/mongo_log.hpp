#pragma once
// Where libmongoc's own log lines go. The driver logs through one process-wide handler whose
// default writes to stdout and stderr: that would break JSON logs (DESIGN §7) and the JSON
// report on stdout. Our errors already reach the caller as mm::Error; this is for the driver's
// extra remarks (e.g. "Invalid serverselectiontimeoutms: cannot parse integer", which it
// ignores instead of refusing the URI).

#include <functional>
#include <string_view>

namespace mm {

enum class MongoLogLevel { error, warning, info, debug };

using MongoLogSink =
    std::function<void(MongoLogLevel level, std::string_view domain, std::string_view message)>;

// Routes the driver's messages to `sink` (e.g. the app's logger); an empty sink restores the
// default: errors and warnings as one line on stderr, the rest dropped. Thread-safe; the sink
// may be called from the driver's background threads, so it must be thread-safe itself.
void set_mongo_log_sink(MongoLogSink sink);

} // namespace mm
