#include "flux/substitution.h"

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace gale::flux {
namespace {

constexpr std::string_view kEnvPrefix = "ENV-";

std::string Trim(std::string_view s) {
  const char* ws = " \t\r\f\v";
  std::size_t begin = s.find_first_not_of(ws);
  if (begin == std::string_view::npos) return "";
  std::size_t end = s.find_last_not_of(ws);
  return std::string(s.substr(begin, end - begin + 1));
}

// Where a comment starts on `line`, or npos. Only comments that cannot be
// inside a quoted scalar are recognised: a line whose first non-blank is
// '#', or " #" with no quote character before it. Erring this way means a
// ${...} is substituted rather than silently skipped.
std::size_t CommentStart(std::string_view line) {
  std::size_t first = line.find_first_not_of(" \t");
  if (first != std::string_view::npos && line[first] == '#') return first;
  for (std::size_t i = 1; i < line.size(); ++i) {
    char c = line[i];
    if (c == '"' || c == '\'') return std::string_view::npos;
    if (c == '#' && (line[i - 1] == ' ' || line[i - 1] == '\t')) return i;
  }
  return std::string_view::npos;
}

std::string FilterFileList(const std::vector<std::string>& files) {
  std::string out;
  for (const std::string& f : files) {
    if (!out.empty()) out += ", ";
    out += f;
  }
  return out;
}

}  // namespace

void PositionMap::Add(int line, int new_column, int new_length, int old_column, int old_length) {
  lines_[line].push_back({new_column, new_length, old_column, old_length});
}

int PositionMap::OriginalColumn(int line, int column) const {
  auto it = lines_.find(line);
  if (it == lines_.end()) return column;
  int delta = 0;
  for (const Segment& s : it->second) {
    if (column < s.new_column) break;
    if (column < s.new_column + s.new_length) return s.old_column;
    delta = (s.old_column + s.old_length) - (s.new_column + s.new_length);
  }
  return column + delta;
}

Result<SubstitutionOptions> ReadFilterFiles(const std::vector<std::string>& files,
                                            bool env_filter) {
  SubstitutionOptions options;
  options.filter_files = files;
  options.env_filter = env_filter;
  for (const std::string& file : files) {
    std::error_code ec;
    if (!std::filesystem::exists(file, ec)) {
      return NotFound("--filter '" + file + "': no such file");
    }
    std::ifstream in(file);
    if (!in) return IoError("--filter '" + file + "': cannot be read");
    std::string raw;
    int line_number = 0;
    while (std::getline(in, raw)) {
      ++line_number;
      std::string line = Trim(raw);
      if (line.empty() || line[0] == '#' || line[0] == '!') continue;
      std::size_t sep = line.find('=');
      if (sep == std::string::npos) sep = line.find(':');
      std::string key = sep == std::string::npos ? "" : Trim(line.substr(0, sep));
      if (key.empty()) {
        return InvalidArgument(file + ":" + std::to_string(line_number) +
                               ":1: expected 'key=value' in a --filter properties file, got '" +
                               line + "'");
      }
      options.properties[key] = Trim(line.substr(sep + 1));
    }
  }
  return options;
}

SubstitutedText Substitute(std::string_view text, const std::string& file,
                           const SubstitutionOptions& options, std::vector<std::string>* errors) {
  SubstitutedText out;
  out.text.reserve(text.size());
  int line_index = 0;
  std::size_t line_begin = 0;
  while (line_begin <= text.size()) {
    std::size_t line_end = text.find('\n', line_begin);
    if (line_end == std::string_view::npos) line_end = text.size();
    std::string_view line = text.substr(line_begin, line_end - line_begin);
    std::size_t limit = std::min(CommentStart(line), line.size());
    std::size_t copied = 0;
    int new_column = 0;
    auto error = [&](std::size_t column, const std::string& message) {
      errors->push_back(file + ":" + std::to_string(line_index + 1) + ":" +
                        std::to_string(column + 1) + ": " + message);
    };
    for (std::size_t at = line.find("${"); at < limit; at = line.find("${", at)) {
      std::size_t close = line.find('}', at + 2);
      if (close == std::string_view::npos) {
        error(at, "unterminated '${' (missing '}'); write ${key} or ${ENV-NAME}");
        break;
      }
      std::string name(line.substr(at + 2, close - at - 2));
      std::string original(line.substr(at, close - at + 1));
      std::string replacement;
      bool resolved = false;
      if (name.empty()) {
        error(at, "empty '${}'; write ${key} (with --filter) or ${ENV-NAME} (with --env-filter)");
      } else if (auto p = options.properties.find(name); p != options.properties.end()) {
        replacement = p->second;
        resolved = true;
      } else if (name.rfind(kEnvPrefix, 0) == 0) {
        std::string var = name.substr(kEnvPrefix.size());
        const char* value = options.env_filter ? std::getenv(var.c_str()) : nullptr;
        if (!options.env_filter) {
          error(at, "'" + original + "' is not substituted: pass --env-filter to replace " +
                        "${ENV-NAME} with the environment variable NAME");
        } else if (value == nullptr) {
          error(at, "'" + original + "': environment variable '" + var +
                        "' is not set (--env-filter substitutes it)");
        } else {
          replacement = value;
          resolved = true;
        }
      } else if (options.filter_files.empty()) {
        error(at, "'" + original + "' is not substituted: pass --filter FILE.properties with a " +
                      "line '" + name + "=...' (or write ${ENV-" + name +
                      "} with --env-filter for an environment variable)");
      } else {
        error(at, "'" + original + "' is not defined in the --filter file(s) " +
                      FilterFileList(options.filter_files) + "; add a line '" + name + "=...'");
      }
      std::size_t next = close + 1;
      if (resolved) {
        out.text.append(line.substr(copied, at - copied));
        new_column += static_cast<int>(at - copied);
        out.positions.Add(line_index, new_column, static_cast<int>(replacement.size()),
                          static_cast<int>(at), static_cast<int>(original.size()));
        out.text += replacement;
        new_column += static_cast<int>(replacement.size());
        copied = next;
      }
      at = next;
    }
    out.text.append(line.substr(copied));
    if (line_end == text.size()) break;
    out.text += '\n';
    line_begin = line_end + 1;
    ++line_index;
  }
  return out;
}

}  // namespace gale::flux
