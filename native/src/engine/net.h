// UDP listening sockets: parsing listen specs, binding with SO_RCVBUF and SO_RXQ_OVFL, and deriving a node id
// from a datagram's source address (docs/wire-format.md).
#pragma once

#include <sys/socket.h>

#include <cstdint>
#include <string>
#include <vector>

namespace lacrimosa {

struct ListenConfig {
  std::string host;  // "127.0.0.1", "::1", ... ; empty: both loopbacks (IPv6 when available)
  std::uint16_t port = 0;
  std::string stream_name = "default";
  std::uint16_t stream_id = 0;  // resolved from stream_name when the journal is open
};

struct Listener {
  int fd = -1;
  std::string host;
  std::uint16_t port = 0;  // the bound port (resolves port 0)
  std::uint16_t stream_id = 0;
  bool ipv6 = false;
  std::uint32_t kernel_drops_seen = 0;
};

// Binds every listen config. Returns false with `error` set (and nothing left open) on failure.
bool bind_listeners(const std::vector<ListenConfig>& configs, int receive_buffer_bytes, std::vector<Listener>& out,
                    std::string& error);
void close_listeners(std::vector<Listener>& listeners);

struct SourceIdentity {
  std::uint32_t node_id;
  bool ipv6;
};

SourceIdentity node_id_of(const sockaddr* address, socklen_t length);

// Space for one SO_RXQ_OVFL control message.
inline constexpr std::size_t kControlSpace = 64;

// Reads the cumulative kernel drop count from a received message's control data, if present.
bool kernel_drops_of(const void* control, std::size_t control_length, std::uint32_t& drops);

}  // namespace lacrimosa
