// The journal writer: owns the mapping of journal.db in the sequencer process and is the only code that writes
// slots, payloads, head and tail (docs/journal-format.md). Hot-path methods run on the receive thread only;
// stream registration and cursor operations are safe from other threads.
#pragma once

#include <atomic>
#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "hlc.h"
#include "layout.h"

namespace lacrimosa {

enum class JournalErrorCode {
  None,
  Io,
  InvalidConfig,
  BadMagic,
  UnsupportedVersion,
  CorruptHeader,
  GeometryMismatch,
  Locked,
  StreamTableFull,
  InvalidStreamName,
};

const char* journal_error_code_name(JournalErrorCode code);

struct JournalError {
  JournalErrorCode code = JournalErrorCode::None;
  std::string message;
};

struct JournalConfig {
  std::string path;
  std::uint64_t slot_count = 0;  // 0: the existing file's, or the default for a new file
  std::uint64_t blob_size = 0;   // 0: likewise
  std::uint32_t max_payload = 0; // 0: min(blob_size / 4, 1 MiB)
  layout::FsyncMode fsync = layout::FsyncMode::None;
  std::uint64_t max_clock_drift_ms = 60000;
};

struct OpenReport {
  bool created = false;
  bool recovered = false;         // the previous writer had not closed cleanly
  std::uint64_t truncated = 0;    // events cut from a torn tail
};

struct EventInput {
  std::uint32_t node_id;
  std::uint16_t stream_id;
  std::uint16_t flags;
  std::uint64_t clock_hint;  // 0: none
};

inline constexpr std::uint64_t kDropped = ~0ULL;
inline constexpr std::uint32_t kDefaultMaxPayload = 1u << 20;

std::uint64_t wall_clock_ms() noexcept;

class JournalWriter {
 public:
  static std::unique_ptr<JournalWriter> open(const JournalConfig& config, OpenReport& report, JournalError& error);
  ~JournalWriter();
  JournalWriter(const JournalWriter&) = delete;
  JournalWriter& operator=(const JournalWriter&) = delete;

  // ── receive thread ────────────────────────────────────────────────────────────────────────────
  // Starts a batch at wall time now_ms (one clock read per batch).
  void begin_batch(std::uint64_t now_ms) noexcept;
  // Appends one event, copying the payload into the blob and computing its CRC32C in the same pass.
  // Returns its sequence number, or kDropped when a live consumer cursor blocks eviction.
  std::uint64_t append_copy(const EventInput& input, const std::uint8_t* payload, std::uint32_t length) noexcept;
  // Appends one event whose payload CRC32C is already verified (a framed datagram).
  std::uint64_t append_verified(const EventInput& input, const std::uint8_t* payload, std::uint32_t length,
                                std::uint32_t checksum) noexcept;
  // Stores counters, blob_head, clock and then head (release). Returns true when head moved.
  bool publish() noexcept;
  void count(layout::Counter counter, std::uint64_t n = 1) noexcept { counts_[counter] += n; }
  // Adds counts incremented by other threads (folded in at the next publish).
  void count_external(layout::Counter counter, std::uint64_t n) noexcept {
    external_[counter].fetch_add(n, std::memory_order_relaxed);
  }
  std::uint32_t max_payload() const noexcept { return max_payload_; }
  // msync of the whole mapping, then durable_head; for --fsync interval (called from the syncer thread).
  void sync_all() noexcept;

  // ── any thread ─────────────────────────────────────────────────────────────────────────────────
  const layout::Geometry& geometry() const noexcept { return geometry_; }
  layout::JournalHeader* header() const noexcept { return header_; }
  std::uint8_t* base() const noexcept { return base_; }
  const std::string& path() const noexcept { return path_; }
  layout::FsyncMode fsync_mode() const noexcept { return fsync_; }
  // Registers (or finds) a stream name; returns its id or -1 with `error` set.
  int register_stream(std::string_view name, JournalError& error);
  // Looks a stream name up; -1 when unregistered.
  int find_stream(std::string_view name) const;
  std::uint64_t published_head() const noexcept;

  // Marks the journal cleanly closed (publishing first). Called by the destructor if not before.
  void close() noexcept;

 private:
  JournalWriter() = default;
  bool make_room(std::uint32_t length, std::uint64_t& payload_offset) noexcept;
  bool evict_oldest() noexcept;
  std::uint64_t min_live_cursor() noexcept;
  std::uint64_t write_event(const EventInput& input, std::uint64_t payload_offset, std::uint32_t length,
                            std::uint32_t checksum) noexcept;
  layout::CausalEvent* slot(std::uint64_t sequence) const noexcept {
    return ring_ + (sequence & slot_mask_);
  }
  std::uint8_t* payload_at(std::uint64_t payload_offset) const noexcept {
    return blob_ + (payload_offset & blob_mask_);
  }
  void store_retention() noexcept;
  void recover_torn_tail(OpenReport& report) noexcept;
  void sync_dirty_ranges() noexcept;

  std::string path_;
  int fd_ = -1;
  std::uint8_t* base_ = nullptr;
  layout::JournalHeader* header_ = nullptr;
  layout::CausalEvent* ring_ = nullptr;
  std::uint8_t* blob_ = nullptr;
  layout::Geometry geometry_{};
  std::uint64_t slot_mask_ = 0;
  std::uint64_t blob_mask_ = 0;
  std::uint32_t max_payload_ = 0;
  layout::FsyncMode fsync_ = layout::FsyncMode::None;
  bool closed_ = false;

  // Writer-thread state; the header holds the published copies.
  std::uint64_t head_ = 0;
  std::uint64_t published_head_ = 0;
  std::uint64_t tail_ = 0;
  std::uint64_t blob_head_ = 0;
  std::uint64_t blob_tail_ = 0;
  std::uint64_t published_blob_head_ = 0;
  std::uint64_t now_ms_ = 0;
  HybridClock clock_;
  std::uint64_t batch_min_cursor_ = 0;
  bool batch_min_cursor_known_ = false;
  std::uint64_t counts_[layout::kCounterCapacity] = {};
  std::atomic<std::uint64_t> external_[layout::kCounterCapacity] = {};
};

}  // namespace lacrimosa
