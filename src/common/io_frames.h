// The byte stream between srun and a step's supervisor on one node: frames
// of [type u8][task u32][length u32][payload], big-endian. The stepd
// connects to srun and first sends kHello (its node name and a MUNGE
// credential binding job, step, node and srun's secret). Pure encoding and
// an incremental decoder; thread-compatible.
#pragma once

#include <cstdint>
#include <optional>
#include <string>

namespace sluice::common {

enum class FrameType : uint8_t {
  kHello = 1,     // stepd -> srun: payload "node\ncredential"
  kStdout = 2,    // stepd -> srun: task output
  kStderr = 3,
  kExit = 4,      // stepd -> srun: payload "exit CODE" or "signal SIG"
  kMessage = 5,   // stepd -> srun: a slurmstepd error line for srun's stderr
  kStdin = 6,     // srun -> stepd: task = kAllTasks or a task id
  kStdinEof = 7,
  kSignal = 8,    // srun -> stepd: payload decimal signal number
  kWinsize = 9,   // srun -> stepd: payload "ROWS COLS"
};
inline constexpr uint32_t kAllTasks = 0xffffffffu;

struct Frame {
  FrameType type;
  uint32_t task = 0;
  std::string payload;
};

std::string EncodeFrame(FrameType type, uint32_t task, const std::string& payload);

// Feed bytes; Next() yields complete frames. A frame over 16 MiB or of an
// unknown type poisons the decoder (bad() is then true).
class FrameDecoder {
 public:
  void Feed(const char* data, size_t n) { buf_.append(data, n); }
  std::optional<Frame> Next();
  bool bad() const { return bad_; }

 private:
  std::string buf_;
  bool bad_ = false;
};

}  // namespace sluice::common
