#include "sequencer.h"

#include <netinet/in.h>
#include <poll.h>
#include <sys/eventfd.h>
#include <unistd.h>

#include <array>
#include <cerrno>
#include <cstring>

#include "frame.h"
#include "memory.h"
#include "uring.h"

namespace lacrimosa {
namespace {

constexpr std::size_t kMaxDatagram = 65536;
constexpr std::uint64_t kWakeTag = ~0ULL;
// Enough for several kernel wake-ups' worth of datagrams (buffers are recycled every batch), few enough that
// the rotation stays small.
constexpr unsigned kProvidedBufferCount = 256;
constexpr unsigned kRecvmmsgBatch = 64;
constexpr int kRecvmmsgRoundsPerSocket = 8;
constexpr long long kIdleWaitNs = 100'000'000;     // housekeeping wake-up when idle
constexpr long long kNotifyWaitNs = 10'000'000;    // wake-up owed to a coalesced notification
// Observers hear about publications at most every 10 ms (submissions are acknowledged at once): waking the JS
// thread per batch would cost the receive thread a syscall and a context switch every few microseconds.
constexpr std::uint64_t kNotifyIntervalMs = 10;

bool probe_uring(std::string& reason) {
  Uring ring;
  if (!ring.init(8, 16, reason)) return false;
  ProvidedBuffers buffers;
  return buffers.init(ring, 0, 8, 4096, reason);
}

}  // namespace

bool parse_backend(const std::string& text, Backend& backend) {
  if (text == "auto") backend = Backend::Auto;
  else if (text == "uring" || text == "io_uring") backend = Backend::Uring;
  else if (text == "recvmmsg") backend = Backend::Recvmmsg;
  else return false;
  return true;
}

std::unique_ptr<SequencerEngine> SequencerEngine::create(const SequencerConfig& config, OpenReport& report,
                                                         JournalError& error) {
  std::unique_ptr<SequencerEngine> e(new SequencerEngine());
  e->queue_capacity_ = config.submit_queue_capacity;
  if (config.backend != Backend::Recvmmsg) {
    std::string reason;
    if (probe_uring(reason)) {
      e->uses_uring_ = true;
    } else if (config.backend == Backend::Uring) {
      error = {JournalErrorCode::InvalidConfig, "--backend uring was asked for but io_uring is unavailable: " + reason};
      return nullptr;
    } else {
      e->fallback_reason_ = reason;
    }
  }
  e->journal_ = JournalWriter::open(config.journal, report, error);
  if (!e->journal_) return nullptr;
  std::vector<ListenConfig> listens = config.listens;
  for (ListenConfig& listen : listens) {
    const int id = e->journal_->register_stream(listen.stream_name, error);
    if (id < 0) {
      e->journal_->close();
      return nullptr;
    }
    listen.stream_id = static_cast<std::uint16_t>(id);
  }
  std::string bind_error;
  if (!bind_listeners(listens, config.receive_buffer_bytes, e->listeners_, bind_error)) {
    error = {JournalErrorCode::InvalidConfig, bind_error};
    e->journal_->close();
    return nullptr;
  }
  e->wake_fd_ = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
  if (e->wake_fd_ < 0) {
    error = {JournalErrorCode::Io, std::string("cannot create an eventfd: ") + std::strerror(errno)};
    return nullptr;
  }
  return e;
}

SequencerEngine::~SequencerEngine() {
  stop();
  close();
}

void SequencerEngine::start(std::function<void()> notify) {
  if (thread_.joinable()) return;
  notify_ = std::move(notify);
  stopping_ = false;
  thread_ = std::thread([this] { run(); });
  if (journal_->fsync_mode() == layout::FsyncMode::Interval) syncer_ = std::thread([this] { syncer_loop(); });
}

void SequencerEngine::stop() {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    stopped_accepting_ = true;
  }
  if (!thread_.joinable()) return;
  stopping_ = true;
  wake();
  syncer_wake_.notify_all();
  thread_.join();
  if (syncer_.joinable()) syncer_.join();
}

void SequencerEngine::close() {
  if (journal_) journal_->close();
  close_listeners(listeners_);
  if (wake_fd_ >= 0) ::close(wake_fd_);
  wake_fd_ = -1;
}

void SequencerEngine::wake() {
  const std::uint64_t one = 1;
  if (wake_fd_ >= 0) [[maybe_unused]] auto written = write(wake_fd_, &one, sizeof one);
}

