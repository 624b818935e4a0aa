// gRPC glue for authentication and status mapping, shared by every rpc/
// layer and the CLI client. Stateless; thread-safe.
#pragma once

#include "absl/strings/string_view.h"
#include <grpcpp/grpcpp.h>

#include <string_view>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "common/auth.h"

namespace sluice::common {

inline constexpr char kCredMetadataKey[] = "sluice-cred";

// Mints a credential bound to `method` and attaches it to the call.
absl::Status AttachCredential(grpc::ClientContext* ctx, Authenticator& auth,
                              absl::string_view method);

// Verifies the credential attached to an incoming call for `method`.
absl::StatusOr<Identity> Authenticate(const grpc::ServerContext& ctx,
                                      Authenticator& auth,
                                      absl::string_view method);

// The one place absl::Status becomes grpc::Status, and back.
grpc::Status ToGrpc(const absl::Status& s);
absl::Status FromGrpc(const grpc::Status& s);

}  // namespace sluice::common
