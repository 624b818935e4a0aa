#include "absl/strings/string_view.h"
#include "common/rpc/rpc_auth.h"

#include "absl/strings/str_cat.h"

namespace sluice::common {

absl::Status AttachCredential(grpc::ClientContext* ctx, Authenticator& auth,
                              absl::string_view method) {
  auto cred = auth.Sign(method);
  if (!cred.ok()) return cred.status();
  ctx->AddMetadata(kCredMetadataKey, *cred);
  return absl::OkStatus();
}

absl::StatusOr<Identity> Authenticate(const grpc::ServerContext& ctx,
                                      Authenticator& auth,
                                      absl::string_view method) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(kCredMetadataKey);
  if (it == md.end())
    return absl::UnauthenticatedError("Missing authentication credential");
  return auth.Verify(absl::string_view(it->second.data(), it->second.size()),
                     method);
}

grpc::Status ToGrpc(const absl::Status& s) {
  if (s.ok()) return grpc::Status::OK;
  return grpc::Status(static_cast<grpc::StatusCode>(s.code()),
                      std::string(s.message()));
}

absl::Status FromGrpc(const grpc::Status& s) {
  if (s.ok()) return absl::OkStatus();
  return absl::Status(static_cast<absl::StatusCode>(s.error_code()),
                      s.error_message());
}

}  // namespace sluice::common
