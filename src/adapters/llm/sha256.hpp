#pragma once
// SHA-256 (FIPS 180-4), for the prompt hash stored in dataset metadata (DESIGN §5). Written here
// rather than taken from OpenSSL's libcrypto so that mm_llm adds no dependency for ~100 lines of
// well-specified code; tests check it against the FIPS 180-4 / NIST CAVP example vectors.

#include <array>
#include <cstddef>
#include <cstdint>
#include <string>
#include <string_view>

namespace mm {

class Sha256 {
public:
  Sha256();
  void update(std::string_view data);
  // The digest of everything given to update(); the object must not be updated afterwards.
  std::array<std::uint8_t, 32> finish();

private:
  void compress(const std::uint8_t* block);

  std::array<std::uint32_t, 8> m_state{};
  std::array<std::uint8_t, 64> m_buffer{};
  std::size_t m_buffered = 0;
  std::uint64_t m_total_bytes = 0;
};

// Lower-case hexadecimal SHA-256 of data.
std::string sha256_hex(std::string_view data);

} // namespace mm
