#include "common/rpc/rpc_auth.h"

// The low-level SHA256_* functions hash directly; OpenSSL 3's one-shot
// SHA256() and the EVP interface fetch a provider, which loads OpenSSL's
// configuration in every command (about a millisecond per call).
#define OPENSSL_SUPPRESS_DEPRECATED
#include <openssl/sha.h>

#include <google/protobuf/io/coded_stream.h>
#include <google/protobuf/io/zero_copy_stream_impl_lite.h>

#include "absl/strings/escaping.h"
#include "absl/strings/str_cat.h"

namespace sluice::common {

std::string RpcCredentialPayload(absl::string_view method,
                                 const google::protobuf::MessageLite& request) {
  std::string bytes;
  {
    google::protobuf::io::StringOutputStream out(&bytes);
    google::protobuf::io::CodedOutputStream coded(&out);
    coded.SetSerializationDeterministic(true);
    request.SerializeToCodedStream(&coded);
  }
  unsigned char digest[SHA256_DIGEST_LENGTH];
  SHA256_CTX sha;
  SHA256_Init(&sha);
  SHA256_Update(&sha, bytes.data(), bytes.size());
  SHA256_Final(digest, &sha);
  return absl::StrCat(
      "sluice-rpc ", method, " ",
      absl::BytesToHexString(absl::string_view(reinterpret_cast<const char*>(digest),
                                               sizeof digest)));
}

absl::Status AttachCredential(grpc::ClientContext* ctx, Authenticator& auth,
                              absl::string_view method,
                              const google::protobuf::MessageLite& request) {
  auto cred = auth.Sign(RpcCredentialPayload(method, request));
  if (!cred.ok()) return cred.status();
  ctx->AddMetadata(kCredMetadataKey, *cred);
  return absl::OkStatus();
}

absl::StatusOr<Identity> Authenticate(const grpc::ServerContextBase& ctx,
                                      Authenticator& auth,
                                      absl::string_view method,
                                      const google::protobuf::MessageLite& request) {
  const auto& md = ctx.client_metadata();
  auto it = md.find(kCredMetadataKey);
  if (it == md.end())
    return absl::UnauthenticatedError("Missing authentication credential");
  return auth.Verify(absl::string_view(it->second.data(), it->second.size()),
                     RpcCredentialPayload(method, request));
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
