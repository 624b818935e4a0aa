// A streaming 64-bit digest of values (integers and byte strings) for
// telling "changed" from "unchanged" cheaply. Each 8-byte word goes into
// one of two lanes (alternately, so the two multiply chains run side by
// side) as lane = rotl((lane ^ word) * K, 29): for fixed later words every
// step is a bijection of the lane, so a change to any one word always
// changes the digest; changes to several cancel only by chance. A string
// carries its length, so ("ab","c") and ("a","bc") differ. Not a
// cryptographic hash. Value type; thread-compatible.
#pragma once

#include <cstdint>
#include <cstring>
#include <string_view>
#include <type_traits>

namespace sluice::common {

class Digest {
 public:
  template <typename T>
    requires std::is_integral_v<T> || std::is_enum_v<T>
  Digest& Add(T v) {
    Word(static_cast<uint64_t>(v));
    return *this;
  }
  Digest& Add(std::string_view s) {
    const char* p = s.data();
    size_t n = s.size();
    for (; n >= 8; p += 8, n -= 8) Word(Load8(p));
    // The last 0-7 bytes, read without a call to memcpy (most strings here
    // are short): every byte is covered, and with the length the words
    // tell strings apart.
    uint64_t tail;
    if (n >= 4)
      tail = Load4(p) | static_cast<uint64_t>(Load4(p + n - 4)) << 32;
    else if (n > 0)
      tail = static_cast<uint64_t>(static_cast<unsigned char>(p[0])) << 16 |
             static_cast<uint64_t>(static_cast<unsigned char>(p[n / 2])) << 8 |
             static_cast<unsigned char>(p[n - 1]);
    else
      tail = 0;
    Word(tail ^ static_cast<uint64_t>(s.size()) << 56);
    Word(s.size());
    return *this;
  }
  uint64_t value() const { return a_ ^ (b_ << 32 | b_ >> 32) ^ (odd_ ? 0x5bd1e995u : 0); }

 private:
  static uint64_t Load8(const char* p) {
    uint64_t w;
    std::memcpy(&w, p, 8);
    return w;
  }
  static uint32_t Load4(const char* p) {
    uint32_t w;
    std::memcpy(&w, p, 4);
    return w;
  }
  static uint64_t Step(uint64_t lane, uint64_t w) {
    uint64_t x = (lane ^ w) * 0x9e3779b97f4a7c15ULL;
    return x << 29 | x >> 35;
  }
  void Word(uint64_t w) {
    if (odd_)
      b_ = Step(b_, w);
    else
      a_ = Step(a_, w);
    odd_ = !odd_;
  }
  uint64_t a_ = 0x8ebc6af09c88c6e3ULL, b_ = 0x589965cc75374cc3ULL;
  bool odd_ = false;
};

}  // namespace sluice::common
