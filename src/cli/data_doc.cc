#include "cli/data_doc.h"

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"

namespace sluice::cli {
namespace {

std::string JsonQuote(const std::string& s) {
  std::string o = "\"";
  for (char c : s) {
    switch (c) {
      case '"': o += "\\\""; break;
      case '\\': o += "\\\\"; break;
      case '/': o += "\\/"; break;
      case '\n': o += "\\n"; break;
      case '\t': o += "\\t"; break;
      default:
        if (static_cast<unsigned char>(c) < 0x20) o += absl::StrFormat("\\u%04x", c);
        else o += c;
    }
  }
  return o + "\"";
}

// json-c's form: shortest round-trip digits, and ".0" on a whole number.
std::string JsonDouble(double d) {
  std::string s = absl::StrFormat("%.17g", d);
  for (int p = 1; p < 17; ++p) {
    std::string t = absl::StrFormat("%.*g", p, d);
    if (std::stod(t) == d) { s = t; break; }
  }
  if (s.find_first_of(".en") == std::string::npos) s += ".0";
  return s;
}

void Json(const DocValue& j, int ind, std::string* out) {
  std::string pad(static_cast<size_t>(ind), ' ');
  if (std::holds_alternative<std::nullptr_t>(j.v)) *out += "null";
  else if (auto* i = std::get_if<int64_t>(&j.v)) absl::StrAppend(out, *i);
  else if (auto* d = std::get_if<double>(&j.v)) *out += JsonDouble(*d);
  else if (auto* b = std::get_if<bool>(&j.v)) *out += *b ? "true" : "false";
  else if (auto* s = std::get_if<std::string>(&j.v)) *out += JsonQuote(*s);
  else if (auto* o = std::get_if<DocObj>(&j.v)) {
    *out += "{\n";
    for (size_t k = 0; k < o->size(); ++k) {
      absl::StrAppend(out, pad, "  ", JsonQuote((*o)[k].first), ": ");
      Json((*o)[k].second, ind + 2, out);
      *out += k + 1 < o->size() ? ",\n" : "\n";
    }
    absl::StrAppend(out, pad, "}");
  } else if (auto* a = std::get_if<DocArr>(&j.v)) {
    *out += "[\n";
    for (size_t k = 0; k < a->size(); ++k) {
      absl::StrAppend(out, pad, "  ");
      Json((*a)[k], ind + 2, out);
      *out += k + 1 < a->size() ? ",\n" : "\n";
    }
    absl::StrAppend(out, pad, "]");
  }
}

// libyaml's plain scalar where it can be one, else single-quoted (double-
// quoted when it holds a control character).
std::string YamlScalar(const std::string& s) {
  bool control = false;
  for (char c : s) control |= static_cast<unsigned char>(c) < 0x20;
  if (control) {
    std::string o = "\"";
    for (char c : s) {
      if (c == '"' || c == '\\') o += '\\', o += c;
      else if (c == '\n') o += "\\n";
      else if (c == '\t') o += "\\t";
      else if (static_cast<unsigned char>(c) < 0x20) o += absl::StrFormat("\\x%02X", c);
      else o += c;
    }
    return o + "\"";
  }
  auto indicator_then_blank = [&] {
    return std::string("-?:").find(s.front()) != std::string::npos &&
           (s.size() == 1 || s[1] == ' ');
  };
  bool quote = s.front() == ' ' || s.back() == ' ' || s.back() == ':' ||
               std::string(",[]{}#&*!|>'\"%@`").find(s.front()) != std::string::npos ||
               indicator_then_blank() || s.rfind("---", 0) == 0 || s.rfind("...", 0) == 0 ||
               s.find(": ") != std::string::npos || s.find(" #") != std::string::npos;
  if (!quote) return s;
  std::string o = "'";
  for (char c : s) o += c == '\'' ? std::string("''") : std::string(1, c);
  return o + "'";
}

// Writes `j` after its key or dash (on the same line), then any children.
void Yaml(const DocValue& j, int ind, std::string* out) {
  std::string pad(static_cast<size_t>(ind), ' ');
  if (std::holds_alternative<std::nullptr_t>(j.v)) *out += "!!null null\n";
  else if (auto* i = std::get_if<int64_t>(&j.v)) absl::StrAppend(out, "!!int ", *i, "\n");
  else if (auto* d = std::get_if<double>(&j.v)) absl::StrAppend(out, "!!float ", absl::StrFormat("%f", *d), "\n");
  else if (auto* b = std::get_if<bool>(&j.v)) absl::StrAppend(out, "!!bool ", *b ? "true" : "false", "\n");
  else if (auto* s = std::get_if<std::string>(&j.v)) {
    if (s->empty()) *out += "!!null null\n";
    else absl::StrAppend(out, "!!str ", YamlScalar(*s), "\n");
  } else if (auto* o = std::get_if<DocObj>(&j.v)) {
    if (o->empty()) { *out += "!!map {}\n"; return; }
    *out += "!!map\n";
    for (const auto& [k, v] : *o) {
      absl::StrAppend(out, pad, "!!str ", YamlScalar(k), ": ");
      bool seq = std::holds_alternative<DocArr>(v.v);
      Yaml(v, seq ? ind : ind + 2, out);
    }
  } else if (auto* a = std::get_if<DocArr>(&j.v)) {
    if (a->empty()) { *out += "!!seq []\n"; return; }
    *out += "!!seq\n";
    for (const auto& v : *a) {
      absl::StrAppend(out, pad, "- ");
      Yaml(v, ind + 2, out);
    }
  }
}

}  // namespace

DocValue DataDocument(const char* plugin_type, const char* plugin_name, const char* key,
                      DocArr items) {
  return DocObj{
      {"meta", DocObj{{"plugin", DocObj{{"type", plugin_type}, {"name", plugin_name}}},
                      {"Slurm", DocObj{{"version",
                                        DocObj{{"major", 22}, {"micro", 8}, {"minor", 5}}},
                                       {"release", "22.05.8"}}}}},
      {"errors", DocArr{}},
      {key, std::move(items)},
  };
}

std::string DocJson(const DocValue& doc) {
  std::string out;
  Json(doc, 0, &out);
  return out;
}

std::string DocYaml(const DocValue& doc) {
  std::string out = "%YAML 1.1\n--- ";
  Yaml(doc, 0, &out);
  return out + "...\n";
}

DocArr DocStrings(const std::vector<std::string>& items) {
  DocArr a;
  for (const auto& s : items) a.emplace_back(s);
  return a;
}

}  // namespace sluice::cli
