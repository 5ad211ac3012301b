// cz-loadgen: the native UDP load generator of the ingest benchmark (bench/ingest/run.ts).
//
// Sends datagrams to 127.0.0.1:PORT from one connected socket with sendmmsg batches. With --gso each message
// carries up to 64 equal-size segments (UDP_SEGMENT) that the kernel splits into separate datagrams: a plain
// sendmmsg sender tops out near 0.28 M datagrams/s on this machine type, GSO reaches 1-1.5 M/s.
//
// Every payload starts with a u64 little-endian sequence number (0, 1, 2, ...; a number whose low 32 bits
// would read as the frame magic "CZFR" is skipped), the rest is filler. With --framed every payload is wrapped
// in a CZFR frame (docs/wire-format.md), so the datagram is 32 bytes longer than --size.
//
// Prints one JSON line at the end: {"sent":N,"seconds":S,"rate":R,"errors":E,"cpuSeconds":C}. `sent` counts only datagrams
// the kernel accepted; `errors` counts failed send calls (EAGAIN, ENOBUFS, ECONNREFUSED, ...), each retried.
// `seconds` runs from the first send to the end of the last one. With --rate the line also has "maxLagMs", how
// far the sender fell behind its schedule at worst, and "skipped": a sender more than 5 ms behind (descheduled,
// say) skips those datagrams rather than catch up with a flat-out burst, so the offered load stays what --rate
// says; `rate` then comes out below --rate.
//
//   cz-loadgen --port P [--size 64] [--duration 5] [--count N] [--rate N] [--gso on|off] [--burst N] [--framed]
#include <arpa/inet.h>
#include <netinet/in.h>
#include <netinet/udp.h>
#include <sys/resource.h>
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
#include "engine/frame.h"

