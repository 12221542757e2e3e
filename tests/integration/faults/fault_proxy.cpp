#include "integration/faults/fault_proxy.hpp"

#include "integration/faults/wire_framing.hpp"

#include <algorithm>
#include <array>
#include <cerrno>
#include <cstring>
#include <deque>
#include <stdexcept>
#include <utility>

#include <arpa/inet.h>
#include <fcntl.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <sys/socket.h>
#include <unistd.h>

namespace mm::test {

namespace {

using Millis = std::chrono::milliseconds;

[[noreturn]] void throw_errno(const std::string& what) {
  throw std::runtime_error("fault proxy: " + what + ": " + std::strerror(errno));
}

void close_fd(int& fd) noexcept {
  if (fd >= 0) {
    ::close(fd);
    fd = -1;
  }
}

bool write_all(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::send(fd, data.data(), data.size(), MSG_NOSIGNAL);
    if (n < 0) {
      if (errno == EINTR) {
        continue;
      }
      return false;
    }
    data.remove_prefix(static_cast<std::size_t>(n));
  }
  return true;
}

} // namespace

// Sockets of one relayed connection. The fds are closed only by the connection's own thread,
// under the proxy's mutex, so that cut_connections() never shuts down a recycled fd.
struct FaultProxy::Connection {
  int client = -1;
  int upstream = -1;
};

FaultProxy::FaultProxy(std::string target_host, int target_port, Protocol protocol)
    : m_target_host(std::move(target_host)), m_target_port(target_port), m_protocol(protocol) {
  if (::pipe2(m_stop_pipe, O_CLOEXEC) != 0 || ::pipe2(m_command_pipe, O_CLOEXEC) != 0) {
    throw_errno("pipe2");
  }
  m_listen_fd = open_listener();
  m_acceptor = std::thread([this] { accept_loop(); });
}

FaultProxy::~FaultProxy() {
  const char byte = 's';
  (void)!::write(m_stop_pipe[1], &byte, 1);
  {
    std::lock_guard lock(m_mutex);
    shutdown_all_locked();
  }
  if (m_acceptor.joinable()) {
    m_acceptor.join();
  }
  // The acceptor is gone: no thread is added any more.
  for (auto& t : m_threads) {
    if (t.joinable()) {
      t.join();
    }
  }
  close_fd(m_listen_fd);
  for (int* fds : {m_stop_pipe, m_command_pipe}) {
    close_fd(fds[0]);
    close_fd(fds[1]);
  }
}

int FaultProxy::open_listener() {
  const int fd = ::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);
  if (fd < 0) {
    throw_errno("socket");
  }
  const int one = 1;
  ::setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof one);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(m_port)); // 0 the first time: ephemeral
  if (::bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) != 0 || ::listen(fd, 64) != 0) {
    const int saved = errno;
    ::close(fd);
    errno = saved;
    throw_errno("bind/listen on 127.0.0.1:" + std::to_string(m_port));
  }
  socklen_t len = sizeof addr;
  ::getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  m_port = ntohs(addr.sin_port);
  return fd;
}

int FaultProxy::connect_target() const {
  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (::getaddrinfo(m_target_host.c_str(), std::to_string(m_target_port).c_str(), &hints, &found) !=
      0) {
    return -1;
  }
  std::unique_ptr<addrinfo, decltype(&::freeaddrinfo)> owned(found, &::freeaddrinfo);
  for (addrinfo* ai = found; ai != nullptr; ai = ai->ai_next) {
    const int fd = ::socket(ai->ai_family, ai->ai_socktype | SOCK_CLOEXEC, ai->ai_protocol);
    if (fd < 0) {
      continue;
    }
    if (::connect(fd, ai->ai_addr, ai->ai_addrlen) == 0) {
      const int one = 1;
      ::setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      return fd;
    }
    ::close(fd);
  }
  return -1;
}

std::string FaultProxy::address() const {
  return "127.0.0.1:" + std::to_string(m_port);
}

std::string FaultProxy::http_url() const {
  return "http://" + address();
}

void FaultProxy::pass_through() {
  std::lock_guard lock(m_mutex);
  m_delay = Millis{0};
  m_blackhole = false;
  m_answer.reset();
  m_trip.reset();
}

void FaultProxy::delay(std::chrono::milliseconds d) {
  std::lock_guard lock(m_mutex);
  m_delay = d;
}

