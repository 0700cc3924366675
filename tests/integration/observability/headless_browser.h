#pragma once

// Debian's chromium, headless, for tests of the web UI. Each run gets a
// private profile and HOME under the test's directory, runs in its own
// process group, and is stopped (the group killed, then any process still
// naming the private directory) before Run returns, whether it finished,
// timed out or the test failed.

#include <string>
#include <vector>

namespace gale::testing {

struct BrowserResult {
  bool finished = false;  // exited by itself before the timeout
  int exit_code = -1;
  std::string out;  // stdout (--dump-dom writes the DOM there)
  std::string err;
};

// Runs `chromium --headless ... ARGS URL`; `dir` is a private directory.
BrowserResult RunHeadlessChromium(const std::string& dir, const std::vector<std::string>& args,
                                  const std::string& url, int timeout_secs);

// Processes (not zombies) whose command line contains `text`.
std::vector<int> ProcessesNaming(const std::string& text);

}  // namespace gale::testing
