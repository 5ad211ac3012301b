// cz-ceiling: the stand-alone C++ receiver of the ingest benchmark (bench/ingest/run.ts), no Node anywhere.
//
// What a good C++ programmer would write to journal UDP datagrams: one socket, blocking recvmmsg in batches of
// 64, and for each datagram the journal work the sequencer does: a hardware CRC32C of the payload computed while
// copying it into the blob region of a MAP_SHARED file (8-byte aligned, contiguous, skipping to the region's
// start when a payload would run past its end), and a 32-byte record (clock, node id, stream id, flags, payload
// offset, checksum, length) in a ring in the same file; one clock_gettime per batch, head published once per
// batch with a release store; the mapping gets MADV_RANDOM like the sequencer's. It does not parse frames, evict,
// or keep counters beyond its own two.
//
// Prints {"port":P} first, and {"received":N,"kernelDrops":D} on SIGINT/SIGTERM (D from SO_RXQ_OVFL).
//
//   cz-ceiling [--port 0] [--journal PATH] [--slots 4194304] [--blob-size 1073741824] [--rcvbuf 4194304]
#include <arpa/inet.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <unistd.h>

#include <algorithm>
#include <atomic>
#include <cerrno>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <string>
#include <vector>

#include "engine/crc32c.h"

namespace {

constexpr unsigned kBatch = 64;
constexpr std::size_t kMaxDatagram = 65536;
constexpr std::size_t kControlSpace = 64;
constexpr std::size_t kHeaderSize = 65536;
constexpr std::size_t kRegionAlignment = 65536;

volatile std::sig_atomic_t g_stop = 0;
void on_signal(int) { g_stop = 1; }

struct Record {
  std::uint64_t clock;
  std::uint32_t node_id;
  std::uint16_t stream_id;
  std::uint16_t flags;
  std::uint64_t payload_offset;
  std::uint32_t checksum;
  std::uint32_t length;
};
static_assert(sizeof(Record) == 32);

// The part of the header this receiver maintains (at the journal format's offsets of head and blob_head).
struct Publication {
  std::uint64_t head;
  std::uint64_t blob_head;
  std::uint64_t clock;
};

[[noreturn]] void usage(const std::string& message) {
  std::fprintf(stderr,
               "cz-ceiling: %s\nusage: cz-ceiling [--port P] [--journal PATH] [--slots N] [--blob-size BYTES] "
               "[--rcvbuf BYTES]\n",
               message.c_str());
  std::exit(2);
}

std::uint64_t parse_uint(const std::string& flag, const char* text) {
  char* end = nullptr;
  errno = 0;
  const unsigned long long v = std::strtoull(text, &end, 0);
  if (errno != 0 || end == text || *end != '\0') usage(flag + " needs a non-negative integer");
  return v;
}

bool is_power_of_two(std::uint64_t v) { return v != 0 && (v & (v - 1)) == 0; }

}  // namespace