SequencerEngine::SubmitResult SequencerEngine::submit(std::unique_ptr<SubmitCommand>& command) {
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    if (stopped_accepting_) return SubmitResult::ShuttingDown;
    if (queue_.size() >= queue_capacity_) {
      journal_->count_external(layout::kSubmitsRejected, command->events.size());
      return SubmitResult::QueueFull;
    }
    queue_.push_back(std::move(command));
    queued_.store(queue_.size(), std::memory_order_release);
  }
  wake();
  return SubmitResult::Queued;
}

void SequencerEngine::take_completions(std::vector<std::unique_ptr<SubmitCommand>>& out) {
  std::lock_guard<std::mutex> lock(queue_mutex_);
  for (auto& c : completions_) out.push_back(std::move(c));
  completions_.clear();
}

void SequencerEngine::syncer_loop() {
  std::unique_lock<std::mutex> lock(syncer_mutex_);
  while (!stopping_.load()) {
    syncer_wake_.wait_for(lock, std::chrono::milliseconds(100));
    journal_->sync_all();
  }
}

void SequencerEngine::on_control(const void* control, std::size_t length, Listener& listener) {
  std::uint32_t drops;
  if (length == 0 || !kernel_drops_of(control, length, drops)) return;
  const std::uint32_t delta = drops - listener.kernel_drops_seen;
  listener.kernel_drops_seen = drops;
  if (delta != 0) journal_->count(layout::kKernelDropsReported, delta);
}

void SequencerEngine::on_datagram(const std::uint8_t* data, std::size_t length, const sockaddr* source,
                                  socklen_t source_length, Listener& listener, bool truncated) {
  JournalWriter& j = *journal_;
  j.count(layout::kDatagramsReceived);
  j.count(layout::kBytesReceived, length);
  if (truncated) {
    j.count(layout::kDatagramsOversized);
    return;
  }
  const SourceIdentity source_id = node_id_of(source, source_length);
  EventInput input{source_id.node_id, listener.stream_id,
                   static_cast<std::uint16_t>(source_id.ipv6 ? layout::event_flags::kSourceIpv6 : 0), 0};
  if (looks_framed(data, length)) {
    FrameView frame;
    const FrameStatus status = parse_frame(data, length, frame);
    if (status != FrameStatus::Ok) {
      j.count(is_checksum_failure(status) ? layout::kChecksumsFailed : layout::kFramesMalformed);
      return;
    }
    if (frame.payload_len > j.max_payload()) {
      j.count(layout::kDatagramsOversized);
      return;
    }
    input.node_id = frame.node_id;
    if (frame.stream_id != 0) input.stream_id = frame.stream_id;
    input.flags = static_cast<std::uint16_t>(frame.flags | layout::event_flags::kFramed);
    input.clock_hint = frame.clock_hint;
    if (frame.payload_len == 0) j.count(layout::kDatagramsEmpty);
    j.append_verified(input, frame.payload, frame.payload_len, frame.payload_checksum);
    return;
  }
  if (length > j.max_payload()) {
    j.count(layout::kDatagramsOversized);
    return;
  }
  if (length == 0) j.count(layout::kDatagramsEmpty);
  j.append_copy(input, data, static_cast<std::uint32_t>(length));
}

void SequencerEngine::process_commands() {
  if (queued_.load(std::memory_order_acquire) == 0) return;
  std::vector<std::unique_ptr<SubmitCommand>> batch;
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    batch.swap(queue_);
    queued_.store(0, std::memory_order_relaxed);
  }
  JournalWriter& j = *journal_;
  for (auto& command : batch) {
    const std::size_t n = command->events.size();
    command->sequences.assign(n, kDropped);
    command->statuses.assign(n, SubmitStatus::Dropped);
    for (std::size_t i = 0; i < n; i++) {
      const SubmitEvent& e = command->events[i];
      if (e.length > j.max_payload()) {
        command->statuses[i] = SubmitStatus::TooLarge;
        j.count(layout::kSubmitsRejected);
        continue;
      }
      const EventInput input{e.node_id, e.stream_id,
                             static_cast<std::uint16_t>((e.flags & layout::event_flags::kApplicationMask) |
                                                        layout::event_flags::kSubmitted),
                             e.clock_hint};
      const std::uint64_t sequence = j.append_copy(input, e.payload, e.length);
      command->sequences[i] = sequence;
      if (sequence == kDropped) {
        j.count(layout::kSubmitsRejected);
      } else {
        command->statuses[i] = SubmitStatus::Journaled;
        j.count(layout::kSubmitsAccepted);
      }
    }
    journaled_commands_.push_back(std::move(command));
  }
}