namespace {

constexpr std::size_t kMaxUdpPayload = 65507;
constexpr unsigned kMaxSegments = 64;       // UDP_MAX_SEGMENTS on older kernels; newer ones allow 128
constexpr unsigned kMaxMessagesPerCall = 8;  // messages per sendmmsg
// Paced mode: a sender more than this far behind its schedule skips ahead instead of bursting to catch up.
constexpr double kMaxCatchUp = 5e-3;

std::atomic<bool> g_stop{false};

void on_signal(int) { g_stop.store(true, std::memory_order_relaxed); }

struct Options {
  std::uint16_t port = 0;
  std::size_t size = 64;
  double duration = 0;  // seconds; 0 = until --count (or 5 s when neither is given)
  std::uint64_t count = 0;
  double rate = 0;  // datagrams/s; 0 = flat out
  bool gso = false;
  bool framed = false;
  unsigned burst = 0;  // datagrams per send call; 0 = automatic
};

[[noreturn]] void usage(const char* message) {
  std::fprintf(stderr,
               "cz-loadgen: %s\n"
               "usage: cz-loadgen --port P [--size BYTES>=8] [--duration S] [--count N] [--rate N/s]\n"
               "                  [--gso on|off] [--burst N] [--framed]\n",
               message);
  std::exit(2);
}

double parse_number(const char* flag, const char* text) {
  char* end = nullptr;
  errno = 0;
  const double value = std::strtod(text, &end);
  if (errno != 0 || end == text || *end != '\0' || !(value >= 0)) {
    usage((std::string(flag) + " needs a non-negative number, got '" + text + "'").c_str());
  }
  return value;
}

Options parse(int argc, char** argv) {
  Options o;
  for (int i = 1; i < argc; i++) {
    std::string flag = argv[i];
    std::string value;
    bool has_inline = false;
    if (const auto eq = flag.find('='); eq != std::string::npos) {
      value = flag.substr(eq + 1);
      flag = flag.substr(0, eq);
      has_inline = true;
    }
    auto next = [&]() -> std::string {
      if (has_inline) return value;
      if (i + 1 >= argc) usage((flag + " needs a value").c_str());
      return argv[++i];
    };
    if (flag == "--port") {
      const double p = parse_number("--port", next().c_str());
      if (p < 1 || p > 65535 || p != static_cast<int>(p)) usage("--port must be in 1..65535");
      o.port = static_cast<std::uint16_t>(p);
    } else if (flag == "--size") {
      o.size = static_cast<std::size_t>(parse_number("--size", next().c_str()));
    } else if (flag == "--duration") {
      o.duration = parse_number("--duration", next().c_str());
    } else if (flag == "--count") {
      o.count = static_cast<std::uint64_t>(parse_number("--count", next().c_str()));
    } else if (flag == "--rate") {
      o.rate = parse_number("--rate", next().c_str());
    } else if (flag == "--burst") {
      o.burst = static_cast<unsigned>(parse_number("--burst", next().c_str()));
    } else if (flag == "--gso") {
      // `--gso` alone means on; `--gso on|off` (or --gso=on|off) is explicit.
      if (!has_inline && (i + 1 >= argc || argv[i + 1][0] == '-')) {
        o.gso = true;
      } else {
        const std::string v = next();
        if (v == "on" || v == "1" || v == "true") o.gso = true;
        else if (v == "off" || v == "0" || v == "false") o.gso = false;
        else usage("--gso takes on or off");
      }
    } else if (flag == "--no-gso") {
      o.gso = false;
    } else if (flag == "--framed") {
      o.framed = true;
    } else if (flag == "--help" || flag == "-h") {
      usage("help");
    } else {
      usage(("unknown flag " + flag).c_str());
    }
  }
  if (o.port == 0) usage("--port is required");
  if (o.size < 8) usage("--size must be at least 8 (the payload starts with a u64 sequence number)");
  const std::size_t wire = o.size + (o.framed ? lacrimosa::kFrameHeaderSize : 0);
  if (wire > kMaxUdpPayload) usage("--size too large for one UDP datagram");
  if (o.duration == 0 && o.count == 0) o.duration = 5;
  return o;
}

double monotonic_seconds() {
  timespec ts;
  clock_gettime(CLOCK_MONOTONIC, &ts);
  return static_cast<double>(ts.tv_sec) + static_cast<double>(ts.tv_nsec) * 1e-9;
}

// Sleeps until `deadline` (monotonic seconds): clock_nanosleep for the bulk, then a short busy-wait, because
// the timer slack of a sleep (~50 us) is too coarse for bursts a few tens of microseconds apart.
void wait_until(double deadline) {
  constexpr double kSpin = 150e-6;
  double now = monotonic_seconds();
  if (deadline - now > kSpin) {
    const double wake = deadline - kSpin;
    timespec ts;
    ts.tv_sec = static_cast<time_t>(wake);
    ts.tv_nsec = static_cast<long>((wake - static_cast<double>(ts.tv_sec)) * 1e9);
    while (clock_nanosleep(CLOCK_MONOTONIC, TIMER_ABSTIME, &ts, nullptr) == EINTR && !g_stop.load()) {
    }
  }
  while (monotonic_seconds() < deadline && !g_stop.load(std::memory_order_relaxed)) {
  }
}

class Payloads {
 public:
  Payloads(const Options& o, std::size_t capacity)
      : size_(o.size), framed_(o.framed), wire_(o.size + (o.framed ? lacrimosa::kFrameHeaderSize : 0)),
        bytes_(capacity * wire_) {
    for (std::size_t i = 0; i < bytes_.size(); i++) bytes_[i] = static_cast<std::uint8_t>('a' + i % 26);
  }
  std::size_t wire() const { return wire_; }
  std::uint8_t* datagram(std::size_t i) { return bytes_.data() + i * wire_; }

