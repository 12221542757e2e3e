#pragma once
// Errors as values at module boundaries (STYLE.md). C++23's std::expected is not in g++ 12 and
// Debian 12 has no tl-expected package, so this is the small subset we use.

#include <cassert>
#include <string>
#include <utility>
#include <variant>

namespace mm {

// What kind of failure, which decides the exit code (DESIGN §1):
// config → 2; unavailable / timeout / bad_response / not_found (a data source) → 3; internal → 4.
enum class ErrorKind {
  config,       // bad configuration or usage
  unavailable,  // a service could not be reached (connect refused, DNS, TLS, 5xx after retries)
  timeout,      // a service did not answer in time
  bad_response, // a service answered something we cannot use (malformed JSON, wrong types)
  not_found,    // the thing asked for does not exist (experiment, run, model)
  internal,     // a bug or an impossible state
};

const char* to_string(ErrorKind kind) noexcept;

struct Error {
  ErrorKind kind = ErrorKind::internal;
  std::string message; // what failed, where (URL, credentials masked), what to check

  static Error config(std::string m) { return {ErrorKind::config, std::move(m)}; }
  static Error unavailable(std::string m) { return {ErrorKind::unavailable, std::move(m)}; }
  static Error timeout(std::string m) { return {ErrorKind::timeout, std::move(m)}; }
  static Error bad_response(std::string m) { return {ErrorKind::bad_response, std::move(m)}; }
  static Error not_found(std::string m) { return {ErrorKind::not_found, std::move(m)}; }
  static Error internal(std::string m) { return {ErrorKind::internal, std::move(m)}; }
};

// Process exit codes (DESIGN §1).
inline constexpr int k_exit_ok = 0;
inline constexpr int k_exit_degraded = 1; // check: degraded; retrain: a retrain failed
inline constexpr int k_exit_usage = 2;
inline constexpr int k_exit_unavailable = 3;
inline constexpr int k_exit_internal = 4;

int exit_code_for(ErrorKind kind) noexcept;

template <typename T> class [[nodiscard]] Result {
public:
  Result(T value) : m_v(std::in_place_index<0>, std::move(value)) {} // NOLINT: implicit by design
  Result(Error error) : m_v(std::in_place_index<1>, std::move(error)) {} // NOLINT

  bool ok() const noexcept { return m_v.index() == 0; }
  explicit operator bool() const noexcept { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(m_v);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(m_v);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(m_v));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const& {
    assert(!ok());
    return std::get<1>(m_v);
  }
  Error&& error() && {
    assert(!ok());
    return std::get<1>(std::move(m_v));
  }

private:
  std::variant<T, Error> m_v;
};

// Result<void>: success carries nothing.
struct Unit {};
using Status = Result<Unit>;
inline Status ok_status() {
  return Unit{};
}

} // namespace mm
