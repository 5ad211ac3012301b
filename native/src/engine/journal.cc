#include "journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>
#include <ctime>
#include <mutex>

#include "crc32c.h"

namespace lacrimosa {

using layout::CausalEvent;
using layout::JournalHeader;

namespace {

template <typename T>
std::atomic_ref<T> atomic(T& value) {
  return std::atomic_ref<T>(value);
}

std::string errno_text(const std::string& what, int err) { return what + ": " + std::strerror(err); }

std::mutex stream_table_mutex;

bool valid_stream_name(std::string_view name) {
  if (name.empty() || name.size() > layout::kStreamNameCapacity) return false;
  return std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '-' ||
           c == '.' || c == ':' || c == '/';
  });
}

const std::uint64_t kPageSize = static_cast<std::uint64_t>(sysconf(_SC_PAGESIZE));

void msync_range(std::uint8_t* base, std::uint64_t from, std::uint64_t to) {
  if (to <= from) return;
  const std::uint64_t start = from / kPageSize * kPageSize;
  msync(base + start, to - start, MS_SYNC);
}

}  // namespace

const char* journal_error_code_name(JournalErrorCode code) {
  switch (code) {
    case JournalErrorCode::None: return "NONE";
    case JournalErrorCode::Io: return "JOURNAL_IO";
    case JournalErrorCode::InvalidConfig: return "INVALID_CONFIG";
    case JournalErrorCode::BadMagic: return "NOT_A_JOURNAL";
    case JournalErrorCode::UnsupportedVersion: return "UNSUPPORTED_VERSION";
    case JournalErrorCode::CorruptHeader: return "CORRUPT_HEADER";
    case JournalErrorCode::GeometryMismatch: return "GEOMETRY_MISMATCH";
    case JournalErrorCode::Locked: return "JOURNAL_LOCKED";
    case JournalErrorCode::StreamTableFull: return "STREAM_TABLE_FULL";
    case JournalErrorCode::InvalidStreamName: return "INVALID_STREAM_NAME";
  }
  return "UNKNOWN";
}

std::uint64_t wall_clock_ms() noexcept {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  return static_cast<std::uint64_t>(ts.tv_sec) * 1000 + static_cast<std::uint64_t>(ts.tv_nsec) / 1000000;
}