void FaultProxy::answer_http(int status, std::vector<std::pair<std::string, std::string>> headers,
                             std::string body, int times, std::string match) {
  std::string bytes = wire::http_response(status, headers, body);
  std::lock_guard lock(m_mutex);
  m_answer = Answer{std::move(bytes), times, std::move(match)};
}

void FaultProxy::blackhole() {
  std::lock_guard lock(m_mutex);
  m_blackhole = true;
}

void FaultProxy::cut_connections() {
  std::lock_guard lock(m_mutex);
  shutdown_all_locked();
}

void FaultProxy::shutdown_all_locked() {
  for (const auto& weak : m_live) {
    if (auto conn = weak.lock()) {
      if (conn->client >= 0) {
        ::shutdown(conn->client, SHUT_RDWR);
      }
      if (conn->upstream >= 0) {
        ::shutdown(conn->upstream, SHUT_RDWR);
      }
    }
  }
}

void FaultProxy::send_command_locked(char command) {
  ++m_commands_sent;
  (void)!::write(m_command_pipe[1], &command, 1);
}

void FaultProxy::command_acceptor(char command, bool refusing) {
  std::unique_lock lock(m_mutex);
  m_refusing = refusing;
  send_command_locked(command);
  // Every command sent so far (a trip's too) has been carried out: the listener is in the
  // state asked for when this returns.
  const std::uint64_t mine = m_commands_sent;
  m_listener_changed.wait(lock, [&] { return m_commands_done >= mine; });
  if (!m_listener_error.empty()) {
    throw std::runtime_error(std::exchange(m_listener_error, {}));
  }
}

void FaultProxy::refuse() {
  command_acceptor('c', /*refusing=*/true);
}

void FaultProxy::listen_again() {
  command_acceptor('o', /*refusing=*/false);
}

void FaultProxy::cut_on(std::string match, int nth) {
  std::lock_guard lock(m_mutex);
  m_trip = Trip{std::move(match), nth};
}

void FaultProxy::trip() {
  std::lock_guard lock(m_mutex);
  m_tripped = true;
  m_refusing = true;
  send_command_locked('c');
  shutdown_all_locked();
}

std::vector<FaultProxy::Request> FaultProxy::requests() const {
  std::lock_guard lock(m_mutex);
  return m_requests;
}

int FaultProxy::request_count(std::string_view match) const {
  std::lock_guard lock(m_mutex);
  return static_cast<int>(std::count_if(m_requests.begin(), m_requests.end(), [&](const auto& r) {
    return r.label.find(match) != std::string::npos;
  }));
}

int FaultProxy::connection_count() const {
  std::lock_guard lock(m_mutex);
  return m_connections;
}

bool FaultProxy::wait_for_requests(int n, std::chrono::milliseconds timeout,
                                   std::string_view match) const {
  const auto deadline = Clock::now() + timeout;
  while (request_count(match) < n) {
    if (Clock::now() >= deadline) {
      return false;
    }
    std::this_thread::sleep_for(Millis{10}); // polling a condition, bounded by the deadline
  }
  return true;
}

bool FaultProxy::tripped() const {
  std::lock_guard lock(m_mutex);
  return m_tripped;
}

FaultProxy::Decision FaultProxy::decide(const std::string& label) {
  std::lock_guard lock(m_mutex);
  Request request{label, Clock::now(), false};
  Decision d;
  if (m_trip && label.find(m_trip->match) != std::string::npos && --m_trip->remaining <= 0) {
    m_trip.reset();
    d.action = Action::trip;
  } else if (m_blackhole) {
    d.action = Action::drop;
  } else if (m_answer && m_answer->remaining != 0 &&
             label.find(m_answer->match) != std::string::npos) {
    d.action = Action::answer;
    d.answer = m_answer->bytes;
    if (m_answer->remaining > 0) {
      --m_answer->remaining;
    }
  } else {
    d.action = Action::relay;
    d.delay = m_delay;
    request.relayed = true;
  }
  m_requests.push_back(std::move(request));
  return d;
}

