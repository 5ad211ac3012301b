// Receive-buffer memory. The kernel copies each datagram into one of these buffers and the writer reads it
// straight back, so every datagram touches a fresh buffer: backing them with transparent huge pages keeps that
// rotation to a handful of TLB entries instead of one per buffer.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <cstdint>

namespace lacrimosa {

class BufferMemory {
 public:
  BufferMemory() = default;
  ~BufferMemory() { release(); }
  BufferMemory(const BufferMemory&) = delete;
  BufferMemory& operator=(const BufferMemory&) = delete;

  // Maps `bytes` of anonymous memory aligned to 2 MiB and asks for huge pages (a hint; plain pages otherwise).
  bool allocate(std::size_t bytes) {
    constexpr std::size_t kHuge = 2u << 20;
    mapped_bytes_ = bytes + kHuge;
    void* raw = mmap(nullptr, mapped_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (raw == MAP_FAILED) return false;
    raw_ = static_cast<std::uint8_t*>(raw);
    const auto address = reinterpret_cast<std::uintptr_t>(raw_);
    data_ = reinterpret_cast<std::uint8_t*>((address + kHuge - 1) & ~(kHuge - 1));
    madvise(data_, bytes, MADV_HUGEPAGE);
    return true;
  }

  void release() {
    if (raw_ != nullptr) munmap(raw_, mapped_bytes_);
    raw_ = data_ = nullptr;
  }

  std::uint8_t* data() const { return data_; }

 private:
  std::uint8_t* raw_ = nullptr;
  std::uint8_t* data_ = nullptr;
  std::size_t mapped_bytes_ = 0;
};

}  // namespace lacrimosa