std::unique_ptr<JournalWriter> JournalWriter::open(const JournalConfig& config, OpenReport& report,
                                                   JournalError& error) {
  auto fail = [&](JournalErrorCode code, std::string message) -> std::unique_ptr<JournalWriter> {
    error = {code, std::move(message)};
    return nullptr;
  };
  const bool slots_given = config.slot_count != 0;
  const bool blob_given = config.blob_size != 0;
  if (slots_given && (!layout::is_power_of_two(config.slot_count) || config.slot_count < layout::kMinSlotCount ||
                      config.slot_count > layout::kMaxSlotCount)) {
    return fail(JournalErrorCode::InvalidConfig, "slot count must be a power of two in [1024, 2^30], got " +
                                                     std::to_string(config.slot_count));
  }
  if (blob_given && (!layout::is_power_of_two(config.blob_size) || config.blob_size < layout::kMinBlobSize ||
                     config.blob_size > layout::kMaxBlobSize)) {
    return fail(JournalErrorCode::InvalidConfig, "blob size must be a power of two in [64 KiB, 1 TiB], got " +
                                                     std::to_string(config.blob_size));
  }

  std::unique_ptr<JournalWriter> w(new JournalWriter());
  w->path_ = config.path;
  w->fsync_ = config.fsync;
  w->fd_ = ::open(config.path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, 0644);
  if (w->fd_ < 0) return fail(JournalErrorCode::Io, errno_text("cannot open " + config.path, errno));
  if (flock(w->fd_, LOCK_EX | LOCK_NB) != 0) {
    const int err = errno;
    std::uint32_t pid = 0;
    if (pread(w->fd_, &pid, sizeof pid, offsetof(JournalHeader, writer.writer_pid)) != sizeof pid) pid = 0;
    if (err == EWOULDBLOCK) {
      return fail(JournalErrorCode::Locked, config.path + " is already open by another sequencer" +
                                                (pid != 0 ? " (pid " + std::to_string(pid) + ")" : std::string()) +
                                                "; stop it first or use another --journal");
    }
    return fail(JournalErrorCode::Io, errno_text("cannot lock " + config.path, err));
  }
  struct stat st {};
  if (fstat(w->fd_, &st) != 0) return fail(JournalErrorCode::Io, errno_text("cannot stat " + config.path, errno));

  const std::uint64_t now = wall_clock_ms();
  if (st.st_size == 0) {
    const auto g = layout::geometry_for(slots_given ? config.slot_count : layout::kDefaultSlotCount,
                                        blob_given ? config.blob_size : layout::kDefaultBlobSize);
    if (ftruncate(w->fd_, static_cast<off_t>(g.file_size)) != 0) {
      return fail(JournalErrorCode::Io, errno_text("cannot size " + config.path, errno));
    }
    w->geometry_ = g;
    report.created = true;
  } else {
    layout::IdentityLine id{};
    if (st.st_size < static_cast<off_t>(layout::kHeaderSize) || pread(w->fd_, &id, sizeof id, 0) != sizeof id) {
      return fail(JournalErrorCode::CorruptHeader,
                  config.path + " is " + std::to_string(st.st_size) + " bytes, too small to be a journal");
    }
    if (id.magic != layout::kMagic) {
      return fail(JournalErrorCode::BadMagic, config.path + " is not a lacrimosa journal (bad magic)");
    }
    if (id.version != layout::kFormatVersion) {
      return fail(JournalErrorCode::UnsupportedVersion, config.path + " has journal format version " +
                                                            std::to_string(id.version) + "; this build reads " +
                                                            std::to_string(layout::kFormatVersion));
    }
    const auto expected = layout::geometry_for(id.slot_count, id.blob_size);
    if (id.header_size != layout::kHeaderSize || !layout::is_power_of_two(id.slot_count) ||
        id.slot_count < layout::kMinSlotCount || id.slot_count > layout::kMaxSlotCount ||
        !layout::is_power_of_two(id.blob_size) || id.blob_size < layout::kMinBlobSize ||
        id.blob_size > layout::kMaxBlobSize || id.ring_offset != expected.ring_offset ||
        id.blob_offset != expected.blob_offset || id.file_size != expected.file_size) {
      return fail(JournalErrorCode::CorruptHeader, config.path + " has an inconsistent geometry in its header");
    }
    if (static_cast<std::uint64_t>(st.st_size) < id.file_size) {
      return fail(JournalErrorCode::CorruptHeader, config.path + " is " + std::to_string(st.st_size) +
                                                       " bytes but its header says " + std::to_string(id.file_size));
    }
    if (slots_given && config.slot_count != id.slot_count) {
      return fail(JournalErrorCode::GeometryMismatch,
                  config.path + " has " + std::to_string(id.slot_count) + " slots but " +
                      std::to_string(config.slot_count) +
                      " were asked for; omit the slot count to use the journal as it is, or use a new file");
    }
    if (blob_given && config.blob_size != id.blob_size) {
      return fail(JournalErrorCode::GeometryMismatch,
                  config.path + " has a " + std::to_string(id.blob_size) + "-byte blob region but " +
                      std::to_string(config.blob_size) +
                      " bytes were asked for; omit the blob size to use the journal as it is, or use a new file");
    }
    w->geometry_ = expected;
  }

  void* map = mmap(nullptr, w->geometry_.file_size, PROT_READ | PROT_WRITE, MAP_SHARED, w->fd_, 0);
  if (map == MAP_FAILED) return fail(JournalErrorCode::Io, errno_text("cannot map " + config.path, errno));
  w->base_ = static_cast<std::uint8_t*>(map);
  // The writer touches the file sequentially but page by page as it goes: without this, ext4 answers each
  // first-touch fault with readahead over a fresh sparse region, stalling the receive thread for tens of ms.
  madvise(map, w->geometry_.file_size, MADV_RANDOM);
  w->header_ = reinterpret_cast<JournalHeader*>(w->base_);
  w->ring_ = reinterpret_cast<CausalEvent*>(w->base_ + w->geometry_.ring_offset);
  w->blob_ = w->base_ + w->geometry_.blob_offset;
  w->slot_mask_ = w->geometry_.slot_count - 1;
  w->blob_mask_ = w->geometry_.blob_size - 1;
  const std::uint64_t payload_cap = layout::max_payload_for(w->geometry_.blob_size);
  w->max_payload_ = static_cast<std::uint32_t>(
      std::min<std::uint64_t>(config.max_payload != 0 ? config.max_payload : kDefaultMaxPayload, payload_cap));

  JournalHeader& h = *w->header_;
  if (report.created) {
    h.identity.magic = layout::kMagic;
    h.identity.version = layout::kFormatVersion;
    h.identity.header_size = layout::kHeaderSize;
    h.identity.slot_count = w->geometry_.slot_count;
    h.identity.blob_size = w->geometry_.blob_size;
    h.identity.ring_offset = w->geometry_.ring_offset;
    h.identity.blob_offset = w->geometry_.blob_offset;
    h.identity.file_size = w->geometry_.file_size;
    h.identity.created_ms = now;
    h.streams[0].length = 7;
    std::memcpy(h.streams[0].name, "default", 7);
  }

  w->head_ = h.publication.head;
  w->tail_ = h.retention.tail;
  w->blob_head_ = h.publication.blob_head;
  w->blob_tail_ = h.retention.blob_tail;
  // A header torn between its publication and retention lines (machine crash): keep what the ring can hold.
  if (w->tail_ > w->head_) w->tail_ = w->head_;
  if (w->head_ - w->tail_ > w->geometry_.slot_count) w->tail_ = w->head_ - w->geometry_.slot_count;
  if (w->tail_ < w->head_ && w->blob_tail_ != w->slot(w->tail_)->payload_offset) {
    w->blob_tail_ = w->slot(w->tail_)->payload_offset;
  }
  for (std::size_t i = 0; i < layout::kCounterCount; i++) w->counts_[i] = h.counters[i];
  if (h.writer.writer_state == static_cast<std::uint32_t>(layout::WriterState::Open)) w->recover_torn_tail(report);
  if (w->head_ == w->tail_) w->blob_tail_ = w->blob_head_;

  std::uint64_t clock = h.publication.clock;
  if (w->head_ > w->tail_) clock = std::max(clock, w->slot(w->head_ - 1)->lamport_ts);
  w->clock_ = HybridClock(clock, config.max_clock_drift_ms);

  h.writer.writer_pid = static_cast<std::uint32_t>(getpid());
  h.writer.writer_opened_ms = now;
  h.writer.open_count += 1;
  h.writer.fsync_mode = static_cast<std::uint32_t>(config.fsync);
  h.writer.max_payload = w->max_payload_;
  atomic(h.writer.writer_state).store(static_cast<std::uint32_t>(layout::WriterState::Open), std::memory_order_release);

  w->published_head_ = w->head_;
  w->published_blob_head_ = w->blob_head_;
  w->now_ms_ = now;
  w->store_retention();
  w->publish();
  return w;
}

