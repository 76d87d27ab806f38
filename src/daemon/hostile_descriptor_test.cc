// Descriptors a client passes to wedge the daemon: a TCP socket with
// SO_LINGER {1, large} and unsent data blocks the close of its last
// reference for the linger time. The real pqc-bpf-gated binary must keep
// answering `status` and stop on SIGTERM within a bound, whether the socket
// comes with a request, in a refused connection's queue, or hidden in the
// queue of a passed Unix socket (which only the closer thread closes).
#include <netinet/in.h>
#include <sys/socket.h>
#include <sys/un.h>

#include <chrono>

#include "daemon_process_test_util.h"
#include "pqbpf/daemon/protocol.h"

namespace pqbpf::testing {
namespace {

using std::chrono::steady_clock;

// A TCP listener that never accepts or reads, and sockets connected to it
// whose send buffers are full and that linger (about a day) on close.
class LingeringSockets {
 public:
  LingeringSockets() {
    listener_ = UniqueFd(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const int small = 4096;
    ::setsockopt(listener_.get(), SOL_SOCKET, SO_RCVBUF, &small, sizeof(small));
    sockaddr_in addr{};
    addr.sin_family = AF_INET;
    addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
    socklen_t len = sizeof(addr);
    if (::bind(listener_.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0 ||
        ::listen(listener_.get(), 16) != 0 ||
        ::getsockname(listener_.get(), reinterpret_cast<sockaddr*>(&addr), &len) != 0) {
      listener_.reset();
    }
    addr_ = addr;
  }
  bool ok() const { return listener_.valid(); }

  UniqueFd make() const {
    UniqueFd s(::socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0));
    const int small = 4096;
    ::setsockopt(s.get(), SOL_SOCKET, SO_SNDBUF, &small, sizeof(small));
    if (::connect(s.get(), reinterpret_cast<const sockaddr*>(&addr_), sizeof(addr_)) != 0) return UniqueFd();
    std::vector<char> junk(65536, 'x');
    while (::send(s.get(), junk.data(), junk.size(), MSG_DONTWAIT | MSG_NOSIGNAL) > 0) {
    }
    const linger hold{1, 100000};
    ::setsockopt(s.get(), SOL_SOCKET, SO_LINGER, &hold, sizeof(hold));
    return s;
  }

 private:
  UniqueFd listener_;  // closing it resets the peers, releasing any stuck close
  sockaddr_in addr_{};
};

std::vector<std::uint8_t> envelope_memfd_request() {
  daemon::Request r;
  r.op = daemon::Op::kLoad;
  r.flags = daemon::kFlagEnvelopeMemfd | daemon::kFlagReturnFds;
  return daemon::encode_request(r);
}

// Sends `bytes` with `fds` on a fresh connection and returns the connection
// (the reply is not read).
UniqueFd send_with_fds(const std::string& socket_path, std::span<const std::uint8_t> bytes,
                       const std::vector<int>& fds) {
  UniqueFd s(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  sockaddr_un addr{};
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.c_str(), socket_path.size());
  if (::connect(s.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) return UniqueFd();
  std::vector<char> control(CMSG_SPACE(sizeof(int) * fds.size()));
  iovec iov{const_cast<std::uint8_t*>(bytes.data()), bytes.size()};
  msghdr msg{};
  msg.msg_iov = &iov;
  msg.msg_iovlen = 1;
  msg.msg_control = control.data();
  msg.msg_controllen = control.size();
  cmsghdr* c = CMSG_FIRSTHDR(&msg);
  c->cmsg_level = SOL_SOCKET;
  c->cmsg_type = SCM_RIGHTS;
  c->cmsg_len = CMSG_LEN(sizeof(int) * fds.size());
  std::memcpy(CMSG_DATA(c), fds.data(), sizeof(int) * fds.size());
  if (::sendmsg(s.get(), &msg, MSG_NOSIGNAL) < 0) return UniqueFd();
  return s;
}

// One status reply within `bound`, on a new connection.
::testing::AssertionResult answers_status(const std::string& socket_path, std::chrono::milliseconds bound) {
  auto c = gate::GateClient::connect(socket_path, bound);
  if (!c.ok()) return ::testing::AssertionFailure() << c.error().message;
  auto s = c->status();
  if (!s.ok()) return ::testing::AssertionFailure() << "no status reply: " << s.error().message;
  return ::testing::AssertionSuccess();
}

class HostileDescriptorTest : public DaemonProcessTest {
 protected:
  // SIGTERM; the daemon must be gone within `bound`.
  bool stops_within(std::chrono::seconds bound) {
    ::kill(pid_, SIGTERM);
    const auto until = steady_clock::now() + bound;
    while (steady_clock::now() < until) {
      if (::waitpid(pid_, nullptr, WNOHANG) == pid_) {
        pid_ = -1;
        return true;
      }
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
    return false;
  }
};

TEST_F(HostileDescriptorTest, LingeringTcpSocketsPassedWithRequestsBlockNoWorkerNorShutdown) {
  LingeringSockets tcp;
  ASSERT_TRUE(tcp.ok());
  const auto request = envelope_memfd_request();
  // More hostile requests than workers (4), each holding its worker if its
  // close blocked; one with more descriptors than a request may carry.
  std::vector<UniqueFd> connections;
  for (int i = 0; i < 6; ++i) {
    UniqueFd lingering = tcp.make();
    ASSERT_TRUE(lingering.valid());
    const std::vector<int> fds(i == 5 ? 20 : 1, lingering.get());
    connections.push_back(send_with_fds(socket_path(), request, fds));
    ASSERT_TRUE(connections.back().valid());
  }  // our references are gone: the daemon's close is the last
  for (const UniqueFd& c : connections) {
    char buf[4096];
    timeval tv{3, 0};
    ::setsockopt(c.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
    const ssize_t n = ::recv(c.get(), buf, sizeof(buf), 0);
    ASSERT_GT(n, 0) << "no reply to a request carrying a lingering socket";
    const std::string reply(buf, static_cast<std::size_t>(n));
    EXPECT_NE(reply.find("\"ok\":false"), std::string::npos) << reply;
  }
  EXPECT_TRUE(answers_status(socket_path(), std::chrono::seconds(3)));
  const auto st = status();
  EXPECT_GE(st["counters"]["deferred_closes"].get<int>(), 6);
  EXPECT_EQ(st["counters"]["leaked_descriptors"], 0);
  EXPECT_TRUE(stops_within(std::chrono::seconds(5)));
}

TEST_F(HostileDescriptorTest, LingeringSocketInAPassedUnixSocketsQueueLeavesOnlyTheCloserStuck) {
  LingeringSockets tcp;
  ASSERT_TRUE(tcp.ok());
  // A Unix socket whose queue holds a lingering TCP socket: closing it
  // closes that one, which no SO_LINGER of ours can defuse.
  int pair[2];
  ASSERT_EQ(::socketpair(AF_UNIX, SOCK_DGRAM | SOCK_CLOEXEC, 0, pair), 0);
  UniqueFd inner(pair[0]), outer(pair[1]);
  {
    UniqueFd lingering = tcp.make();
    const std::uint8_t byte = 0;
    std::vector<char> control(CMSG_SPACE(sizeof(int)));
    iovec iov{const_cast<std::uint8_t*>(&byte), 1};
    msghdr msg{};
    msg.msg_iov = &iov;
    msg.msg_iovlen = 1;
    msg.msg_control = control.data();
    msg.msg_controllen = control.size();
    cmsghdr* c = CMSG_FIRSTHDR(&msg);
    c->cmsg_level = SOL_SOCKET;
    c->cmsg_type = SCM_RIGHTS;
    c->cmsg_len = CMSG_LEN(sizeof(int));
    const int fd = lingering.get();
    std::memcpy(CMSG_DATA(c), &fd, sizeof(int));
    ASSERT_EQ(::sendmsg(outer.get(), &msg, 0), 1);
  }
  outer.reset();
  UniqueFd conn = send_with_fds(socket_path(), envelope_memfd_request(), {inner.get()});
  ASSERT_TRUE(conn.valid());
  inner.reset();
  EXPECT_TRUE(answers_status(socket_path(), std::chrono::seconds(3)));
  std::this_thread::sleep_for(std::chrono::milliseconds(200));
  EXPECT_TRUE(answers_status(socket_path(), std::chrono::seconds(3)));
  // The closer thread is stuck in that close: SIGTERM must not wait for it.
  EXPECT_TRUE(stops_within(std::chrono::seconds(5)));
}

class RefusedPeerDescriptorTest : public HostileDescriptorTest {
 protected:
  void SetUp() override {
    allowed_uids_ = "4242";  // this test (root) is a refused peer
    HostileDescriptorTest::SetUp();
  }
};

TEST_F(RefusedPeerDescriptorTest, LingeringSocketsQueuedByRefusedPeersDoNotStallTheAcceptLoop) {
  LingeringSockets tcp;
  ASSERT_TRUE(tcp.ok());
  std::vector<UniqueFd> refused;
  for (int i = 0; i < 3; ++i) {
    UniqueFd lingering = tcp.make();
    ASSERT_TRUE(lingering.valid());
    const std::uint8_t magic[] = {'P', 'Q', 'B', 'G'};
    refused.push_back(send_with_fds(socket_path(), magic, {lingering.get()}));
    ASSERT_TRUE(refused.back().valid());
  }
  std::this_thread::sleep_for(std::chrono::milliseconds(300));
  // The loop must still accept and refuse promptly.
  auto c = gate::GateClient::connect(socket_path(), std::chrono::seconds(3));
  ASSERT_TRUE(c.ok()) << c.error().message;
  auto s = c->status();
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.error().code, ErrorCode::kPermission) << s.error().message;
  EXPECT_TRUE(stops_within(std::chrono::seconds(5)));
}

}  // namespace
}  // namespace pqbpf::testing
