// CRC32C (Castagnoli): the SSE4.2 crc32 instruction when the CPU has it, slicing-by-8 tables otherwise.
// Bit-for-bit the same function as src/core/crc32c.ts (the native tests compare them).
#pragma once

#include <cstddef>
#include <cstdint>

namespace lacrimosa {

// CRC32C of `data`; pass a previous result as `previous` to continue over concatenated data.
std::uint32_t crc32c(const std::uint8_t* data, std::size_t length, std::uint32_t previous = 0) noexcept;

// Copies `length` bytes from `source` to `destination` and returns their CRC32C, reading the source once.
std::uint32_t crc32c_copy(std::uint8_t* destination, const std::uint8_t* source, std::size_t length) noexcept;

// True when the hardware instruction is in use.
bool crc32c_uses_hardware() noexcept;

}  // namespace lacrimosa