JournalWriter::~JournalWriter() { close(); }

void JournalWriter::close() noexcept {
  if (closed_ || base_ == nullptr) {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
    return;
  }
  closed_ = true;
  publish();
  JournalHeader& h = *header_;
  if (fsync_ != layout::FsyncMode::None) {
    msync(base_, geometry_.file_size, MS_SYNC);
    atomic(h.writer.durable_head).store(head_, std::memory_order_release);
  }
  h.writer.writer_pid = 0;
  atomic(h.writer.writer_state)
      .store(static_cast<std::uint32_t>(layout::WriterState::ClosedCleanly), std::memory_order_release);
  if (fsync_ != layout::FsyncMode::None) msync(base_, kPageSize, MS_SYNC);
  munmap(base_, geometry_.file_size);
  base_ = nullptr;
  ::close(fd_);
  fd_ = -1;
}

void JournalWriter::recover_torn_tail(OpenReport& report) noexcept {
  report.recovered = true;
  const std::uint64_t durable = std::min(header_->writer.durable_head, head_);
  const std::uint64_t start = std::max(tail_, durable);
  std::uint64_t previous_end = blob_tail_;
  std::uint64_t previous_clock = 0;
  if (start > tail_) {
    const CausalEvent& before = *slot(start - 1);
    previous_end = before.payload_offset + before.payload_len;
    previous_clock = before.lamport_ts;
  }
  std::uint64_t truncated = 0;
  for (std::uint64_t s = start; s < head_; s++) {
    const CausalEvent e = *slot(s);
    const std::uint64_t position = e.payload_offset & blob_mask_;
    const bool intact = e.payload_len <= max_payload_ && e.payload_offset >= previous_end &&
                        e.payload_offset % layout::kPayloadAlignment == 0 &&
                        position + e.payload_len <= geometry_.blob_size &&
                        e.payload_offset + e.payload_len - blob_tail_ <= geometry_.blob_size &&
                        e.lamport_ts > previous_clock &&
                        crc32c(payload_at(e.payload_offset), e.payload_len) == e.checksum;
    if (!intact) {
      truncated = head_ - s;
      head_ = s;
      break;
    }
    previous_end = e.payload_offset + e.payload_len;
    previous_clock = e.lamport_ts;
  }
  if (truncated > 0) {
    blob_head_ = previous_end;
    counts_[layout::kTornEventsTruncated] += truncated;
    report.truncated = truncated;
  } else {
    blob_head_ = std::max(blob_head_, previous_end);
  }
}

