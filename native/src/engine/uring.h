// A minimal io_uring binding over raw syscalls (no liburing): ring setup and mapping, SQE preparation, CQE
// iteration, a provided-buffer ring, and a wait with timeout. Only what the receive loop needs.
#pragma once

#include <linux/io_uring.h>
#include <sys/socket.h>

#include <cstddef>
#include <cstdint>
#include <string>

#include "memory.h"

namespace lacrimosa {

class Uring {
 public:
  Uring() = default;
  ~Uring();
  Uring(const Uring&) = delete;
  Uring& operator=(const Uring&) = delete;

  // Creates the ring. Returns false with `error` set when io_uring is unavailable (ENOSYS, EPERM from seccomp or
  // kernel.io_uring_disabled, ...) so the caller can fall back.
  bool init(unsigned sq_entries, unsigned cq_entries, std::string& error);

  // A zeroed SQE, or nullptr when the submission queue is full (call submit() first).
  io_uring_sqe* next_sqe();
  unsigned pending_submissions() const { return sq_local_tail_ - sq_submitted_; }

  // Submits prepared SQEs and waits up to `timeout_ns` for at least one completion. Returns false on an
  // unexpected error (in `error`).
  bool submit_and_wait(long long timeout_ns, std::string& error);

  // Visits each available CQE, then marks them consumed. Returns the number visited.
  template <typename Visitor>
  unsigned for_each_completion(Visitor&& visit) {
    unsigned head = *cq_head_;
    const unsigned tail = __atomic_load_n(cq_tail_, __ATOMIC_ACQUIRE);
    const unsigned count = tail - head;
    for (; head != tail; head++) visit(cqes_[head & cq_mask_]);
    __atomic_store_n(cq_head_, tail, __ATOMIC_RELEASE);
    return count;
  }

  int fd() const { return fd_; }

 private:
  int fd_ = -1;
  void* sq_ring_ = nullptr;
  std::size_t sq_ring_size_ = 0;
  void* cq_ring_ = nullptr;
  std::size_t cq_ring_size_ = 0;
  io_uring_sqe* sqes_ = nullptr;
  std::size_t sqes_size_ = 0;
  unsigned* sq_tail_ = nullptr;
  unsigned* sq_head_ = nullptr;
  unsigned* sq_array_ = nullptr;
  unsigned sq_mask_ = 0;
  unsigned sq_entries_ = 0;
  unsigned sq_local_tail_ = 0;
  unsigned sq_submitted_ = 0;
  unsigned* cq_head_ = nullptr;
  unsigned* cq_tail_ = nullptr;
  unsigned cq_mask_ = 0;
  io_uring_cqe* cqes_ = nullptr;
  bool ext_arg_ = false;
};

// A ring of equal-sized buffers the kernel picks from for multishot receives (IORING_REGISTER_PBUF_RING).
class ProvidedBuffers {
 public:
  ProvidedBuffers() = default;
  ~ProvidedBuffers();
  ProvidedBuffers(const ProvidedBuffers&) = delete;
  ProvidedBuffers& operator=(const ProvidedBuffers&) = delete;

  // `count` must be a power of two.
  bool init(Uring& ring, std::uint16_t group, unsigned count, std::size_t buffer_size, std::string& error);
  std::uint8_t* buffer(unsigned id) const { return memory_.data() + static_cast<std::size_t>(id) * buffer_size_; }
  std::size_t buffer_size() const { return buffer_size_; }
  // Hands buffer `id` back to the kernel; visible once publish() runs.
  void recycle(unsigned id);
  void publish();

 private:
  Uring* ring_ = nullptr;
  std::uint16_t group_ = 0;
  io_uring_buf* entries_ = nullptr;  // indexed from the start of the ring memory (see the C++ header pitfall below)
  std::size_t ring_bytes_ = 0;
  BufferMemory memory_;
  std::size_t buffer_size_ = 0;
  unsigned count_ = 0;
  unsigned mask_ = 0;
  std::uint16_t local_tail_ = 0;
  bool registered_ = false;
};

}  // namespace lacrimosa
