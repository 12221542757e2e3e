#include "app/stop_signal.hpp"

#include <atomic>
#include <csignal>

namespace mm {

namespace {

// Lock-free atomics are async-signal-safe; the handler does nothing else.
std::atomic<bool> g_stop{false};
static_assert(std::atomic<bool>::is_always_lock_free);

extern "C" void on_stop_signal(int /*signal*/) {
  g_stop.store(true);
}

} // namespace

void install_stop_handlers() {
  struct sigaction sa {};
  sa.sa_handler = on_stop_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGTERM, &sa, nullptr);
  sigaction(SIGINT, &sa, nullptr);
}

bool stop_requested() noexcept {
  return g_stop.load();
}

} // namespace mm