void SequencerEngine::end_batch() {
  if (journal_->publish()) unnotified_publication_ = true;
  if (!journaled_commands_.empty()) {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    for (auto& c : journaled_commands_) completions_.push_back(std::move(c));
    journaled_commands_.clear();
    completions_ready_ = true;
  }
  const bool due = unnotified_publication_ && now_ms_ - last_notify_ms_ >= kNotifyIntervalMs;
  if ((completions_ready_ || due) && notify_) {
    unnotified_publication_ = false;
    completions_ready_ = false;
    last_notify_ms_ = now_ms_;
    if (!notify_pending_.exchange(true)) notify_();
  }
}

long long SequencerEngine::wait_timeout_ns() const {
  return unnotified_publication_ ? kNotifyWaitNs : kIdleWaitNs;
}

void SequencerEngine::run() {
  if (uses_uring_) run_uring();
  if (!uses_uring_) run_recvmmsg();
  // Drain: journal what was submitted before stop, publish, and hand the completions over.
  now_ms_ = wall_clock_ms();
  journal_->begin_batch(now_ms_);
  process_commands();
  {
    std::lock_guard<std::mutex> lock(queue_mutex_);
    for (auto& command : queue_) {
      command->sequences.assign(command->events.size(), kDropped);
      command->statuses.assign(command->events.size(), SubmitStatus::ShuttingDown);
      completions_.push_back(std::move(command));
    }
    queue_.clear();
  }
  unnotified_publication_ = true;
  last_notify_ms_ = 0;
  end_batch();
}

void SequencerEngine::run_uring() {
  std::string error;
  Uring ring;
  ProvidedBuffers buffers;
  const std::size_t name_space = sizeof(sockaddr_in6);
  const std::size_t buffer_size = sizeof(io_uring_recvmsg_out) + name_space + kControlSpace + kMaxDatagram;
  if (!ring.init(256, 8192, error) || !buffers.init(ring, 0, kProvidedBufferCount, buffer_size, error)) {
    fallback_reason_ = error;
    uses_uring_ = false;
    return;
  }
  std::vector<msghdr> templates(listeners_.size());
  for (auto& t : templates) {
    t = msghdr{};
    t.msg_namelen = static_cast<socklen_t>(name_space);
    t.msg_controllen = kControlSpace;
  }
  std::vector<bool> rearm(listeners_.size(), true);
  bool rearm_wake = true;
  auto arm = [&]() -> bool {
    for (std::size_t i = 0; i < listeners_.size(); i++) {
      if (!rearm[i]) continue;
      io_uring_sqe* sqe = ring.next_sqe();
      if (sqe == nullptr) return false;
      sqe->opcode = IORING_OP_RECVMSG;
      sqe->fd = listeners_[i].fd;
      sqe->addr = reinterpret_cast<std::uint64_t>(&templates[i]);
      sqe->len = 1;
      sqe->flags = IOSQE_BUFFER_SELECT;
      sqe->buf_group = 0;
      sqe->ioprio = IORING_RECV_MULTISHOT;
      sqe->user_data = i;
      rearm[i] = false;
    }
    if (rearm_wake) {
      io_uring_sqe* sqe = ring.next_sqe();
      if (sqe == nullptr) return false;
      // Poll, then read() ourselves: a READ on the non-blocking eventfd would complete at once with -EAGAIN.
      sqe->opcode = IORING_OP_POLL_ADD;
      sqe->fd = wake_fd_;
      sqe->poll32_events = POLLIN;
      sqe->user_data = kWakeTag;
      rearm_wake = false;
    }
    return true;
  };

  while (!stopping_.load(std::memory_order_relaxed)) {
    arm();
    if (!ring.submit_and_wait(wait_timeout_ns(), error)) {
      fallback_reason_ = error;
      uses_uring_ = false;
      return;
    }
    now_ms_ = wall_clock_ms();
    journal_->begin_batch(now_ms_);
    ring.for_each_completion([&](const io_uring_cqe& cqe) {
      if (cqe.user_data == kWakeTag) {
        rearm_wake = true;
        return;
      }
      const std::size_t index = cqe.user_data;
      if (index >= listeners_.size()) return;
      if ((cqe.flags & IORING_CQE_F_MORE) == 0) rearm[index] = true;
      if (cqe.res < 0 || (cqe.flags & IORING_CQE_F_BUFFER) == 0) return;  // -ENOBUFS: re-armed after recycling
      const unsigned id = cqe.flags >> IORING_CQE_BUFFER_SHIFT;
      std::uint8_t* buffer = buffers.buffer(id);
      const auto* out = reinterpret_cast<const io_uring_recvmsg_out*>(buffer);
      const std::uint8_t* name = buffer + sizeof(io_uring_recvmsg_out);
      const std::uint8_t* control = name + name_space;
      const std::uint8_t* payload = control + kControlSpace;
      Listener& listener = listeners_[index];
      on_control(control, out->controllen, listener);
      on_datagram(payload, out->payloadlen, reinterpret_cast<const sockaddr*>(name),
                  static_cast<socklen_t>(out->namelen), listener, (out->flags & MSG_TRUNC) != 0);
      buffers.recycle(id);
    });
    buffers.publish();
    if (rearm_wake) {
      std::uint64_t ignored;
      [[maybe_unused]] auto r = read(wake_fd_, &ignored, sizeof ignored);
    }
    process_commands();
    end_batch();
  }
}

