#include "uring.h"

#include <signal.h>
#include <sys/mman.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <cstddef>
#include <cstring>
#include <ctime>

namespace lacrimosa {
namespace {

int sys_setup(unsigned entries, io_uring_params* p) {
  return static_cast<int>(syscall(__NR_io_uring_setup, entries, p));
}

int sys_enter(int fd, unsigned to_submit, unsigned min_complete, unsigned flags, const void* arg, std::size_t size) {
  return static_cast<int>(syscall(__NR_io_uring_enter, fd, to_submit, min_complete, flags, arg, size));
}

int sys_register(int fd, unsigned opcode, const void* arg, unsigned count) {
  return static_cast<int>(syscall(__NR_io_uring_register, fd, opcode, arg, count));
}

// Compiled as C++, <linux/io_uring.h>'s io_uring_buf_ring places `bufs` at offset 8 (its empty flexible array
// member takes a byte), but the kernel's ring is an array of io_uring_buf from byte 0 whose first entry's
// `resv` field doubles as the ring tail. So entries are addressed from the start and the tail at byte 14.
static_assert(sizeof(io_uring_buf) == 16);
static_assert(offsetof(io_uring_buf_ring, tail) == 14);
constexpr std::size_t kBufRingTailOffset = 14;

}  // namespace

Uring::~Uring() {
  if (sqes_ != nullptr) munmap(sqes_, sqes_size_);
  if (cq_ring_ != nullptr && cq_ring_ != sq_ring_) munmap(cq_ring_, cq_ring_size_);
  if (sq_ring_ != nullptr) munmap(sq_ring_, sq_ring_size_);
  if (fd_ >= 0) close(fd_);
}

bool Uring::init(unsigned sq_entries, unsigned cq_entries, std::string& error) {
  io_uring_params p{};
  p.flags = IORING_SETUP_CQSIZE | IORING_SETUP_SUBMIT_ALL | IORING_SETUP_SINGLE_ISSUER | IORING_SETUP_DEFER_TASKRUN;
  p.cq_entries = cq_entries;
  fd_ = sys_setup(sq_entries, &p);
  if (fd_ < 0 && errno == EINVAL) {
    // Kernels before 6.1 lack DEFER_TASKRUN / SINGLE_ISSUER; the ring works without them.
    p = io_uring_params{};
    p.flags = IORING_SETUP_CQSIZE;
    p.cq_entries = cq_entries;
    fd_ = sys_setup(sq_entries, &p);
  }
  if (fd_ < 0) {
    error = std::string("io_uring_setup failed: ") + std::strerror(errno);
    return false;
  }
  ext_arg_ = (p.features & IORING_FEAT_EXT_ARG) != 0;
  if (!ext_arg_) {
    error = "io_uring lacks IORING_FEAT_EXT_ARG (kernel older than 5.11)";
    return false;
  }
  sq_ring_size_ = p.sq_off.array + p.sq_entries * sizeof(unsigned);
  cq_ring_size_ = p.cq_off.cqes + p.cq_entries * sizeof(io_uring_cqe);
  const bool single_mmap = (p.features & IORING_FEAT_SINGLE_MMAP) != 0;
  if (single_mmap) sq_ring_size_ = cq_ring_size_ = std::max(sq_ring_size_, cq_ring_size_);
  sq_ring_ = mmap(nullptr, sq_ring_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQ_RING);
  if (sq_ring_ == MAP_FAILED) {
    sq_ring_ = nullptr;
    error = std::string("cannot map the io_uring submission ring: ") + std::strerror(errno);
    return false;
  }
  if (single_mmap) {
    cq_ring_ = sq_ring_;
  } else {
    cq_ring_ = mmap(nullptr, cq_ring_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_CQ_RING);
    if (cq_ring_ == MAP_FAILED) {
      cq_ring_ = nullptr;
      error = std::string("cannot map the io_uring completion ring: ") + std::strerror(errno);
      return false;
    }
  }
  sqes_size_ = p.sq_entries * sizeof(io_uring_sqe);
  void* sqes = mmap(nullptr, sqes_size_, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_POPULATE, fd_, IORING_OFF_SQES);
  if (sqes == MAP_FAILED) {
    error = std::string("cannot map the io_uring SQE array: ") + std::strerror(errno);
    return false;
  }
  sqes_ = static_cast<io_uring_sqe*>(sqes);
  auto* sq = static_cast<std::uint8_t*>(sq_ring_);
  auto* cq = static_cast<std::uint8_t*>(cq_ring_);
  sq_head_ = reinterpret_cast<unsigned*>(sq + p.sq_off.head);
  sq_tail_ = reinterpret_cast<unsigned*>(sq + p.sq_off.tail);
  sq_mask_ = *reinterpret_cast<unsigned*>(sq + p.sq_off.ring_mask);
  sq_entries_ = p.sq_entries;
  sq_array_ = reinterpret_cast<unsigned*>(sq + p.sq_off.array);
  cq_head_ = reinterpret_cast<unsigned*>(cq + p.cq_off.head);
  cq_tail_ = reinterpret_cast<unsigned*>(cq + p.cq_off.tail);
  cq_mask_ = *reinterpret_cast<unsigned*>(cq + p.cq_off.ring_mask);
  cqes_ = reinterpret_cast<io_uring_cqe*>(cq + p.cq_off.cqes);
  sq_local_tail_ = sq_submitted_ = *sq_tail_;
  return true;
}

io_uring_sqe* Uring::next_sqe() {
  const unsigned head = __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE);
  if (sq_local_tail_ - head >= sq_entries_) return nullptr;
  const unsigned index = sq_local_tail_ & sq_mask_;
  io_uring_sqe* sqe = &sqes_[index];
  std::memset(sqe, 0, sizeof *sqe);
  sq_array_[index] = index;
  sq_local_tail_++;
  return sqe;
}