int main(int argc, char** argv) {
  std::uint64_t port = 0, slots = 1ULL << 22, blob_size = 1ULL << 30, rcvbuf = 4 << 20;
  std::string journal_path;
  for (int i = 1; i < argc; i++) {
    const std::string flag = argv[i];
    if (i + 1 >= argc) usage(flag + " needs a value");
    const char* value = argv[++i];
    if (flag == "--port") port = parse_uint(flag, value);
    else if (flag == "--journal") journal_path = value;
    else if (flag == "--slots") slots = parse_uint(flag, value);
    else if (flag == "--blob-size") blob_size = parse_uint(flag, value);
    else if (flag == "--rcvbuf") rcvbuf = parse_uint(flag, value);
    else usage("unknown flag " + flag);
  }
  if (port > 65535) usage("--port must be in 0..65535");
  if (!is_power_of_two(slots) || !is_power_of_two(blob_size) || blob_size < kMaxDatagram) {
    usage("--slots and --blob-size must be powers of two, the blob at least 64 KiB");
  }

  // ── the journal file ─────────────────────────────────────────────────────────────────────────────
  bool unlink_at_exit = false;
  if (journal_path.empty()) {
    const char* dir = std::getenv("TMPDIR");
    journal_path = std::string(dir != nullptr && *dir != '\0' ? dir : "/tmp") + "/cz-ceiling-XXXXXX";
    const int tmp = mkstemp(journal_path.data());
    if (tmp < 0) {
      std::perror("cz-ceiling: mkstemp");
      return 1;
    }
    close(tmp);
    unlink_at_exit = true;
  }
  const int file = open(journal_path.c_str(), O_RDWR | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  if (file < 0) {
    std::perror("cz-ceiling: open journal");
    return 1;
  }
  const std::size_t ring_offset = kHeaderSize;
  const std::size_t blob_offset =
      (ring_offset + slots * sizeof(Record) + kRegionAlignment - 1) / kRegionAlignment * kRegionAlignment;
  const std::size_t file_size = blob_offset + blob_size;
  if (ftruncate(file, static_cast<off_t>(file_size)) != 0) {
    std::perror("cz-ceiling: ftruncate");
    return 1;
  }
  void* mapped = mmap(nullptr, file_size, PROT_READ | PROT_WRITE, MAP_SHARED, file, 0);
  if (mapped == MAP_FAILED) {
    std::perror("cz-ceiling: mmap");
    return 1;
  }
  // The same mapping advice the sequencer's journal writer gives (no readahead on first-touch faults), so the
  // ceiling measures the best journal technique, not a worse mapping.
  madvise(mapped, file_size, MADV_RANDOM);
  auto* base = static_cast<std::uint8_t*>(mapped);
  auto* publication = reinterpret_cast<Publication*>(base + 128);
  auto* ring = reinterpret_cast<Record*>(base + ring_offset);
  std::uint8_t* blob = base + blob_offset;
  const std::uint64_t slot_mask = slots - 1, blob_mask = blob_size - 1;

  // ── the socket ───────────────────────────────────────────────────────────────────────────────────
  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    std::perror("cz-ceiling: socket");
    return 1;
  }
  const int buffer_bytes = static_cast<int>(std::min<std::uint64_t>(rcvbuf, 1u << 30));
  if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &buffer_bytes, sizeof buffer_bytes) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &buffer_bytes, sizeof buffer_bytes);
  }
  const int one = 1;
  setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &one, sizeof one);
  // A receive timeout, so a signal that lands between the stop check and the call cannot hang us.
  const timeval timeout{0, 100'000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, sizeof timeout);
  sockaddr_in address{};
  address.sin_family = AF_INET;
  address.sin_port = htons(static_cast<std::uint16_t>(port));
  address.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (bind(fd, reinterpret_cast<sockaddr*>(&address), sizeof address) != 0) {
    std::perror("cz-ceiling: bind");
    return 1;
  }
  socklen_t address_length = sizeof address;
  getsockname(fd, reinterpret_cast<sockaddr*>(&address), &address_length);

  struct sigaction sa {};
  sa.sa_handler = on_signal;  // no SA_RESTART: a signal interrupts recvmmsg
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  std::vector<std::uint8_t> storage(kBatch * kMaxDatagram);
  std::vector<std::uint8_t> controls(kBatch * kControlSpace);
  std::vector<sockaddr_in> names(kBatch);
  std::vector<iovec> vectors(kBatch);
  std::vector<mmsghdr> messages(kBatch);
  for (unsigned i = 0; i < kBatch; i++) {
    vectors[i] = {storage.data() + i * kMaxDatagram, kMaxDatagram};
    messages[i].msg_hdr.msg_iov = &vectors[i];
    messages[i].msg_hdr.msg_iovlen = 1;
    messages[i].msg_hdr.msg_name = &names[i];
    messages[i].msg_hdr.msg_control = controls.data() + i * kControlSpace;
  }

  std::printf("{\"port\":%u}\n", static_cast<unsigned>(ntohs(address.sin_port)));
  std::fflush(stdout);

  std::uint64_t head = 0, blob_head = 0, clock = 0, received = 0, truncated = 0;
  std::uint32_t kernel_drops = 0;
  while (g_stop == 0) {
    for (unsigned i = 0; i < kBatch; i++) {
      messages[i].msg_hdr.msg_namelen = sizeof(sockaddr_in);
      messages[i].msg_hdr.msg_controllen = kControlSpace;
    }
    const int n = recvmmsg(fd, messages.data(), kBatch, MSG_WAITFORONE, nullptr);
    if (n <= 0) {
      if (n < 0 && errno != EINTR && errno != EAGAIN) {
        std::perror("cz-ceiling: recvmmsg");
        break;
      }
      continue;
    }
    timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    const std::uint64_t now = (static_cast<std::uint64_t>(ts.tv_sec) * 1000 + ts.tv_nsec / 1'000'000) << 16;
    for (int i = 0; i < n; i++) {
      const msghdr& h = messages[i].msg_hdr;
      for (cmsghdr* c = CMSG_FIRSTHDR(&h); c != nullptr; c = CMSG_NXTHDR(const_cast<msghdr*>(&h), c)) {
        if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
          std::memcpy(&kernel_drops, CMSG_DATA(c), sizeof kernel_drops);
        }
      }
      if ((h.msg_flags & MSG_TRUNC) != 0) {
        truncated++;
        continue;
      }
      const std::uint32_t length = messages[i].msg_len;
      std::uint64_t offset = (blob_head + 7) & ~7ULL;
      if ((offset & blob_mask) + length > blob_size) offset = (offset + blob_mask) & ~blob_mask;  // contiguous
      const std::uint32_t checksum =
          lacrimosa::crc32c_copy(blob + (offset & blob_mask), storage.data() + i * kMaxDatagram, length);
      clock = std::max(clock + 1, now);
      ring[head & slot_mask] = Record{clock, ntohl(names[i].sin_addr.s_addr), 1, 0, offset, checksum, length};
      head++;
      blob_head = offset + length;
    }
    received += static_cast<std::uint64_t>(n);
    publication->blob_head = blob_head;
    publication->clock = clock;
    std::atomic_ref<std::uint64_t>(publication->head).store(head, std::memory_order_release);
  }

  std::printf("{\"received\":%llu,\"kernelDrops\":%u}\n", static_cast<unsigned long long>(received - truncated),
              kernel_drops);
  std::fflush(stdout);
  munmap(mapped, file_size);
  close(file);
  close(fd);
  if (unlink_at_exit) unlink(journal_path.c_str());
  return 0;
}