void SequencerEngine::run_recvmmsg() {
  BufferMemory memory;
  if (!memory.allocate(kRecvmmsgBatch * kMaxDatagram)) {
    thread_error_ = "cannot allocate receive buffers";
    return;
  }
  std::uint8_t* storage = memory.data();
  std::array<mmsghdr, kRecvmmsgBatch> messages{};
  std::array<iovec, kRecvmmsgBatch> vectors{};
  std::array<sockaddr_in6, kRecvmmsgBatch> names{};
  std::vector<std::uint8_t> controls(kRecvmmsgBatch * kControlSpace);
  for (unsigned i = 0; i < kRecvmmsgBatch; i++) {
    vectors[i] = {storage + i * kMaxDatagram, kMaxDatagram};
    messages[i].msg_hdr.msg_iov = &vectors[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_name = &names[i];
    messages[i].msg_hdr.msg_control = controls.data() + i * kControlSpace;
  }
  std::vector<pollfd> polls;
  for (const Listener& l : listeners_) polls.push_back({l.fd, POLLIN, 0});
  polls.push_back({wake_fd_, POLLIN, 0});

  while (!stopping_.load(std::memory_order_relaxed)) {
    bool received = false;
    for (Listener& listener : listeners_) {
      for (int round = 0; round < kRecvmmsgRoundsPerSocket; round++) {
        for (unsigned i = 0; i < kRecvmmsgBatch; i++) {
          messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_in6);
          messages[i].msg_hdr.msg_controllen = kControlSpace;
        }
        const int n = recvmmsg(listener.fd, messages.data(), kRecvmmsgBatch, MSG_DONTWAIT, nullptr);
        if (n <= 0) break;
        received = true;
        now_ms_ = wall_clock_ms();
        journal_->begin_batch(now_ms_);
        for (int i = 0; i < n; i++) {
          const msghdr& h = messages[i].msg_hdr;
          on_control(h.msg_control, h.msg_controllen, listener);
          on_datagram(storage + i * kMaxDatagram, messages[i].msg_len, reinterpret_cast<sockaddr*>(&names[i]),
                      h.msg_namelen, listener, (h.msg_flags & MSG_TRUNC) != 0);
        }
        process_commands();
        end_batch();
        if (n < static_cast<int>(kRecvmmsgBatch)) break;
      }
    }
    if (received) continue;
    for (auto& p : polls) p.revents = 0;
    poll(polls.data(), polls.size(), static_cast<int>(wait_timeout_ns() / 1'000'000));
    if (polls.back().revents & POLLIN) {
      std::uint64_t ignored;
      [[maybe_unused]] auto r = read(wake_fd_, &ignored, sizeof ignored);
    }
    now_ms_ = wall_clock_ms();
    journal_->begin_batch(now_ms_);
    process_commands();
    end_batch();
  }
}

}  // namespace lacrimosa
