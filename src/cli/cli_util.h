// Small helpers every command shares: loading the config the Slurm way,
// printing Slurm-style errors, reading files. Not thread-safe (stdio).
#pragma once

#include <optional>
#include <set>
#include <string>

#include "common/slurm_conf.h"

namespace sluice::cli {

// Loads slurm.conf ($SLURM_CONF or the default); on failure prints
// "<cmd>: error: ..." and returns nullopt.
std::optional<common::SlurmConfig> LoadConfigOrComplain(const char* cmd);

void PrintError(const char* cmd, const std::string& msg);  // "cmd: error: msg"

// True when the compressed `node_list` names any host in `nodes`.
bool RunsOnAny(const std::string& node_list, const std::set<std::string>& nodes);

std::optional<std::string> ReadFile(const std::string& path);
std::string ReadAll(int fd);
std::string CurrentDir();

// Flushes stdio and exits without running gRPC's orderly shutdown (which
// joins its threads): a command has nothing left to send by then, and the
// shutdown costs more than the rest of the command.
[[noreturn]] void ExitNow(int rc);

inline constexpr char kVersion[] = "slurm-wlm 22.05.8";

}  // namespace sluice::cli
