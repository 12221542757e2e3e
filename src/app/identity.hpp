#pragma once
// Who this process is, for the retrain lease and ledger (DESIGN §4): the host (a Kubernetes
// pod name, or the machine) and a lease owner name unique to this process.

#include <string>

namespace mm {

// gethostname(), or "unknown-host".
std::string host_name();

// "{host} pid {pid} #{8 random hex digits}": readable for an operator (where to look) and
// unique even when a pid is reused after a restart.
// Also remembered as this process's name (lease_owner_name_of_this_process).
std::string lease_owner_name(const std::string& host);
std::string lease_owner_name_of_this_process();

// Whether `owner` (a lease_owner_name) names a process of `this_host` that no longer runs
// (no such pid, or a zombie). A process of another host is never known dead here: its lease
// expires instead.
bool lease_owner_is_dead(const std::string& owner, const std::string& this_host);

} // namespace mm
