// The reference Slurm's cluster shape for the tests that compare with its
// captures: four nodes n1..n4 of 8 CPUs and 4 GPUs, partitions g2 (all,
// default) and short (n[1-2], 30 minutes), as the reference setup/ has.
#pragma once

#include <functional>
#include <memory>
#include <string>

#include "test_cluster.h"

namespace sluice::testing {

extern const std::string kRef;  // the reference captures' directory
// A cluster like the reference one, with `extra` slurm.conf lines; nullptr
// when the captures are missing.
std::unique_ptr<TestCluster> StartRefCluster(const std::string& extra = "");
// The lines of `text`, sorted (for output whose order is the tasks').
std::string SortedLines(const std::string& text);
// Walks a capture of several commands ("=== CMD" then its output, to the
// next "=== "), calling `fn(cmd, output)` for each.
void ForEachCapturedCommand(const std::string& capture,
                            const std::function<void(const std::string&, const std::string&)>& fn);

// Runs each command of capture `name` (its stdout section) in `dir` (none:
// the test's own), its stdout and stderr together and "rc=N" after, and
// hands (command, output, captured) to `check` (default: equal); returns
// how many it ran.
using CaptureCheck =
    std::function<void(const std::string& cmd, const std::string& got, const std::string& want)>;
int CompareCaptured(const TestCluster& c, const std::string& name, const CaptureCheck& check = {},
                    const std::string& dir = "");

}  // namespace sluice::testing
