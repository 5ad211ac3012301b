// The sequencer engine: binds the UDP listeners, owns the receive thread (io_uring or recvmmsg), turns every
// datagram into a journaled event, and accepts submissions from other threads through a bounded command queue.
// Nothing here knows about Node: the N-API edge (addon.cc) wraps it.
#pragma once

#include <atomic>
#include <condition_variable>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "journal.h"
#include "net.h"

namespace lacrimosa {

enum class Backend { Auto, Uring, Recvmmsg };

struct SequencerConfig {
  JournalConfig journal;
  std::vector<ListenConfig> listens;
  Backend backend = Backend::Auto;
  int receive_buffer_bytes = 4 << 20;
  std::size_t submit_queue_capacity = 1024;
};

struct SubmitEvent {
  std::uint16_t stream_id;
  std::uint16_t flags;  // application flags (low byte); SUBMITTED is added
  std::uint32_t node_id;
  std::uint64_t clock_hint;
  const std::uint8_t* payload;  // owned by the submitter until the command completes
  std::uint32_t length;
};

enum class SubmitStatus : std::uint8_t { Journaled, Dropped, TooLarge, ShuttingDown };

struct SubmitCommand {
  std::vector<SubmitEvent> events;
  // Filled by the receive thread: one entry per event.
  std::vector<std::uint64_t> sequences;
  std::vector<SubmitStatus> statuses;
  // Opaque to the engine: the edge keeps its promise and payload references here.
  void* context = nullptr;
};

class SequencerEngine {
 public:
  // Opens the journal and binds the listeners. Returns nullptr with `error` set on failure.
  static std::unique_ptr<SequencerEngine> create(const SequencerConfig& config, OpenReport& report,
                                                 JournalError& error);
  ~SequencerEngine();

  // Starts the receive thread. `notify` runs on the receive thread after a publication or completed command,
  // at most once until acknowledge_notification() is called (coalescing); it must not block.
  void start(std::function<void()> notify);
  // Stops the receive thread after it has journaled what it holds; completes queued commands; closes nothing.
  void stop();
  // Closes the journal cleanly (after stop()).
  void close();

  enum class SubmitResult { Queued, QueueFull, ShuttingDown };
  // Queues a submission (any thread). A full queue is the caller's error to report, never a silent drop.
  SubmitResult submit(std::unique_ptr<SubmitCommand>& command);
  // Moves completed commands to `out` (any thread).
  void take_completions(std::vector<std::unique_ptr<SubmitCommand>>& out);
  void acknowledge_notification() { notify_pending_.store(false, std::memory_order_release); }

  const char* backend_name() const { return uses_uring_.load() ? "io_uring" : "recvmmsg"; }
  const std::string& backend_fallback_reason() const { return fallback_reason_; }
  const std::vector<Listener>& listeners() const { return listeners_; }
  JournalWriter& journal() { return *journal_; }
  bool running() const { return thread_.joinable(); }

 private:
  SequencerEngine() = default;
  void run();
  void run_uring();
  void run_recvmmsg();
  void on_datagram(const std::uint8_t* data, std::size_t length, const sockaddr* source, socklen_t source_length,
                   Listener& listener, bool truncated);
  void on_control(const void* control, std::size_t length, Listener& listener);
  void process_commands();
  void end_batch();
  void wake();
  void syncer_loop();
  long long wait_timeout_ns() const;

  std::unique_ptr<JournalWriter> journal_;
  std::vector<Listener> listeners_;
  std::atomic<bool> uses_uring_{false};
  std::string fallback_reason_;
  int wake_fd_ = -1;
  std::thread thread_;
  std::thread syncer_;
  std::atomic<bool> stopping_{false};
  bool stopped_accepting_ = false;  // guarded by queue_mutex_
  std::function<void()> notify_;
  std::atomic<bool> notify_pending_{false};
  bool unnotified_publication_ = false;
  std::uint64_t last_notify_ms_ = 0;
  std::uint64_t now_ms_ = 0;
  std::string thread_error_;

  std::mutex queue_mutex_;
  std::vector<std::unique_ptr<SubmitCommand>> queue_;
  std::atomic<std::size_t> queued_{0};
  std::size_t queue_capacity_ = 0;
  std::vector<std::unique_ptr<SubmitCommand>> journaled_commands_;  // receive thread: awaiting publication
  std::vector<std::unique_ptr<SubmitCommand>> completions_;         // guarded by queue_mutex_
  bool completions_ready_ = false;

  std::mutex syncer_mutex_;
  std::condition_variable syncer_wake_;
};

bool parse_backend(const std::string& text, Backend& backend);

}  // namespace lacrimosa
