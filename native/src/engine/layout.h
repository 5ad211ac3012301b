// The journal file layout, C++ side. docs/journal-format.md is the prose and diagram; src/journal/layout.ts is
// the TypeScript definition. The structs below are the one C++ definition: every offset is pinned with a
// static_assert, and the addon reports these offsets so a test can compare them with layout.ts.
#pragma once

#include <bit>
#include <cstddef>
#include <cstdint>

namespace lacrimosa::layout {

static_assert(std::endian::native == std::endian::little, "the journal is little-endian and mapped in place");

inline constexpr std::size_t kCacheLine = 64;
inline constexpr std::uint32_t kFormatVersion = 1;
inline constexpr std::uint64_t kMagic = 0x4c4e524a4d52434cULL;  // "LCRMJRNL"
inline constexpr std::size_t kHeaderSize = 65536;
inline constexpr std::size_t kRegionAlignment = kHeaderSize;
inline constexpr std::size_t kPayloadAlignment = 8;
inline constexpr std::uint64_t kMinSlotCount = 1024;
inline constexpr std::uint64_t kMaxSlotCount = 1ULL << 30;
inline constexpr std::uint64_t kDefaultSlotCount = 1ULL << 20;
inline constexpr std::uint64_t kMinBlobSize = 1ULL << 16;
inline constexpr std::uint64_t kMaxBlobSize = 1ULL << 40;
inline constexpr std::uint64_t kDefaultBlobSize = 1ULL << 28;
inline constexpr std::uint64_t kMaxPayloadFraction = 4;
inline constexpr std::size_t kCounterCapacity = 32;
inline constexpr std::size_t kCursorCapacity = 16;
inline constexpr std::size_t kStreamTableCapacity = 1024;
inline constexpr std::size_t kStreamNameCapacity = 31;
inline constexpr std::size_t kCursorNameCapacity = 32;

enum class WriterState : std::uint32_t { ClosedCleanly = 0, Open = 1 };
enum class CursorState : std::uint32_t { Free = 0, Active = 1, Claiming = 2 };
enum class FsyncMode : std::uint32_t { None = 0, Interval = 1, Always = 2 };

// Stable ids; names as in layout.ts (NOUN_PAST_VERB).
enum Counter : std::uint32_t {
  kDatagramsReceived = 0,
  kBytesReceived = 1,
  kEventsJournaled = 2,
  kPayloadBytesJournaled = 3,
  kChecksumsFailed = 4,
  kFramesMalformed = 5,
  kDatagramsOversized = 6,
  kDatagramsEmpty = 7,
  kEventsEvicted = 8,
  kEventsDropped = 9,
  kKernelDropsReported = 10,
  kSubmitsAccepted = 11,
  kSubmitsRejected = 12,
  kClockHintsApplied = 13,
  kClockHintsRejected = 14,
  kBatchesPublished = 15,
  kFsyncsCompleted = 16,
  kTornEventsTruncated = 17,
  kCounterCount = 18,
};

// The 32-byte slot (CausalEvent).
struct CausalEvent {
  std::uint64_t lamport_ts;
  std::uint32_t node_id;
  std::uint16_t stream_id;
  std::uint16_t flags;
  std::uint64_t payload_offset;
  std::uint32_t checksum;
  std::uint32_t payload_len;
};
static_assert(sizeof(CausalEvent) == 32);
static_assert(offsetof(CausalEvent, lamport_ts) == 0);
static_assert(offsetof(CausalEvent, node_id) == 8);
static_assert(offsetof(CausalEvent, stream_id) == 12);
static_assert(offsetof(CausalEvent, flags) == 14);
static_assert(offsetof(CausalEvent, payload_offset) == 16);
static_assert(offsetof(CausalEvent, checksum) == 24);
static_assert(offsetof(CausalEvent, payload_len) == 28);

namespace event_flags {
inline constexpr std::uint16_t kApplicationMask = 0x00ff;
inline constexpr std::uint16_t kFramed = 0x0100;
inline constexpr std::uint16_t kSubmitted = 0x0200;
inline constexpr std::uint16_t kClockHintApplied = 0x0400;
inline constexpr std::uint16_t kSourceIpv6 = 0x0800;
}  // namespace event_flags

struct alignas(kCacheLine) IdentityLine {
  std::uint64_t magic;
  std::uint32_t version;
  std::uint32_t header_size;
  std::uint64_t slot_count;
  std::uint64_t blob_size;
  std::uint64_t ring_offset;
  std::uint64_t blob_offset;
  std::uint64_t file_size;
  std::uint64_t created_ms;
};

struct alignas(kCacheLine) WriterLine {
  std::uint32_t writer_pid;
  std::uint32_t writer_state;
  std::uint64_t writer_opened_ms;
  std::uint64_t open_count;
  std::uint32_t fsync_mode;
  std::uint32_t max_payload;
  std::uint64_t durable_head;
};

struct alignas(kCacheLine) PublicationLine {
  std::uint64_t head;
  std::uint64_t blob_head;
  std::uint64_t clock;
  std::uint64_t published_ms;
};

struct alignas(kCacheLine) RetentionLine {
  std::uint64_t tail;
  std::uint64_t blob_tail;
};

struct alignas(kCacheLine) CursorEntry {
  std::uint32_t state;
  std::uint32_t pid;
  std::uint64_t position;
  std::uint64_t heartbeat_ms;
  std::uint32_t lease_ms;
  std::uint32_t reserved;
  char name[kCursorNameCapacity];
};

struct StreamEntry {
  std::uint8_t length;
  char name[kStreamNameCapacity];
};

struct JournalHeader {
  IdentityLine identity;                                  // @0
  WriterLine writer;                                      // @64
  PublicationLine publication;                            // @128
  RetentionLine retention;                                // @192
  alignas(kCacheLine) std::uint64_t counters[kCounterCapacity];  // @256
  alignas(kCacheLine) std::uint32_t cursor_active_mask;           // @512: bit i set while cursor i is active
  std::uint8_t reserved_after_mask[1024 - 512 - 4];
  CursorEntry cursors[kCursorCapacity];                   // @1024
  std::uint8_t reserved_after_cursors[4096 - 2048];
  StreamEntry streams[kStreamTableCapacity];              // @4096
  std::uint8_t reserved_tail[kHeaderSize - 4096 - kStreamTableCapacity * sizeof(StreamEntry)];
};

static_assert(sizeof(JournalHeader) == kHeaderSize);
static_assert(offsetof(JournalHeader, identity.magic) == 0);
static_assert(offsetof(JournalHeader, identity.version) == 8);
static_assert(offsetof(JournalHeader, identity.header_size) == 12);
static_assert(offsetof(JournalHeader, identity.slot_count) == 16);
static_assert(offsetof(JournalHeader, identity.blob_size) == 24);
static_assert(offsetof(JournalHeader, identity.ring_offset) == 32);
static_assert(offsetof(JournalHeader, identity.blob_offset) == 40);
static_assert(offsetof(JournalHeader, identity.file_size) == 48);
static_assert(offsetof(JournalHeader, identity.created_ms) == 56);
static_assert(offsetof(JournalHeader, writer.writer_pid) == 64);
static_assert(offsetof(JournalHeader, writer.writer_state) == 68);
static_assert(offsetof(JournalHeader, writer.writer_opened_ms) == 72);
static_assert(offsetof(JournalHeader, writer.open_count) == 80);
static_assert(offsetof(JournalHeader, writer.fsync_mode) == 88);
static_assert(offsetof(JournalHeader, writer.max_payload) == 92);
static_assert(offsetof(JournalHeader, writer.durable_head) == 96);
static_assert(offsetof(JournalHeader, publication.head) == 128);
static_assert(offsetof(JournalHeader, publication.blob_head) == 136);
static_assert(offsetof(JournalHeader, publication.clock) == 144);
static_assert(offsetof(JournalHeader, publication.published_ms) == 152);
static_assert(offsetof(JournalHeader, retention.tail) == 192);
static_assert(offsetof(JournalHeader, retention.blob_tail) == 200);
static_assert(offsetof(JournalHeader, counters) == 256);
static_assert(offsetof(JournalHeader, cursor_active_mask) == 512);
static_assert(offsetof(JournalHeader, cursors) == 1024);
static_assert(sizeof(CursorEntry) == kCacheLine);
static_assert(offsetof(CursorEntry, state) == 0);
static_assert(offsetof(CursorEntry, pid) == 4);
static_assert(offsetof(CursorEntry, position) == 8);
static_assert(offsetof(CursorEntry, heartbeat_ms) == 16);
static_assert(offsetof(CursorEntry, lease_ms) == 24);
static_assert(offsetof(CursorEntry, name) == 32);
static_assert(offsetof(JournalHeader, streams) == 4096);
static_assert(sizeof(StreamEntry) == 32);

inline constexpr bool is_power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }
inline constexpr std::uint64_t align_up(std::uint64_t v, std::uint64_t a) { return (v + a - 1) / a * a; }

struct Geometry {
  std::uint64_t slot_count;
  std::uint64_t blob_size;
  std::uint64_t ring_offset;
  std::uint64_t blob_offset;
  std::uint64_t file_size;
};

inline constexpr Geometry geometry_for(std::uint64_t slot_count, std::uint64_t blob_size) {
  const std::uint64_t ring_offset = kHeaderSize;
  const std::uint64_t blob_offset = align_up(ring_offset + slot_count * sizeof(CausalEvent), kRegionAlignment);
  return {slot_count, blob_size, ring_offset, blob_offset, blob_offset + blob_size};
}

inline constexpr std::uint64_t max_payload_for(std::uint64_t blob_size) {
  const std::uint64_t quarter = blob_size / kMaxPayloadFraction;
  return quarter < 0xffffffffULL ? quarter : 0xffffffffULL;
}

}  // namespace lacrimosa::layout