  // Stamps datagram i with the next sequence number.
  void stamp(std::size_t i) {
    if (static_cast<std::uint32_t>(next_) == lacrimosa::kFrameMagic) next_++;
    std::uint8_t* d = datagram(i);
    std::uint8_t* payload = framed_ ? d + lacrimosa::kFrameHeaderSize : d;
    std::memcpy(payload, &next_, 8);  // x86-64: little-endian
    next_++;
    if (!framed_) return;
    const std::uint32_t magic = lacrimosa::kFrameMagic;
    const std::uint8_t version = lacrimosa::kFrameVersion, flags = 0;
    const std::uint16_t stream = 0;  // the port's stream
    const std::uint32_t node = 0x6c6f6164;  // "load"
    const auto length = static_cast<std::uint32_t>(size_);
    const std::uint64_t hint = 0;
    const std::uint32_t payload_crc = lacrimosa::crc32c(payload, size_);
    std::memcpy(d + 0, &magic, 4);
    d[4] = version;
    d[5] = flags;
    std::memcpy(d + 6, &stream, 2);
    std::memcpy(d + 8, &node, 4);
    std::memcpy(d + 12, &length, 4);
    std::memcpy(d + 16, &hint, 8);
    std::memcpy(d + 24, &payload_crc, 4);
    const std::uint32_t header_crc = lacrimosa::crc32c(d, 28);
    std::memcpy(d + 28, &header_crc, 4);
  }
  // Takes back the numbers of datagrams that were stamped but not sent, so the sequence has no holes.
  void unstamp(std::uint64_t n) { next_ -= n; }

 private:
  std::size_t size_;
  bool framed_;
  std::size_t wire_;
  std::vector<std::uint8_t> bytes_;
  std::uint64_t next_ = 0;
};

}  // namespace

