// gRPC glue for authentication and status mapping, shared by every rpc/
// layer and the CLI client. Stateless; thread-safe.
//
// A credential is good for one call only: its MUNGE payload names the RPC
// method and a SHA-256 digest of the request's deterministic serialization,
// so a captured credential cannot be replayed with another body or against
// another method (and munged refuses a second decode of the same one).
#pragma once

#include <grpcpp/grpcpp.h>
#include <google/protobuf/message_lite.h>

#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/auth.h"

namespace sluice::common {

inline constexpr char kCredMetadataKey[] = "sluice-cred";

// What a credential for `method` carrying `request` must say:
// "sluice-rpc METHOD SHA256HEX".
std::string RpcCredentialPayload(absl::string_view method,
                                 const google::protobuf::MessageLite& request);

// Mints a credential bound to `method` and `request` and attaches it.
absl::Status AttachCredential(grpc::ClientContext* ctx, Authenticator& auth,
                              absl::string_view method,
                              const google::protobuf::MessageLite& request);

// Verifies the credential attached to an incoming call of `method` whose
// body is `request`. Unauthenticated when missing, forged, replayed, or
// minted for another method or body.
absl::StatusOr<Identity> Authenticate(const grpc::ServerContextBase& ctx,
                                      Authenticator& auth,
                                      absl::string_view method,
                                      const google::protobuf::MessageLite& request);

// The one place absl::Status becomes grpc::Status, and back.
grpc::Status ToGrpc(const absl::Status& s);
absl::Status FromGrpc(const grpc::Status& s);

}  // namespace sluice::common