std::uint64_t JournalWriter::min_live_cursor() noexcept {
  const std::uint32_t mask = atomic(header_->cursor_active_mask).load(std::memory_order_acquire);
  std::uint64_t minimum = kDropped;
  for (std::uint32_t bits = mask; bits != 0; bits &= bits - 1) {
    layout::CursorEntry& c = header_->cursors[std::countr_zero(bits)];
    if (atomic(c.state).load(std::memory_order_acquire) != static_cast<std::uint32_t>(layout::CursorState::Active))
      continue;
    const std::uint64_t heartbeat = atomic(c.heartbeat_ms).load(std::memory_order_relaxed);
    const std::uint64_t lease = atomic(c.lease_ms).load(std::memory_order_relaxed);
    if (now_ms_ > heartbeat && now_ms_ - heartbeat > lease) continue;
    minimum = std::min(minimum, atomic(c.position).load(std::memory_order_acquire));
  }
  return minimum;
}

void JournalWriter::begin_batch(std::uint64_t now_ms) noexcept {
  now_ms_ = now_ms;
  batch_min_cursor_known_ = false;
}

bool JournalWriter::evict_oldest() noexcept {
  if (tail_ == head_) return false;
  if (!batch_min_cursor_known_) {
    batch_min_cursor_ = min_live_cursor();
    batch_min_cursor_known_ = true;
  }
  if (tail_ >= batch_min_cursor_) return false;
  tail_++;
  blob_tail_ = tail_ == head_ ? blob_head_ : slot(tail_)->payload_offset;
  counts_[layout::kEventsEvicted]++;
  return true;
}

void JournalWriter::store_retention() noexcept {
  atomic(header_->retention.blob_tail).store(blob_tail_, std::memory_order_relaxed);
  atomic(header_->retention.tail).store(tail_, std::memory_order_release);
  // Readers re-check tail after reading: the new tail must be visible before any freed byte is overwritten.
  std::atomic_thread_fence(std::memory_order_release);
}

bool JournalWriter::make_room(std::uint32_t length, std::uint64_t& payload_offset) noexcept {
  const std::uint64_t evicted_before = counts_[layout::kEventsEvicted];
  bool room = true;
  while (head_ - tail_ >= geometry_.slot_count) {
    if (!evict_oldest()) {
      room = false;
      break;
    }
  }
  std::uint64_t start = layout::align_up(blob_head_, layout::kPayloadAlignment);
  const std::uint64_t position = start & blob_mask_;
  if (position + length > geometry_.blob_size) start += geometry_.blob_size - position;
  while (room && start + length - blob_tail_ > geometry_.blob_size) {
    if (!evict_oldest()) room = false;
  }
  if (counts_[layout::kEventsEvicted] != evicted_before) store_retention();
  if (!room) {
    counts_[layout::kEventsDropped]++;
    return false;
  }
  payload_offset = start;
  return true;
}

std::uint64_t JournalWriter::write_event(const EventInput& input, std::uint64_t payload_offset, std::uint32_t length,
                                         std::uint32_t checksum) noexcept {
  HintOutcome hint;
  const std::uint64_t ts = clock_.tick(now_ms_, input.clock_hint, hint);
  if (hint.applied) counts_[layout::kClockHintsApplied]++;
  if (hint.rejected) counts_[layout::kClockHintsRejected]++;
  *slot(head_) = CausalEvent{
      ts,
      input.node_id,
      input.stream_id,
      static_cast<std::uint16_t>(input.flags | (hint.applied ? layout::event_flags::kClockHintApplied : 0)),
      payload_offset,
      checksum,
      length,
  };
  blob_head_ = payload_offset + length;
  counts_[layout::kEventsJournaled]++;
  counts_[layout::kPayloadBytesJournaled] += length;
  return head_++;
}

std::uint64_t JournalWriter::append_copy(const EventInput& input, const std::uint8_t* payload,
                                         std::uint32_t length) noexcept {
  std::uint64_t offset;
  if (!make_room(length, offset)) return kDropped;
  const std::uint32_t checksum = crc32c_copy(payload_at(offset), payload, length);
  return write_event(input, offset, length, checksum);
}

std::uint64_t JournalWriter::append_verified(const EventInput& input, const std::uint8_t* payload,
                                             std::uint32_t length, std::uint32_t checksum) noexcept {
  std::uint64_t offset;
  if (!make_room(length, offset)) return kDropped;
  std::memcpy(payload_at(offset), payload, length);
  return write_event(input, offset, length, checksum);
}

