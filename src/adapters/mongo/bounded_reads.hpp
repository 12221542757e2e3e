#pragma once
// Runs a fixed set of independent reads with a bound on how many run at the same time.

#include "core/result.hpp"

#include <cstddef>
#include <functional>

namespace mm::mongo {

// How many of the feedback statistics' reads run at once. FerretDB v1 decodes the whole
// collection for each read and holds what it matched in memory while it groups, so five reads at
// once on a 2-core server take as long together as two at a time (measured with 20,000
// documents: 17.7 s for five at once, 18.8 s two at a time, 22.8 s one after the other), but
// each of the five takes the whole 17 s and runs into the reads' time limit (maxTimeMS), while
// two at a time finish in ~7 s each. On MongoDB each read is an index range scan: two at a time
// costs nothing noticeable.
inline constexpr std::size_t k_max_parallel_reads = 2;

// Runs read(0) ... read(n - 1), at most `max_parallel` (at least 1) at the same time: the calling
// thread and max_parallel - 1 others take the next index until none is left. Each read runs
// exactly once, whatever the others return. Returns the error of the first failed read in index
// order once all have finished, else ok.
Status run_bounded(std::size_t n, std::size_t max_parallel,
                   const std::function<Status(std::size_t)>& read);

} // namespace mm::mongo
