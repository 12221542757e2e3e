#pragma once
// The grep of the secret-leak tests (issue 5 item 9): every planted secret is looked for, in
// every form it could take on its way out, in every output a run produced.
//
// A secret is looked for as written, percent-encoded (as it sits in a URI) and percent-decoded
// (as a driver or libcurl sees it), and as base64 at any alignment: "Authorization: Basic"
// (RFC 7617) and SMTP AUTH PLAIN/LOGIN carry credentials base64-encoded, embedded after other
// bytes, so the scan looks for the part of the encoding that depends on the secret alone
// (see base64_cores). Every planted value also contains the marker k_canary_marker, which is
// looked for on its own: a partly masked secret ("***-mlflow" is fine, "LEAKCANARY-***" is not)
// still gives itself away.

#include <cstddef>
#include <string>
#include <string_view>
#include <vector>

namespace mm::test {

inline constexpr std::string_view k_canary_marker = "LEAKCANARY";

struct Secret {
  std::string name;  // what it is: "OPENAI_API_KEY", "password in MONGODB_URI", ...
  std::string value; // as planted
};

struct Output {
  std::string where; // "stderr of `check --specialist-type all` (LOG_FORMAT=json)", ...
  std::string text;  // any bytes
};

struct Leak {
  std::string where;
  std::string secret;
  std::string form; // "as planted", "percent-decoded", "base64", ...
  std::size_t offset = 0;
  std::string context; // the bytes around it, printable
};

// The needles of one secret: {form, needle}. Needles shorter than 8 bytes are left out (they
// would match by chance in binary files); so is a form equal to one already listed.
std::vector<std::pair<std::string, std::string>> forms_of(const Secret& secret);

// The base64 characters (RFC 4648 §4) that only `value` determines when it is encoded after 0,
// 1 or 2 other bytes: whatever precedes or follows it, one of them appears in the encoding.
std::vector<std::string> base64_cores(std::string_view value);

std::string base64(std::string_view bytes);
std::string percent_encode(std::string_view value); // all but RFC 3986 unreserved, %XX
std::string percent_decode(std::string_view value); // %XX → byte; anything else kept

// Every occurrence of every form of every secret (and of k_canary_marker) in every output.
std::vector<Leak> find_leaks(const std::vector<Secret>& secrets,
                             const std::vector<Output>& outputs);

// One line per leak, for a test failure message ("" when there is none).
std::string describe(const std::vector<Leak>& leaks);

} // namespace mm::test
