#pragma once
// SIGTERM / SIGINT as a flag the long-running steps poll (a Kubernetes Job's deadline or a node
// drain sends SIGTERM, then SIGKILL after the grace period).

namespace mm {

// Installs the handlers (idempotent).
void install_stop_handlers();
bool stop_requested() noexcept;

} // namespace mm