void FaultProxy::accept_loop() {
  while (true) {
    std::array<pollfd, 3> fds{pollfd{m_stop_pipe[0], POLLIN, 0},
                              pollfd{m_command_pipe[0], POLLIN, 0}, pollfd{m_listen_fd, POLLIN, 0}};
    const nfds_t count = m_listen_fd >= 0 ? 3 : 2;
    if (::poll(fds.data(), count, -1) < 0) {
      if (errno == EINTR) {
        continue;
      }
      return;
    }
    if (fds[0].revents != 0) {
      return;
    }
    if (fds[1].revents != 0) {
      char command = 0;
      if (::read(m_command_pipe[0], &command, 1) == 1) {
        std::lock_guard lock(m_mutex);
        if (command == 'c' && m_listen_fd >= 0) {
          close_fd(m_listen_fd); // new connections are refused by the kernel from now on
        } else if (command == 'o' && m_listen_fd < 0) {
          try {
            m_listen_fd = open_listener(); // same port (SO_REUSEADDR)
          } catch (const std::runtime_error& e) {
            m_listener_error = e.what();
          }
        }
        ++m_commands_done;
        m_listener_changed.notify_all();
      }
      continue;
    }
    if (count == 3 && (fds[2].revents & POLLIN) != 0) {
      const int client = ::accept4(m_listen_fd, nullptr, nullptr, SOCK_CLOEXEC);
      if (client < 0) {
        continue;
      }
      std::lock_guard lock(m_mutex);
      if (m_refusing) {
        ::close(client); // accepted before the listener closed: as good as refused
        continue;
      }
      const int one = 1;
      ::setsockopt(client, IPPROTO_TCP, TCP_NODELAY, &one, sizeof one);
      auto conn = std::make_shared<Connection>();
      conn->client = client;
      ++m_connections;
      m_live.erase(
          std::remove_if(m_live.begin(), m_live.end(), [](const auto& w) { return w.expired(); }),
          m_live.end());
      m_live.push_back(conn);
      m_threads.emplace_back([this, conn] { serve(conn); });
    }
  }
}

void FaultProxy::serve(const std::shared_ptr<Connection>& conn) {
  struct Pending {
    Clock::time_point due;
    std::string bytes;
  };
  std::deque<Pending> pending;
  std::string from_client;
  std::array<char, 65536> buf{};
  bool done = false;
  while (!done) {
    int timeout_ms = -1;
    if (!pending.empty()) {
      const auto wait =
          std::chrono::duration_cast<Millis>(pending.front().due - Clock::now()).count();
      timeout_ms = static_cast<int>(std::max<long long>(0, wait));
    }
    std::array<pollfd, 3> fds{pollfd{m_stop_pipe[0], POLLIN, 0}, pollfd{conn->client, POLLIN, 0},
                              pollfd{conn->upstream, POLLIN, 0}};
    const nfds_t count = conn->upstream >= 0 ? 3 : 2;
    if (::poll(fds.data(), count, timeout_ms) < 0) {
      if (errno == EINTR) {
        continue;
      }
      break;
    }
    if (fds[0].revents != 0) {
      break;
    }
    if (fds[1].revents != 0) {
      const ssize_t n = ::recv(conn->client, buf.data(), buf.size(), 0);
      if (n <= 0) {
        break;
      }
      from_client.append(buf.data(), static_cast<std::size_t>(n));
      while (!done) {
        std::optional<wire::Framed> request;
        try {
          request = m_protocol == Protocol::http ? wire::http_request(from_client)
                                                 : wire::mongo_message(from_client);
        } catch (const std::exception&) {
          done = true; // not the protocol expected: drop the connection
          break;
        }
        if (!request) {
          break;
        }
        std::string bytes = from_client.substr(0, request->size);
        from_client.erase(0, request->size);
        Decision d = decide(request->label);
        switch (d.action) {
        case Action::relay:
          pending.push_back({Clock::now() + d.delay, std::move(bytes)});
          break;
        case Action::answer:
          done = !write_all(conn->client, d.answer);
          break;
        case Action::drop:
          break;
        case Action::trip:
          trip();
          done = true;
          break;
        }
      }
    }
    if (count == 3 && fds[2].revents != 0) {
      const ssize_t n = ::recv(conn->upstream, buf.data(), buf.size(), 0);
      if (n <= 0 ||
          !write_all(conn->client, std::string_view(buf.data(), static_cast<std::size_t>(n)))) {
        break; // the service closed: so does the proxy, towards the client
      }
    }
    while (!done && !pending.empty() && pending.front().due <= Clock::now()) {
      if (conn->upstream < 0) {
        const int fd = connect_target();
        if (fd < 0) {
          done = true; // the service is down: the client sees its connection closed
          break;
        }
        std::lock_guard lock(m_mutex);
        conn->upstream = fd;
      }
      if (!write_all(conn->upstream, pending.front().bytes)) {
        done = true;
        break;
      }
      pending.pop_front();
    }
  }
  std::lock_guard lock(m_mutex);
  close_fd(conn->upstream);
  close_fd(conn->client);
}

} // namespace mm::test
