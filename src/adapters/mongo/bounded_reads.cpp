#include "adapters/mongo/bounded_reads.hpp"

#include <algorithm>
#include <atomic>
#include <thread>
#include <vector>

namespace mm::mongo {

Status run_bounded(std::size_t n, std::size_t max_parallel,
                   const std::function<Status(std::size_t)>& read) {
  std::vector<Status> results(n, ok_status());
  std::atomic<std::size_t> next{0};
  const auto work = [&] {
    for (std::size_t i = next.fetch_add(1); i < n; i = next.fetch_add(1)) {
      results[i] = read(i); // each index is taken by one thread only
    }
  };
  {
    const std::size_t workers = std::min(n, std::max<std::size_t>(max_parallel, 1));
    const std::size_t helpers = workers == 0 ? 0 : workers - 1; // the calling thread works too
    std::vector<std::jthread> threads;
    threads.reserve(helpers);
    for (std::size_t t = 0; t < helpers; ++t) {
      threads.emplace_back(work);
    }
    work();
  } // joins
  for (auto& r : results) {
    if (!r) {
      return r;
    }
  }
  return ok_status();
}

} // namespace mm::mongo
