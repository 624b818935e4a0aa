#include "absl/strings/string_view.h"
#include <munge.h>

#include <cstdlib>

#include "absl/status/status.h"
#include "absl/strings/str_cat.h"
#include "common/auth.h"

namespace sluice::common {
namespace {

class MungeAuthenticator : public Authenticator {
 public:
  explicit MungeAuthenticator(std::string socket) : socket_(std::move(socket)) {}

  absl::StatusOr<std::string> Sign(absl::string_view payload) override {
    munge_ctx_t ctx = NewCtx();
    if (!ctx) return absl::InternalError("munge_ctx_create failed");
    char* cred = nullptr;
    munge_err_t e = munge_encode(&cred, ctx, payload.data(),
                                 static_cast<int>(payload.size()));
    std::string err = e == EMUNGE_SUCCESS ? "" : munge_ctx_strerror(ctx);
    munge_ctx_destroy(ctx);
    if (e != EMUNGE_SUCCESS) {
      std::free(cred);
      return absl::UnavailableError(
          absl::StrCat("Munge encode failed: ", err));
    }
    std::string out(cred);
    std::free(cred);
    return out;
  }

  absl::StatusOr<Identity> Verify(absl::string_view cred,
                                  absl::string_view expected) override {
    munge_ctx_t ctx = NewCtx();
    if (!ctx) return absl::InternalError("munge_ctx_create failed");
    std::string c(cred);
    void* buf = nullptr;
    int len = 0;
    uid_t uid;
    gid_t gid;
    munge_err_t e = munge_decode(c.c_str(), ctx, &buf, &len, &uid, &gid);
    std::string err = e == EMUNGE_SUCCESS ? "" : munge_ctx_strerror(ctx);
    munge_ctx_destroy(ctx);
    std::string payload(static_cast<char*>(buf), buf ? len : 0);
    std::free(buf);
    if (e != EMUNGE_SUCCESS)
      return absl::UnauthenticatedError(
          absl::StrCat("Invalid authentication credential: ", err));
    if (payload != expected)
      return absl::UnauthenticatedError(
          "Invalid authentication credential: wrong purpose");
    return Identity{uid, gid};
  }

 private:
  munge_ctx_t NewCtx() {
    munge_ctx_t ctx = munge_ctx_create();
    if (ctx && !socket_.empty())
      munge_ctx_set(ctx, MUNGE_OPT_SOCKET, socket_.c_str());
    return ctx;
  }
  const std::string socket_;
};

}  // namespace

std::unique_ptr<Authenticator> MakeMungeAuthenticator(std::string socket) {
  return std::make_unique<MungeAuthenticator>(std::move(socket));
}

std::string IoCredentialPayload(uint64_t job, uint32_t step, const std::string& node,
                                const std::string& key) {
  return absl::StrCat("sluice-io job=", job, " step=", step, " node=", node, " key=", key);
}

}  // namespace sluice::common
