#include "crc32c.h"

#include <array>
#include <cstring>

#if defined(__x86_64__)
#include <nmmintrin.h>
#endif

namespace lacrimosa {
namespace {

constexpr std::uint32_t kPolynomialReflected = 0x82f63b78u;

constexpr std::array<std::uint32_t, 8 * 256> build_tables() {
  std::array<std::uint32_t, 8 * 256> t{};
  for (std::uint32_t n = 0; n < 256; n++) {
    std::uint32_t c = n;
    for (int k = 0; k < 8; k++) c = (c & 1) ? (c >> 1) ^ kPolynomialReflected : c >> 1;
    t[n] = c;
  }
  for (std::uint32_t n = 0; n < 256; n++) {
    std::uint32_t c = t[n];
    for (int s = 1; s < 8; s++) {
      c = t[c & 0xff] ^ (c >> 8);
      t[s * 256 + n] = c;
    }
  }
  return t;
}

constexpr auto kTables = build_tables();

std::uint32_t crc32c_tables(const std::uint8_t* p, std::size_t n, std::uint32_t previous) noexcept {
  std::uint32_t crc = ~previous;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    word ^= crc;
    crc = kTables[7 * 256 + (word & 0xff)] ^ kTables[6 * 256 + ((word >> 8) & 0xff)] ^
          kTables[5 * 256 + ((word >> 16) & 0xff)] ^ kTables[4 * 256 + ((word >> 24) & 0xff)] ^
          kTables[3 * 256 + ((word >> 32) & 0xff)] ^ kTables[2 * 256 + ((word >> 40) & 0xff)] ^
          kTables[1 * 256 + ((word >> 48) & 0xff)] ^ kTables[(word >> 56) & 0xff];
    p += 8;
    n -= 8;
  }
  while (n-- > 0) crc = kTables[(crc ^ *p++) & 0xff] ^ (crc >> 8);
  return ~crc;
}

#if defined(__x86_64__)
__attribute__((target("sse4.2"))) std::uint32_t crc32c_sse42(const std::uint8_t* p, std::size_t n,
                                                              std::uint32_t previous) noexcept {
  std::uint64_t crc = ~previous;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, p, 8);
    crc = _mm_crc32_u64(crc, word);
    p += 8;
    n -= 8;
  }
  std::uint32_t crc32 = static_cast<std::uint32_t>(crc);
  if (n >= 4) {
    std::uint32_t word;
    std::memcpy(&word, p, 4);
    crc32 = _mm_crc32_u32(crc32, word);
    p += 4;
    n -= 4;
  }
  while (n-- > 0) crc32 = _mm_crc32_u8(crc32, *p++);
  return ~crc32;
}

__attribute__((target("sse4.2"))) std::uint32_t crc32c_copy_sse42(std::uint8_t* d, const std::uint8_t* s,
                                                                   std::size_t n) noexcept {
  std::uint64_t crc = 0xffffffffu;
  while (n >= 8) {
    std::uint64_t word;
    std::memcpy(&word, s, 8);
    std::memcpy(d, &word, 8);
    crc = _mm_crc32_u64(crc, word);
    s += 8;
    d += 8;
    n -= 8;
  }
  std::uint32_t crc32 = static_cast<std::uint32_t>(crc);
  while (n-- > 0) {
    *d++ = *s;
    crc32 = _mm_crc32_u8(crc32, *s++);
  }
  return ~crc32;
}

const bool kHasSse42 = [] {
  __builtin_cpu_init();
  return __builtin_cpu_supports("sse4.2") != 0;
}();
#else
const bool kHasSse42 = false;
#endif

}  // namespace

std::uint32_t crc32c(const std::uint8_t* data, std::size_t length, std::uint32_t previous) noexcept {
#if defined(__x86_64__)
  if (kHasSse42) return crc32c_sse42(data, length, previous);
#endif
  return crc32c_tables(data, length, previous);
}

std::uint32_t crc32c_copy(std::uint8_t* destination, const std::uint8_t* source, std::size_t length) noexcept {
#if defined(__x86_64__)
  if (kHasSse42) return crc32c_copy_sse42(destination, source, length);
#endif
  std::memcpy(destination, source, length);
  return crc32c_tables(source, length, 0);
}

bool crc32c_uses_hardware() noexcept { return kHasSse42; }

}  // namespace lacrimosa
