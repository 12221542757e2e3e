#include "app/identity.hpp"

#include <array>
#include <fmt/format.h>
#include <fstream>
#include <random>
#include <unistd.h>

namespace mm {

std::string host_name() {
  std::array<char, 256> buffer{};
  if (gethostname(buffer.data(), buffer.size() - 1) != 0 || buffer[0] == '\0') {
    return "unknown-host";
  }
  return std::string(buffer.data());
}

namespace {
std::string& this_process_owner() {
  static std::string owner;
  return owner;
}
} // namespace

std::string lease_owner_name(const std::string& host) {
  std::random_device entropy;
  this_process_owner() =
      fmt::format("{} pid {} #{:08x}", host, static_cast<long>(getpid()), entropy());
  return this_process_owner();
}

std::string lease_owner_name_of_this_process() {
  return this_process_owner();
}

bool lease_owner_is_dead(const std::string& owner, const std::string& this_host) {
  const std::string prefix = this_host + " pid ";
  if (owner.rfind(prefix, 0) != 0) {
    return false;
  }
  const std::string rest = owner.substr(prefix.size());
  const auto space = rest.find(' ');
  const std::string digits = rest.substr(0, space);
  if (digits.empty() || digits.size() > 9 ||
      digits.find_first_not_of("0123456789") != std::string::npos) {
    return false;
  }
  const long pid = std::stol(digits);
  if (pid == static_cast<long>(getpid())) {
    // Our pid but another token: an earlier process whose pid we reuse is gone.
    return owner != lease_owner_name_of_this_process();
  }
  std::ifstream stat("/proc/" + digits + "/stat");
  std::string line;
  if (!std::getline(stat, line)) {
    return true; // no such process
  }
  const auto close = line.rfind(')');
  const char state = close != std::string::npos && close + 2 < line.size() ? line[close + 2] : '?';
  return state == 'Z' || state == 'X';
}

} // namespace mm