void JournalWriter::sync_dirty_ranges() noexcept {
  const std::uint64_t slot_bytes = sizeof(CausalEvent);
  const std::uint64_t first = published_head_ & slot_mask_;
  const std::uint64_t count = std::min(head_ - std::min(head_, published_head_), geometry_.slot_count);
  const std::uint64_t ring = geometry_.ring_offset;
  if (first + count <= geometry_.slot_count) {
    msync_range(base_, ring + first * slot_bytes, ring + (first + count) * slot_bytes);
  } else {
    msync_range(base_, ring + first * slot_bytes, ring + geometry_.slot_count * slot_bytes);
    msync_range(base_, ring, ring + (first + count - geometry_.slot_count) * slot_bytes);
  }
  const std::uint64_t from = published_blob_head_;
  const std::uint64_t bytes = std::min(blob_head_ - std::min(blob_head_, from), geometry_.blob_size);
  const std::uint64_t position = from & blob_mask_;
  const std::uint64_t blob = geometry_.blob_offset;
  if (position + bytes <= geometry_.blob_size) {
    msync_range(base_, blob + position, blob + position + bytes);
  } else {
    msync_range(base_, blob + position, blob + geometry_.blob_size);
    msync_range(base_, blob, blob + position + bytes - geometry_.blob_size);
  }
}

bool JournalWriter::publish() noexcept {
  for (std::size_t i = 0; i < layout::kCounterCount; i++) {
    if (external_[i].load(std::memory_order_relaxed) != 0) counts_[i] += external_[i].exchange(0);
  }
  const bool moved = head_ != published_head_;
  const bool sync = moved && fsync_ == layout::FsyncMode::Always;
  if (sync) {
    sync_dirty_ranges();
    counts_[layout::kFsyncsCompleted]++;  // counted now so the stores below carry it; the header sync follows
  }
  if (moved) counts_[layout::kBatchesPublished]++;
  JournalHeader& h = *header_;
  for (std::size_t i = 0; i < layout::kCounterCount; i++) atomic(h.counters[i]).store(counts_[i], std::memory_order_relaxed);
  atomic(h.publication.blob_head).store(blob_head_, std::memory_order_relaxed);
  atomic(h.publication.clock).store(clock_.last(), std::memory_order_relaxed);
  atomic(h.publication.published_ms).store(now_ms_, std::memory_order_relaxed);
  atomic(h.publication.head).store(head_, std::memory_order_release);
  if (sync) {
    msync(base_, kPageSize, MS_SYNC);
    atomic(h.writer.durable_head).store(head_, std::memory_order_release);
  }
  published_head_ = head_;
  published_blob_head_ = blob_head_;
  return moved;
}

void JournalWriter::sync_all() noexcept {
  if (base_ == nullptr) return;
  const std::uint64_t head = atomic(header_->publication.head).load(std::memory_order_acquire);
  msync(base_, geometry_.file_size, MS_SYNC);
  atomic(header_->writer.durable_head).store(head, std::memory_order_release);
  count_external(layout::kFsyncsCompleted, 1);
}

std::uint64_t JournalWriter::published_head() const noexcept {
  return atomic(header_->publication.head).load(std::memory_order_acquire);
}

int JournalWriter::find_stream(std::string_view name) const {
  for (std::size_t id = 0; id < layout::kStreamTableCapacity; id++) {
    layout::StreamEntry& e = header_->streams[id];
    const std::uint8_t length = atomic(e.length).load(std::memory_order_acquire);
    if (length == name.size() && length != 0 && std::memcmp(e.name, name.data(), length) == 0)
      return static_cast<int>(id);
  }
  return -1;
}

int JournalWriter::register_stream(std::string_view name, JournalError& error) {
  if (!valid_stream_name(name)) {
    error = {JournalErrorCode::InvalidStreamName,
             "stream name must be 1-31 characters of letters, digits, '_', '-', '.', ':' or '/', got \"" +
                 std::string(name) + "\""};
    return -1;
  }
  std::lock_guard<std::mutex> lock(stream_table_mutex);
  const int existing = find_stream(name);
  if (existing >= 0) return existing;
  for (std::size_t id = 1; id < layout::kStreamTableCapacity; id++) {
    layout::StreamEntry& e = header_->streams[id];
    if (atomic(e.length).load(std::memory_order_acquire) != 0) continue;
    std::memcpy(e.name, name.data(), name.size());
    atomic(e.length).store(static_cast<std::uint8_t>(name.size()), std::memory_order_release);
    return static_cast<int>(id);
  }
  error = {JournalErrorCode::StreamTableFull,
           "all " + std::to_string(layout::kStreamTableCapacity) + " stream names are taken"};
  return -1;
}

}  // namespace lacrimosa
