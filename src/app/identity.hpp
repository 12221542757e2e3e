#pragma once
// Who this process is, for the retrain lease and ledger (DESIGN §4): the host (a Kubernetes
// pod name, or the machine) and a lease owner name unique to this process.

#include <string>

namespace mm {

// gethostname(), or "unknown-host".
std::string host_name();

// "{host} pid {pid} #{8 random hex digits}": readable for an operator (where to look) and
// unique even when a pid is reused after a restart.
std::string lease_owner_name(const std::string& host);

} // namespace mm
