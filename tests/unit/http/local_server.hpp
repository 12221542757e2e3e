#pragma once
// Real HTTP servers for tests, bound to 127.0.0.1 on an ephemeral port (as prometheus-cpp's
// tests do): cpp-httplib for well-formed answers, a raw TCP socket for malformed ones, and a
// port that is known to be closed.

#include <httplib.h>

#include <netinet/in.h>
#include <sys/socket.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <functional>
#include <stdexcept>
#include <string>
#include <thread>

namespace mm::test {

// An httplib::Server listening on 127.0.0.1:<ephemeral> in a thread, stopped on destruction.
// Register handlers on server() before the first request reaches it.
class LocalServer {
public:
  LocalServer() {
    m_port = m_server.bind_to_any_port("127.0.0.1");
    if (m_port <= 0) {
      throw std::runtime_error("cannot bind a test HTTP server to 127.0.0.1");
    }
    m_thread = std::thread([this] { m_server.listen_after_bind(); });
  }
  ~LocalServer() {
    m_stopping = true;
    // stop() before listen_after_bind has started would be lost; wait for it (bounded).
    for (int i = 0; i < 2000 && !m_server.is_running(); ++i) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    }
    m_server.stop();
    m_thread.join();
  }
  LocalServer(const LocalServer&) = delete;
  LocalServer& operator=(const LocalServer&) = delete;

  httplib::Server& server() { return m_server; }
  int port() const { return m_port; }
  std::string url(const std::string& path = "") const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }
  // For slow handlers: sleep up to `total`, returning early once the server is being stopped.
  void slow_sleep(std::chrono::milliseconds total) const {
    const auto until = std::chrono::steady_clock::now() + total;
    while (!m_stopping && std::chrono::steady_clock::now() < until) {
      std::this_thread::sleep_for(std::chrono::milliseconds(10));
    }
  }

private:
  httplib::Server m_server;
  int m_port = 0;
  std::atomic<bool> m_stopping{false};
  std::thread m_thread;
};

// Owns a socket descriptor.
class Fd {
public:
  explicit Fd(int fd = -1) : m_fd(fd) {}
  ~Fd() {
    if (m_fd >= 0) {
      ::close(m_fd);
    }
  }
  Fd(Fd&& other) noexcept : m_fd(other.m_fd) { other.m_fd = -1; }
  Fd& operator=(Fd&&) = delete;
  Fd(const Fd&) = delete;
  Fd& operator=(const Fd&) = delete;
  int get() const { return m_fd; }

private:
  int m_fd;
};

inline int bound_port(int fd) {
  sockaddr_in addr{};
  socklen_t len = sizeof addr;
  if (::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
    throw std::runtime_error("getsockname failed");
  }
  return ntohs(addr.sin_port);
}

inline Fd bound_loopback_socket() {
  Fd fd(::socket(AF_INET, SOCK_STREAM, 0));
  if (fd.get() < 0) {
    throw std::runtime_error("socket failed");
  }
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  if (::bind(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0) {
    throw std::runtime_error("bind on 127.0.0.1 failed");
  }
  return fd;
}

// A port on 127.0.0.1 that nothing listens on: bound then released (connect gets refused).
inline int closed_port() {
  const Fd fd = bound_loopback_socket();
  return bound_port(fd.get());
}

// Accepts connections on 127.0.0.1:<ephemeral> and answers each with `reply` verbatim (after
// reading the request), then closes: for malformed or empty HTTP answers httplib cannot produce.
class RawServer {
public:
  explicit RawServer(std::string reply)
      : m_reply(std::move(reply)), m_fd(bound_loopback_socket()), m_port(bound_port(m_fd.get())) {
    if (::listen(m_fd.get(), 8) != 0) {
      throw std::runtime_error("listen on 127.0.0.1 failed");
    }
    m_thread = std::thread([this] { serve(); });
  }
  ~RawServer() {
    m_stopping = true;
    ::shutdown(m_fd.get(), SHUT_RDWR); // wakes accept()
    m_thread.join();
  }
  RawServer(const RawServer&) = delete;
  RawServer& operator=(const RawServer&) = delete;

  std::string url(const std::string& path = "/") const {
    return "http://127.0.0.1:" + std::to_string(m_port) + path;
  }
  int connections() const { return m_connections; }

private:
  void serve() {
    while (!m_stopping) {
      const int c = ::accept(m_fd.get(), nullptr, nullptr);
      if (c < 0) {
        return;
      }
      Fd conn(c);
      ++m_connections;
      char buf[4096];
      (void)::recv(conn.get(), buf, sizeof buf, 0);
      if (!m_reply.empty()) {
        (void)::send(conn.get(), m_reply.data(), m_reply.size(), MSG_NOSIGNAL);
      }
    }
  }

  std::string m_reply;
  Fd m_fd;
  int m_port;
  std::atomic<bool> m_stopping{false};
  std::atomic<int> m_connections{0};
  std::thread m_thread;
};

} // namespace mm::test
