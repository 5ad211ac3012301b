#include "net.h"

#include <arpa/inet.h>
#include <netinet/in.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

#include "crc32c.h"

namespace lacrimosa {
namespace {

bool bind_one(const std::string& host, std::uint16_t port, std::uint16_t stream_id, int receive_buffer_bytes,
              Listener& out, std::string& error) {
  sockaddr_storage storage{};
  socklen_t length = 0;
  bool ipv6 = false;
  auto* v4 = reinterpret_cast<sockaddr_in*>(&storage);
  auto* v6 = reinterpret_cast<sockaddr_in6*>(&storage);
  if (inet_pton(AF_INET, host.c_str(), &v4->sin_addr) == 1) {
    v4->sin_family = AF_INET;
    v4->sin_port = htons(port);
    length = sizeof(sockaddr_in);
  } else if (inet_pton(AF_INET6, host.c_str(), &v6->sin6_addr) == 1) {
    v6->sin6_family = AF_INET6;
    v6->sin6_port = htons(port);
    length = sizeof(sockaddr_in6);
    ipv6 = true;
  } else {
    error = "\"" + host + "\" is not an IPv4 or IPv6 address";
    return false;
  }
  const int fd = socket(ipv6 ? AF_INET6 : AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    error = std::string("cannot create a UDP socket: ") + std::strerror(errno);
    return false;
  }
  const int on = 1;
  if (ipv6) setsockopt(fd, IPPROTO_IPV6, IPV6_V6ONLY, &on, sizeof on);
  setsockopt(fd, SOL_SOCKET, SO_RXQ_OVFL, &on, sizeof on);
  if (receive_buffer_bytes > 0) {
    // SO_RCVBUFFORCE passes the rmem_max cap when we are privileged; otherwise the capped request stands.
    if (setsockopt(fd, SOL_SOCKET, SO_RCVBUFFORCE, &receive_buffer_bytes, sizeof receive_buffer_bytes) != 0) {
      setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &receive_buffer_bytes, sizeof receive_buffer_bytes);
    }
  }
  if (bind(fd, reinterpret_cast<sockaddr*>(&storage), length) != 0) {
    const int err = errno;
    ::close(fd);
    const std::string where = (ipv6 ? "[" + host + "]" : host) + ":" + std::to_string(port);
    error = "cannot listen on udp " + where + ": " + std::strerror(err) +
            (err == EADDRINUSE ? " (another process holds the port; pick another with --listen PORT=STREAM)" : "");
    return false;
  }
  sockaddr_storage bound{};
  socklen_t bound_length = sizeof bound;
  getsockname(fd, reinterpret_cast<sockaddr*>(&bound), &bound_length);
  out.fd = fd;
  out.host = host;
  out.port = ntohs(ipv6 ? reinterpret_cast<sockaddr_in6*>(&bound)->sin6_port
                        : reinterpret_cast<sockaddr_in*>(&bound)->sin_port);
  out.stream_id = stream_id;
  out.ipv6 = ipv6;
  return true;
}

}  // namespace

bool bind_listeners(const std::vector<ListenConfig>& configs, int receive_buffer_bytes, std::vector<Listener>& out,
                    std::string& error) {
  for (const ListenConfig& config : configs) {
    if (!config.host.empty()) {
      Listener listener;
      if (!bind_one(config.host, config.port, config.stream_id, receive_buffer_bytes, listener, error)) {
        close_listeners(out);
        return false;
      }
      out.push_back(listener);
      continue;
    }
    Listener v4;
    if (!bind_one("127.0.0.1", config.port, config.stream_id, receive_buffer_bytes, v4, error)) {
      close_listeners(out);
      return false;
    }
    out.push_back(v4);
    // The IPv6 loopback on the same port number; skipped quietly where IPv6 is unavailable or the port is taken.
    Listener v6;
    std::string ignored;
    if (bind_one("::1", v4.port, config.stream_id, receive_buffer_bytes, v6, ignored)) out.push_back(v6);
  }
  return true;
}

void close_listeners(std::vector<Listener>& listeners) {
  for (Listener& l : listeners) {
    if (l.fd >= 0) ::close(l.fd);
    l.fd = -1;
  }
  listeners.clear();
}

SourceIdentity node_id_of(const sockaddr* address, socklen_t length) {
  if (address->sa_family == AF_INET && length >= static_cast<socklen_t>(sizeof(sockaddr_in))) {
    return {ntohl(reinterpret_cast<const sockaddr_in*>(address)->sin_addr.s_addr), false};
  }
  if (address->sa_family == AF_INET6 && length >= static_cast<socklen_t>(sizeof(sockaddr_in6))) {
    const in6_addr& a = reinterpret_cast<const sockaddr_in6*>(address)->sin6_addr;
    if (IN6_IS_ADDR_V4MAPPED(&a)) {
      std::uint32_t v4;
      std::memcpy(&v4, a.s6_addr + 12, 4);
      return {ntohl(v4), false};
    }
    return {crc32c(a.s6_addr, 16), true};
  }
  return {0, false};
}

bool kernel_drops_of(const void* control, std::size_t control_length, std::uint32_t& drops) {
  msghdr message{};
  message.msg_control = const_cast<void*>(control);
  message.msg_controllen = control_length;
  for (cmsghdr* c = CMSG_FIRSTHDR(&message); c != nullptr; c = CMSG_NXTHDR(&message, c)) {
    if (c->cmsg_level == SOL_SOCKET && c->cmsg_type == SO_RXQ_OVFL) {
      std::memcpy(&drops, CMSG_DATA(c), sizeof drops);
      return true;
    }
  }
  return false;
}

}  // namespace lacrimosa