bool Uring::submit_and_wait(long long timeout_ns, std::string& error) {
  const unsigned to_submit = sq_local_tail_ - sq_submitted_;
  __atomic_store_n(sq_tail_, sq_local_tail_, __ATOMIC_RELEASE);
  __kernel_timespec timeout{timeout_ns / 1000000000LL, timeout_ns % 1000000000LL};
  io_uring_getevents_arg arg{};
  arg.sigmask_sz = _NSIG / 8;
  arg.ts = reinterpret_cast<std::uint64_t>(&timeout);
  const int r = sys_enter(fd_, to_submit, 1, IORING_ENTER_GETEVENTS | IORING_ENTER_EXT_ARG, &arg, sizeof arg);
  if (r >= 0) {
    sq_submitted_ += static_cast<unsigned>(r) < to_submit ? static_cast<unsigned>(r) : to_submit;
    return true;
  }
  if (errno == ETIME || errno == EINTR || errno == EAGAIN || errno == EBUSY) {
    // With SUBMIT_ALL a timeout still consumed the SQEs; the kernel's sq head tells how many.
    sq_submitted_ = __atomic_load_n(sq_head_, __ATOMIC_ACQUIRE);
    return true;
  }
  error = std::string("io_uring_enter failed: ") + std::strerror(errno);
  return false;
}

ProvidedBuffers::~ProvidedBuffers() {
  if (registered_ && ring_ != nullptr) {
    io_uring_buf_reg reg{};
    reg.bgid = group_;
    sys_register(ring_->fd(), IORING_UNREGISTER_PBUF_RING, &reg, 1);
  }
  if (entries_ != nullptr) munmap(entries_, ring_bytes_);
}

bool ProvidedBuffers::init(Uring& ring, std::uint16_t group, unsigned count, std::size_t buffer_size,
                           std::string& error) {
  ring_ = &ring;
  group_ = group;
  count_ = count;
  mask_ = count - 1;
  buffer_size_ = buffer_size;
  ring_bytes_ = count * sizeof(io_uring_buf);
  void* entries = mmap(nullptr, ring_bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  if (entries == MAP_FAILED || !memory_.allocate(static_cast<std::size_t>(count) * buffer_size)) {
    error = "cannot allocate receive buffers";
    if (entries != MAP_FAILED) munmap(entries, ring_bytes_);
    return false;
  }
  entries_ = static_cast<io_uring_buf*>(entries);
  io_uring_buf_reg reg{};
  reg.ring_addr = reinterpret_cast<std::uint64_t>(entries_);
  reg.ring_entries = count;
  reg.bgid = group;
  if (sys_register(ring.fd(), IORING_REGISTER_PBUF_RING, &reg, 1) != 0) {
    error = std::string("cannot register the provided-buffer ring: ") + std::strerror(errno);
    return false;
  }
  registered_ = true;
  for (unsigned id = 0; id < count; id++) recycle(id);
  publish();
  return true;
}

void ProvidedBuffers::recycle(unsigned id) {
  io_uring_buf& entry = entries_[local_tail_ & mask_];
  entry.addr = reinterpret_cast<std::uint64_t>(buffer(id));
  entry.len = static_cast<std::uint32_t>(buffer_size_);
  entry.bid = static_cast<std::uint16_t>(id);
  local_tail_++;
}

void ProvidedBuffers::publish() {
  auto* tail = reinterpret_cast<std::uint16_t*>(reinterpret_cast<std::uint8_t*>(entries_) + kBufRingTailOffset);
  __atomic_store_n(tail, local_tail_, __ATOMIC_RELEASE);
}

}  // namespace lacrimosa
