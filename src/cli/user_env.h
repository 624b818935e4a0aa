// sbatch --get-user-env: a user's login environment, as Slurm gets it, by
// running "su [-] USER -c 'env -0'" (as root) with a timeout. Not
// thread-safe (forks).
#pragma once

#include <optional>
#include <string>
#include <vector>

namespace sluice::cli {

struct GetUserEnv {
  int timeout_s = 8;   // Slurm's default
  bool login = true;   // 'L' (su -), 'S' (su without -)
};

// "", "10", "10L", "S", ...: nullopt on anything else.
std::optional<GetUserEnv> ParseGetUserEnv(const std::string& text);

// NAME=value entries of `user`'s login environment; nullopt when su fails
// or runs past the timeout.
std::optional<std::vector<std::string>> LoginEnvironment(const std::string& user,
                                                         const GetUserEnv& how);

}  // namespace sluice::cli