int main(int argc, char** argv) {
  const Options o = parse(argc, argv);

  struct sigaction sa {};
  sa.sa_handler = on_signal;
  sigemptyset(&sa.sa_mask);
  sigaction(SIGINT, &sa, nullptr);
  sigaction(SIGTERM, &sa, nullptr);

  const int fd = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    std::perror("cz-loadgen: socket");
    return 1;
  }
  const int sndbuf = 4 << 20;
  if (setsockopt(fd, SOL_SOCKET, SO_SNDBUFFORCE, &sndbuf, sizeof sndbuf) != 0) {
    setsockopt(fd, SOL_SOCKET, SO_SNDBUF, &sndbuf, sizeof sndbuf);
  }
  sockaddr_in to{};
  to.sin_family = AF_INET;
  to.sin_port = htons(o.port);
  to.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  if (connect(fd, reinterpret_cast<sockaddr*>(&to), sizeof to) != 0) {
    std::perror("cz-loadgen: connect");
    return 1;
  }

  const std::size_t wire = o.size + (o.framed ? lacrimosa::kFrameHeaderSize : 0);
  // Datagrams per message: 1 without GSO; with GSO as many equal segments as fit one UDP datagram (≤ 64).
  unsigned max_segments = 1;
  if (o.gso) {
    max_segments = static_cast<unsigned>(std::min<std::size_t>(kMaxSegments, kMaxUdpPayload / wire));
    if (max_segments < 2) {
      std::fprintf(stderr, "cz-loadgen: --size %zu is too large for GSO; sending without it\n", o.size);
      max_segments = 1;
    }
  }
  // Datagrams per send call: flat out, as many as one sendmmsg of 8 GSO messages (or 64 plain ones) carries;
  // paced, about 100 us worth of datagrams so the receiver sees small bursts rather than one large one.
  unsigned burst = o.burst;
  if (burst == 0) {
    burst = o.rate > 0 ? static_cast<unsigned>(std::clamp(o.rate * 100e-6, 1.0, 64.0))
                       : (max_segments > 1 ? max_segments * kMaxMessagesPerCall : 64);
  }
  const unsigned segments = std::min(burst, max_segments);
  const unsigned max_messages = (burst + segments - 1) / segments;
  burst = std::min(burst, segments * max_messages);
  if (segments > 1) {
    const int gso_size = static_cast<int>(wire);
    if (setsockopt(fd, SOL_UDP, UDP_SEGMENT, &gso_size, sizeof gso_size) != 0) {
      std::perror("cz-loadgen: setsockopt(UDP_SEGMENT) (kernel without UDP GSO?)");
      return 1;
    }
  }

  Payloads payloads(o, static_cast<std::size_t>(segments) * max_messages);
  std::vector<iovec> vectors(max_messages);
  std::vector<mmsghdr> messages(max_messages);

  std::uint64_t sent = 0, attempted = 0, errors = 0, consecutive_errors = 0;
  // Paced mode: how far the sender fell behind its schedule at worst, and the datagrams it skipped rather than
  // send a catch-up burst (a stalled sender must not turn "200 000/s" into a flat-out burst).
  double max_lag = 0;
  std::uint64_t skipped = 0;
  const double start = monotonic_seconds();
  double end = start;
  while (!g_stop.load(std::memory_order_relaxed)) {
    if (o.count != 0 && sent >= o.count) break;
    double now = monotonic_seconds();
    if (o.duration > 0 && now - start >= o.duration) break;
    if (o.rate > 0) {
      double due = start + static_cast<double>(attempted + skipped) / o.rate;
      max_lag = std::max(max_lag, now - due);
      if (now - due > kMaxCatchUp) {
        const auto behind = static_cast<std::uint64_t>((now - due) * o.rate);
        skipped += behind;
        due += static_cast<double>(behind) / o.rate;
      }
      if (now < due) {
        wait_until(due);
        if (g_stop.load(std::memory_order_relaxed)) break;
      }
    }
    std::uint64_t want = burst;
    if (o.count != 0) want = std::min<std::uint64_t>(want, o.count - sent);
    // Whole messages of `segments` datagrams, plus one shorter message for the rest (allowed for GSO: the last
    // segment may be shorter, here it is simply a message with fewer segments).
    unsigned n_messages = 0;
    std::uint64_t stamped = 0;
    while (stamped < want) {
      const auto in_message = static_cast<unsigned>(std::min<std::uint64_t>(segments, want - stamped));
      for (unsigned s = 0; s < in_message; s++) payloads.stamp(stamped + s);
      vectors[n_messages] = {payloads.datagram(stamped), in_message * wire};
      messages[n_messages] = {};
      messages[n_messages].msg_hdr.msg_iov = &vectors[n_messages];
      messages[n_messages].msg_hdr.msg_iovlen = 1;
      n_messages++;
      stamped += in_message;
    }
    attempted += stamped;
    const int r = sendmmsg(fd, messages.data(), n_messages, 0);
    std::uint64_t accepted = 0;
    if (r > 0) {
      for (int m = 0; m < r; m++) accepted += vectors[m].iov_len / wire;
    }
    if (r < 0 || static_cast<unsigned>(r) < n_messages) {
      // A failed call (or the failing message after a partial one) is an error; its datagrams were not sent.
      if (r < 0 && ++consecutive_errors > 1000000) {
        std::perror("cz-loadgen: sendmmsg failed a million times in a row; last error");
        break;
      }
      errors++;
      if (r < 0 && errno != EINTR) sched_yield();
    } else {
      consecutive_errors = 0;
    }
    payloads.unstamp(stamped - accepted);
    sent += accepted;
    end = monotonic_seconds();
  }
  close(fd);

  const double seconds = end - start;
  std::printf("{\"sent\":%llu,\"seconds\":%.6f,\"rate\":%.1f,\"errors\":%llu",
              static_cast<unsigned long long>(sent), seconds, seconds > 0 ? static_cast<double>(sent) / seconds : 0.0,
              static_cast<unsigned long long>(errors));
  rusage usage{};
  getrusage(RUSAGE_SELF, &usage);
  const auto cpu = [](const timeval& t) { return static_cast<double>(t.tv_sec) + static_cast<double>(t.tv_usec) * 1e-6; };
  std::printf(",\"cpuSeconds\":%.3f", cpu(usage.ru_utime) + cpu(usage.ru_stime));
  if (o.rate > 0) {
    std::printf(",\"maxLagMs\":%.3f,\"skipped\":%llu", max_lag * 1e3, static_cast<unsigned long long>(skipped));
  }
  std::printf("}\n");
  return 0;
}
