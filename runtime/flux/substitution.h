#pragma once

// Flux's textual substitution, done on the raw YAML before parsing so that
// line numbers stay those of the file: ${key} from --filter properties files
// and ${ENV-NAME} from the environment (with --env-filter). Comments are left
// alone. Anything left unresolved is an error naming where it is and which
// option would supply it.

#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"

namespace gale::flux {

// Maps columns of substituted text back to the columns of the original
// file, so error positions reported by the YAML parser stay right.
class PositionMap {
 public:
  // One replacement on `line` (0-based); calls come in column order per line.
  void Add(int line, int new_column, int new_length, int old_column, int old_length);
  // The original 0-based column of 0-based (line, column) in the new text.
  int OriginalColumn(int line, int column) const;

 private:
  struct Segment {
    int new_column;
    int new_length;
    int old_column;
    int old_length;
  };
  std::map<int, std::vector<Segment>> lines_;
};

struct SubstitutionOptions {
  std::map<std::string, std::string> properties;  // from the filter files
  std::vector<std::string> filter_files;          // named in error messages
  bool env_filter = false;
};

// Reads Java-style properties files (key=value or key: value lines, '#' and
// '!' comments, blank lines); later files override earlier ones. kNotFound
// for a missing file, kInvalidArgument for a malformed line.
Result<SubstitutionOptions> ReadFilterFiles(const std::vector<std::string>& files, bool env_filter);

struct SubstitutedText {
  std::string text;
  PositionMap positions;
};

// Substitutes `text` of `file`; appends "FILE:LINE:COLUMN: ..." to `errors`
// for every unresolved or malformed ${...}.
SubstitutedText Substitute(std::string_view text, const std::string& file,
                           const SubstitutionOptions& options, std::vector<std::string>* errors);

}  // namespace gale::flux
