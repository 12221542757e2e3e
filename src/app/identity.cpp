#include "app/identity.hpp"

#include <array>
#include <fmt/format.h>
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

std::string lease_owner_name(const std::string& host) {
  std::random_device entropy;
  return fmt::format("{} pid {} #{:08x}", host, static_cast<long>(getpid()), entropy());
}

} // namespace mm
