#include "integration/faults/wire_framing.hpp"

#include <algorithm>
#include <cctype>
#include <cstdint>
#include <stdexcept>

namespace mm::test::wire {

namespace {

std::string lower(std::string_view s) {
  std::string out(s);
  std::transform(out.begin(), out.end(), out.begin(),
                 [](unsigned char c) { return static_cast<char>(std::tolower(c)); });
  return out;
}

// --- HTTP/1.1 --------------------------------------------------------------------------------

// Length of the chunked body starting at `body`, or nullopt while incomplete.
std::optional<std::size_t> chunked_length(std::string_view body) {
  std::size_t pos = 0;
  while (true) {
    const auto line_end = body.find("\r\n", pos);
    if (line_end == std::string_view::npos) {
      return std::nullopt;
    }
    const std::string size_text(body.substr(pos, line_end - pos));
    const std::size_t size = std::stoul(size_text, nullptr, 16); // chunk extensions: ignored
    pos = line_end + 2;
    if (size == 0) {
      // Trailers end with an empty line.
      const auto end = body.find("\r\n\r\n", line_end);
      if (body.substr(pos, 2) == "\r\n") {
        return pos + 2;
      }
      return end == std::string_view::npos ? std::nullopt : std::optional<std::size_t>(end + 4);
    }
    if (body.size() < pos + size + 2) {
      return std::nullopt;
    }
    pos += size + 2;
  }
}

} // namespace

std::optional<Framed> http_request(std::string_view buffer) {
  const auto head_end = buffer.find("\r\n\r\n");
  if (head_end == std::string_view::npos) {
    return std::nullopt;
  }
  const std::string_view head = buffer.substr(0, head_end + 2);
  const auto first_line_end = head.find("\r\n");
  const std::string_view request_line = head.substr(0, first_line_end);
  const auto sp1 = request_line.find(' ');
  const auto sp2 = request_line.rfind(' ');
  std::string label(request_line);
  if (sp1 != std::string_view::npos && sp2 != std::string_view::npos && sp2 > sp1) {
    label = std::string(request_line.substr(0, sp2)); // "METHOD target"
  }
  std::size_t body_size = 0;
  bool chunked = false;
  std::size_t pos = first_line_end + 2;
  while (pos < head.size()) {
    const auto end = head.find("\r\n", pos);
    const std::string_view line = head.substr(pos, end - pos);
    pos = end + 2;
    const auto colon = line.find(':');
    if (colon == std::string_view::npos) {
      continue;
    }
    const std::string name = lower(line.substr(0, colon));
    std::string_view value = line.substr(colon + 1);
    while (!value.empty() && value.front() == ' ') {
      value.remove_prefix(1);
    }
    if (name == "content-length") {
      body_size = std::stoul(std::string(value));
    } else if (name == "transfer-encoding" && lower(value).find("chunked") != std::string::npos) {
      chunked = true;
    }
  }
  const std::size_t body_start = head_end + 4;
  if (chunked) {
    const auto n = chunked_length(buffer.substr(body_start));
    if (!n) {
      return std::nullopt;
    }
    return Framed{body_start + *n, label};
  }
  if (buffer.size() < body_start + body_size) {
    return std::nullopt;
  }
  return Framed{body_start + body_size, label};
}

// --- MongoDB wire protocol -----------------------------------------------------------------------

namespace {

std::int32_t le32(std::string_view b, std::size_t at) {
  std::uint32_t v = 0;
  for (std::size_t i = 0; i < 4; ++i) {
    v |= static_cast<std::uint32_t>(static_cast<unsigned char>(b[at + i])) << (8U * i);
  }
  return static_cast<std::int32_t>(v);
}

// The first element of the BSON document at `doc`: "key" or "key value" for a string value.
std::string first_element(std::string_view msg, std::size_t doc) {
  if (msg.size() < doc + 5) {
    return "?";
  }
  const auto type = static_cast<unsigned char>(msg[doc + 4]);
  const std::size_t key_start = doc + 5;
  const auto key_end = msg.find('\0', key_start);
  if (key_end == std::string_view::npos) {
    return "?";
  }
  std::string label(msg.substr(key_start, key_end - key_start));
  if (type == 0x02 && msg.size() >= key_end + 5) { // UTF-8 string: int32 length + bytes + NUL
    const std::int32_t len = le32(msg, key_end + 1);
    if (len > 1 && msg.size() >= key_end + 5 + static_cast<std::size_t>(len)) {
      label += " " + std::string(msg.substr(key_end + 5, static_cast<std::size_t>(len) - 1));
    }
  }
  return label;
}

std::string mongo_label(std::string_view msg) {
  constexpr std::int32_t k_op_query = 2004;
  constexpr std::int32_t k_op_compressed = 2012;
  constexpr std::int32_t k_op_msg = 2013;
  if (msg.size() < 16) {
    return "?";
  }
  const std::int32_t opcode = le32(msg, 12);
  if (opcode == k_op_msg && msg.size() > 21 && msg[20] == 0) {
    return first_element(msg, 21); // header 16, flagBits 4, section kind 0 at 20
  }
  if (opcode == k_op_query) {
    const auto name_end = msg.find('\0', 20); // header 16, flags 4, fullCollectionName
    if (name_end != std::string_view::npos) {
      return first_element(msg, name_end + 1 + 8); // numberToSkip, numberToReturn
    }
  }
  if (opcode == k_op_compressed) {
    return "compressed";
  }
  return "opcode " + std::to_string(opcode);
}

} // namespace

std::optional<Framed> mongo_message(std::string_view buffer) {
  if (buffer.size() < 4) {
    return std::nullopt;
  }
  const std::int32_t len = le32(buffer, 0);
  if (len < 16) {
    throw std::runtime_error("fault proxy: malformed MongoDB message length " +
                             std::to_string(len));
  }
  if (buffer.size() < static_cast<std::size_t>(len)) {
    return std::nullopt;
  }
  const auto size = static_cast<std::size_t>(len);
  return Framed{size, mongo_label(buffer.substr(0, size))};
}

namespace {

const char* reason_phrase(int status) {
  switch (status) {
  case 200:
    return "OK";
  case 400:
    return "Bad Request";
  case 404:
    return "Not Found";
  case 408:
    return "Request Timeout";
  case 429:
    return "Too Many Requests";
  case 500:
    return "Internal Server Error";
  case 502:
    return "Bad Gateway";
  case 503:
    return "Service Unavailable";
  case 504:
    return "Gateway Timeout";
  default:
    return "Status";
  }
}

} // namespace

std::string http_response(int status,
                          const std::vector<std::pair<std::string, std::string>>& headers,
                          const std::string& body) {
  std::string bytes = "HTTP/1.1 " + std::to_string(status) + " " + reason_phrase(status) + "\r\n";
  bytes += "Content-Type: application/json\r\n";
  bytes += "Content-Length: " + std::to_string(body.size()) + "\r\n";
  for (const auto& [name, value] : headers) {
    bytes += name + ": " + value + "\r\n";
  }
  bytes += "\r\n" + body;
  return bytes;
}

} // namespace mm::test::wire
