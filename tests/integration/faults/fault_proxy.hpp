#pragma once
// A fault-injecting TCP proxy for the fault tests: it listens on 127.0.0.1 (an ephemeral port)
// and relays every connection to a real service, so that a test can make that service slow,
// failing or gone at a chosen moment without touching the shared service itself.
//
// It relays bytes, so it serves HTTP (MLflow, the Pushgateway, the LLM, Slack) and the MongoDB
// wire protocol (FerretDB) alike. To count and target requests it frames the client's bytes
// (wire_framing.hpp):
//   - http: a request line + headers + Content-Length (or chunked) body; its label is
//     "METHOD /path?query" (e.g. "GET /api/2.0/mlflow/registered-models/alias?name=...").
//   - mongo: a wire message (int32 length prefix, https://www.mongodb.com/docs/manual/reference/
//     mongodb-wire-protocol/); its label is the command name and, when the command's value is a
//     string, the collection (OP_MSG "find specialist_feedback", OP_QUERY "isMaster").
// Responses from the service are relayed unparsed.
//
// Faults, switchable at any time from the test's thread (each applies to requests that arrive
// after the call):
//   pass_through()             relay everything (the initial mode); clears every fault below
//   delay(d)                   hold each request d before relaying it: a slow service
//   answer_http(...)           answer matching requests itself (e.g. 429 + Retry-After, 503) for
//                              the next K of them, then relay again
//   blackhole()                accept connections, read requests, never answer
//   cut_connections()          close every open connection now (FIN to both sides)
//   refuse() / listen_again()  close the listener (connections refused, as with a stopped
//                              service) / listen again on the same port
//   cut_on(match, nth)         when the nth request whose label contains `match` arrives: drop
//                              it, cut every connection and refuse from then on — the service
//                              "dies" exactly at that step of a run
//
// Threads: one acceptor and one per connection, all joined by the destructor (RAII; sockets are
// closed by the thread that owns them).

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <memory>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>
#include <thread>
#include <utility>
#include <vector>

namespace mm::test {

class FaultProxy {
public:
  enum class Protocol { http, mongo };
  using Clock = std::chrono::steady_clock;

  struct Request {
    std::string label;
    Clock::time_point at;
    // relayed to the service; false when the proxy answered, dropped or cut on it
    bool relayed = false;
  };

  // Starts listening at once; throws std::runtime_error when it cannot.
  FaultProxy(std::string target_host, int target_port, Protocol protocol);
  ~FaultProxy();
  FaultProxy(const FaultProxy&) = delete;
  FaultProxy& operator=(const FaultProxy&) = delete;
  FaultProxy(FaultProxy&&) = delete;
  FaultProxy& operator=(FaultProxy&&) = delete;

  int port() const noexcept { return m_port; }
  // "127.0.0.1:<port>"
  std::string address() const;
  // "http://127.0.0.1:<port>"
  std::string http_url() const;

  void pass_through();
  void delay(std::chrono::milliseconds d);
  // times < 0: every matching request from now on. match "" matches every request.
  void answer_http(int status, std::vector<std::pair<std::string, std::string>> headers,
                   std::string body, int times, std::string match = "");
  void blackhole();
  void cut_connections();
  void refuse();
  void listen_again();
  void cut_on(std::string match, int nth = 1);

  // Every request seen, in arrival order.
  std::vector<Request> requests() const;
  // Requests whose label contains `match` ("" counts all).
  int request_count(std::string_view match = "") const;
  // Connections accepted (those refused while refusing are not counted).
  int connection_count() const;
  // Polls until request_count(match) >= n or the timeout passes; returns whether it got there.
  bool wait_for_requests(int n, std::chrono::milliseconds timeout,
                         std::string_view match = "") const;
  // True once a cut_on() tripped.
  bool tripped() const;

private:
  struct Connection;
  enum class Action { relay, answer, drop, trip };
  struct Decision {
    Action action = Action::relay;
    std::chrono::milliseconds delay{0};
    std::string answer;
  };

  void accept_loop();
  void serve(const std::shared_ptr<Connection>& conn);
  Decision decide(const std::string& label);
  void shutdown_all_locked();
  void trip();
  void command_acceptor(char command, bool refusing);
  void send_command_locked(char command);
  int open_listener();
  int connect_target() const;

  const std::string m_target_host;
  const int m_target_port;
  const Protocol m_protocol;
  int m_port = 0;

  // Wakes every thread for good (stop); only written to by the destructor.
  int m_stop_pipe[2] = {-1, -1};
  // Commands to the acceptor thread: 'c' close the listener, 'o' open it again.
  int m_command_pipe[2] = {-1, -1};
  int m_listen_fd = -1; // owned by the acceptor thread once it runs

  mutable std::mutex m_mutex;
  std::condition_variable m_listener_changed;
  std::uint64_t m_commands_sent = 0; // to the acceptor, under m_mutex
  std::uint64_t m_commands_done = 0;
  std::string m_listener_error; // why the listener could not be opened again
  bool m_refusing = false;
  bool m_tripped = false;
  std::chrono::milliseconds m_delay{0};
  bool m_blackhole = false;
  struct Answer {
    std::string bytes;
    int remaining = 0; // < 0: forever
    std::string match;
  };
  std::optional<Answer> m_answer;
  struct Trip {
    std::string match;
    int remaining = 1;
  };
  std::optional<Trip> m_trip;
  std::vector<Request> m_requests;
  int m_connections = 0;
  std::vector<std::weak_ptr<Connection>> m_live;
  std::vector<std::thread> m_threads;

  std::thread m_acceptor;
};

} // namespace mm::test
