#include "common/io_frames.h"

namespace sluice::common {
namespace {

void PutU32(std::string* s, uint32_t v) {
  for (int shift = 24; shift >= 0; shift -= 8) s->push_back(static_cast<char>((v >> shift) & 0xff));
}
uint32_t GetU32(const std::string& s, size_t at) {
  uint32_t v = 0;
  for (int i = 0; i < 4; ++i) v = (v << 8) | static_cast<unsigned char>(s[at + i]);
  return v;
}

}  // namespace

std::string EncodeFrame(FrameType type, uint32_t task, const std::string& payload) {
  std::string out;
  out.reserve(9 + payload.size());
  out.push_back(static_cast<char>(type));
  PutU32(&out, task);
  PutU32(&out, static_cast<uint32_t>(payload.size()));
  out += payload;
  return out;
}

std::optional<Frame> FrameDecoder::Next() {
  if (bad_ || buf_.size() < 9) return std::nullopt;
  uint8_t type = static_cast<uint8_t>(buf_[0]);
  uint32_t len = GetU32(buf_, 5);
  if (type < 1 || type > 9 || len > (16u << 20)) {
    bad_ = true;
    return std::nullopt;
  }
  if (buf_.size() < 9 + static_cast<size_t>(len)) return std::nullopt;
  Frame f{static_cast<FrameType>(type), GetU32(buf_, 1), buf_.substr(9, len)};
  buf_.erase(0, 9 + static_cast<size_t>(len));
  return f;
}

}  // namespace sluice::common
