#include "adapters/pushgateway/pushgateway_status.hpp"

#include "adapters/http/http_client.hpp"
#include "core/redact.hpp"

#include <fmt/format.h>
#include <nlohmann/json.hpp>

namespace mm {

namespace {

constexpr const char* k_flag = "push.disable-consistency-check";

Error bad_status(std::string_view why) {
  return Error::bad_response(fmt::format(
      "the Pushgateway's /api/v1/status {} (a Pushgateway 1.0 or newer answers "
      "{{\"status\": \"success\", \"data\": {{\"flags\": {{\"{}\": \"false\", ...}}}}}})",
      why, k_flag));
}

} // namespace

Result<PushgatewayStatus> parse_pushgateway_status(std::string_view body) {
  const nlohmann::json doc = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
  if (doc.is_discarded() || !doc.is_object()) {
    return bad_status("is not a JSON object");
  }
  const auto status = doc.find("status");
  if (status == doc.end() || !status->is_string() || status->get<std::string>() != "success") {
    return bad_status("does not say \"status\": \"success\"");
  }
  const auto data = doc.find("data");
  if (data == doc.end() || !data->is_object()) {
    return bad_status("has no \"data\" object");
  }
  const auto flags = data->find("flags");
  if (flags == data->end() || !flags->is_object()) {
    return bad_status("has no \"data.flags\" object");
  }
  const auto flag = flags->find(k_flag);
  // The Pushgateway prints every flag's value as a string ("true"/"false").
  if (flag == flags->end() || !flag->is_string() ||
      (flag->get<std::string>() != "true" && flag->get<std::string>() != "false")) {
    return bad_status(fmt::format("has no flag \"{}\" set to \"true\" or \"false\"", k_flag));
  }
  PushgatewayStatus out;
  out.consistency_check = flag->get<std::string>() == "false";
  if (const auto build = data->find("build_information");
      build != data->end() && build->is_object()) {
    if (const auto version = build->find("version");
        version != build->end() && version->is_string()) {
      out.version = version->get<std::string>();
    }
  }
  return out;
}

Result<PushgatewayStatus> read_pushgateway_status(const std::string& base_url,
                                                  HttpOptions options) {
  options.max_retries = 0;
  HttpClient http(std::move(options));
  std::string url = base_url;
  while (!url.empty() && url.back() == '/') {
    url.pop_back();
  }
  url += "/api/v1/status";
  Result<HttpResponse> resp = http.send(HttpRequest::get(url));
  if (!resp) {
    return std::move(resp).error();
  }
  if (!resp->is_success()) {
    return Error::bad_response(
        fmt::format("GET {} answered HTTP {}", mask_uri_credentials(url), resp->status));
  }
  auto status = parse_pushgateway_status(resp->body);
  if (!status) {
    Error e = std::move(status).error();
    e.message = fmt::format("{}: {}", mask_uri_credentials(url), e.message);
    return e;
  }
  return status;
}

bool consistency_check_is_costly(std::size_t groups, const PushgatewayStatus& status) noexcept {
  return status.consistency_check && groups >= k_costly_consistency_check_groups;
}

} // namespace mm
