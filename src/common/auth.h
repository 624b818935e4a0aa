// Request authentication. Every RPC carries a credential minted by the
// caller's local munged; the receiver learns the caller's uid/gid from the
// credential alone, never from a request field. The payload binds the
// credential to one RPC method and one request body (common/rpc/rpc_auth),
// and munged refuses a replayed credential.
// Implementations are thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "absl/status/statusor.h"

namespace sluice::common {

struct Identity {
  uint32_t uid = 0;
  uint32_t gid = 0;
};

class Authenticator {
 public:
  virtual ~Authenticator() = default;
  // Mints a credential carrying `payload`.
  virtual absl::StatusOr<std::string> Sign(absl::string_view payload) = 0;
  // Checks the credential, that it carries `expected_payload`, and that it
  // was not used before. Unauthenticated on any failure.
  virtual absl::StatusOr<Identity> Verify(absl::string_view cred,
                                          absl::string_view expected_payload) = 0;
};

// What a step's supervisor proves to srun when it connects for I/O (`key`
// is srun's per-step secret).
std::string IoCredentialPayload(uint64_t job, uint32_t step, const std::string& node,
                                const std::string& key);

// MUNGE through libmunge; `socket` empty means libmunge's default socket.
std::unique_ptr<Authenticator> MakeMungeAuthenticator(std::string socket);

}  // namespace sluice::common
