#include "core/output_json.h"

#include <cctype>

namespace aa {

namespace {

bool starts_with(std::string_view s, std::string_view p) {
  return s.substr(0, p.size()) == p;
}

std::string trim(std::string_view s) {
  size_t a = 0, b = s.size();
  while (a < b && std::isspace(static_cast<unsigned char>(s[a]))) ++a;
  while (b > a && std::isspace(static_cast<unsigned char>(s[b - 1]))) --b;
  return std::string(s.substr(a, b - a));
}

}  // namespace

Json document(std::string_view name, int version) {
  return Json{{"schema", "accel-attest/" + std::string(name) + "/v" + std::to_string(version)}};
}

Place split_pointer(const std::string& pointer, const std::string& default_subject) {
  if (pointer.empty()) return {default_subject, ""};
  if (pointer[0] == '/') return {default_subject, pointer};
  for (const char* multi : {"EK certificate", "AK certificate"}) {
    if (starts_with(pointer, multi)) return {pointer, ""};
  }
  const size_t hash = pointer.find('#');
  const size_t space = pointer.find(' ');
  if (hash != std::string::npos && (space == std::string::npos || hash < space))
    return {pointer.substr(0, hash), pointer.substr(hash + 1)};
  if (space == std::string::npos) return {pointer, ""};
  return {pointer.substr(0, space), trim(pointer.substr(space + 1))};
}

Json finding_json(const Finding& f, const std::string& default_subject) {
  Place p = split_pointer(f.pointer, default_subject);
  Json j = Json::object();  // member by member: an initializer list copies each value
  j["code"] = f.code;
  j["severity"] = to_string(f.severity);
  j["subject"] = std::move(p.subject);
  j["field"] = std::move(p.field);
  j["message"] = f.message;
  return j;
}

Json findings_json(const std::vector<Finding>& fs, const std::string& default_subject) {
  Json a = Json::array();
  for (const auto& f : fs) a.push_back(finding_json(f, default_subject));
  return a;
}

Json check_json(std::string_view name, std::string_view status) {
  return Json{{"name", name}, {"status", status}};
}

Json error_json(const Error& e) {
  return Json{{"code", e.code}, {"field", e.field}, {"message", e.message}};
}

}  // namespace aa
