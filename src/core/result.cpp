#include "core/result.hpp"

namespace mm {

const char* to_string(ErrorKind kind) noexcept {
  switch (kind) {
  case ErrorKind::config:
    return "config";
  case ErrorKind::unavailable:
    return "unavailable";
  case ErrorKind::timeout:
    return "timeout";
  case ErrorKind::bad_response:
    return "bad_response";
  case ErrorKind::not_found:
    return "not_found";
  case ErrorKind::internal:
    return "internal";
  }
  return "internal";
}

int exit_code_for(ErrorKind kind) noexcept {
  switch (kind) {
  case ErrorKind::config:
    return k_exit_usage;
  case ErrorKind::unavailable:
  case ErrorKind::timeout:
  case ErrorKind::bad_response:
  case ErrorKind::not_found:
    return k_exit_unavailable;
  case ErrorKind::internal:
    return k_exit_internal;
  }
  return k_exit_internal;
}

} // namespace mm
