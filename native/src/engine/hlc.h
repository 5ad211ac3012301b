// Hybrid logical clock, native twin of src/core/hlc.ts: a u64 whose upper 48 bits are wall-clock ms and lower
// 16 bits a counter. Each event gets L = max(L + 1, now << 16, hint + 1); on the u64 encoding "+ 1" carries a
// full counter into the millisecond field by itself. Hints more than max_drift_ms ahead of now are ignored.
#pragma once

#include <cstdint>

namespace lacrimosa {

struct HintOutcome {
  bool applied = false;
  bool rejected = false;
};

class HybridClock {
 public:
  explicit HybridClock(std::uint64_t initial = 0, std::uint64_t max_drift_ms = 60000) noexcept
      : last_(initial), max_drift_ms_(max_drift_ms) {}

  // `hint` of 0 means none.
  std::uint64_t tick(std::uint64_t now_ms, std::uint64_t hint, HintOutcome& outcome) noexcept {
    std::uint64_t next = tick_candidate(now_ms);
    if (hint != 0) {
      if ((hint >> 16) > now_ms + max_drift_ms_) {
        outcome.rejected = true;
      } else if (hint + 1 > next) {
        next = hint + 1;
        outcome.applied = true;
      }
    }
    last_ = next;
    return next;
  }

  std::uint64_t last() const noexcept { return last_; }
  void raise_to(std::uint64_t value) noexcept {
    if (value > last_) last_ = value;
  }

 private:
  std::uint64_t tick_candidate(std::uint64_t now_ms) const noexcept {
    const std::uint64_t successor = last_ + 1;
    const std::uint64_t wall = now_ms << 16;
    return wall > successor ? wall : successor;
  }

  std::uint64_t last_;
  std::uint64_t max_drift_ms_;
};

}  // namespace lacrimosa
