// Framed datagrams (docs/wire-format.md), native twin of src/core/frame.ts. parse_frame never fails in any
// other way than by returning a status; the payload checksum it verifies becomes the slot's checksum.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstring>

#include "crc32c.h"

namespace lacrimosa {

inline constexpr std::uint32_t kFrameMagic = 0x52465a43u;  // "CZFR"
inline constexpr std::uint8_t kFrameVersion = 1;
inline constexpr std::size_t kFrameHeaderSize = 32;
inline constexpr std::uint32_t kFrameMaxPayload = 65507 - kFrameHeaderSize;

enum class FrameStatus : std::uint8_t {
  Ok,
  TruncatedHeader,
  UnsupportedVersion,
  HeaderChecksumMismatch,
  PayloadTooLarge,
  LengthMismatch,
  PayloadChecksumMismatch,
};

inline bool is_checksum_failure(FrameStatus s) {
  return s == FrameStatus::HeaderChecksumMismatch || s == FrameStatus::PayloadChecksumMismatch;
}

struct FrameView {
  std::uint8_t flags;
  std::uint16_t stream_id;
  std::uint32_t node_id;
  std::uint64_t clock_hint;
  std::uint32_t payload_checksum;
  const std::uint8_t* payload;
  std::uint32_t payload_len;
};

inline bool looks_framed(const std::uint8_t* data, std::size_t length) {
  if (length < 4) return false;
  std::uint32_t magic;
  std::memcpy(&magic, data, 4);
  return magic == kFrameMagic;
}

// Precondition: looks_framed(data, length).
inline FrameStatus parse_frame(const std::uint8_t* data, std::size_t length, FrameView& out) {
  if (length < kFrameHeaderSize) return FrameStatus::TruncatedHeader;
  if (data[4] != kFrameVersion) return FrameStatus::UnsupportedVersion;
  std::uint32_t header_crc;
  std::memcpy(&header_crc, data + 28, 4);
  if (crc32c(data, 28) != header_crc) return FrameStatus::HeaderChecksumMismatch;
  std::uint32_t payload_len;
  std::memcpy(&payload_len, data + 12, 4);
  if (payload_len > kFrameMaxPayload) return FrameStatus::PayloadTooLarge;
  if (payload_len != length - kFrameHeaderSize) return FrameStatus::LengthMismatch;
  std::memcpy(&out.payload_checksum, data + 24, 4);
  if (crc32c(data + kFrameHeaderSize, payload_len) != out.payload_checksum) return FrameStatus::PayloadChecksumMismatch;
  out.flags = data[5];
  std::memcpy(&out.stream_id, data + 6, 2);
  std::memcpy(&out.node_id, data + 8, 4);
  std::memcpy(&out.clock_hint, data + 16, 8);
  out.payload = data + kFrameHeaderSize;
  out.payload_len = payload_len;
  return FrameStatus::Ok;
}

}  // namespace lacrimosa
