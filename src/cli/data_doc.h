// A small document tree for the commands' --json and --yaml output (Slurm
// 22.05's data_parser, plugin 0.0.38), and its two printers in Slurm's
// layout: JSON with two-space indentation, '/' escaped and no final
// newline; YAML 1.1 with explicit tags, empty strings as null and a final
// "...". Values only; pure; thread-safe.
#pragma once

#include <cstdint>
#include <string>
#include <utility>
#include <variant>
#include <vector>

namespace sluice::cli {

struct DocValue;
using DocObj = std::vector<std::pair<std::string, DocValue>>;
using DocArr = std::vector<DocValue>;

struct DocValue {
  std::variant<std::nullptr_t, int64_t, double, std::string, DocObj, DocArr, bool> v;
  DocValue() : v(nullptr) {}
  DocValue(int64_t i) : v(i) {}
  DocValue(int i) : v(static_cast<int64_t>(i)) {}
  DocValue(uint32_t i) : v(static_cast<int64_t>(i)) {}
  DocValue(uint64_t i) : v(static_cast<int64_t>(i)) {}
  DocValue(double d) : v(d) {}
  DocValue(bool b) : v(b) {}
  DocValue(const char* s) : v(std::string(s)) {}
  DocValue(std::string s) : v(std::move(s)) {}
  DocValue(DocObj o) : v(std::move(o)) {}
  DocValue(DocArr a) : v(std::move(a)) {}
};

// The whole document: meta (plugin `type`/`name`, Slurm's version), an
// empty errors list, and `key` holding `items`.
DocValue DataDocument(const char* plugin_type, const char* plugin_name, const char* key,
                      DocArr items);

std::string DocJson(const DocValue& doc);
std::string DocYaml(const DocValue& doc);

// A list of strings as a document array.
DocArr DocStrings(const std::vector<std::string>& items);

}  // namespace sluice::cli
