// Message I/O limits: the client takes every descriptor a reply may carry
// (kMaxReplyFds), the daemon refuses more than kMaxReceiveFds but still hands
// all of them back (to be closed where that cannot block).
#include "socket_io.h"

#include <gtest/gtest.h>
#include <sys/socket.h>

#include "pqbpf/daemon/protocol.h"

namespace pqbpf::daemon::internal {
namespace {

struct Pair {
  UniqueFd a, b;
  Pair() {
    int fds[2];
    if (::socketpair(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0, fds) == 0) {
      a.reset(fds[0]);
      b.reset(fds[1]);
    }
  }
};

TEST(SocketIo, ReceiveTakesAsManyDescriptorsAsAReplyMayCarry) {
  Pair p;
  ASSERT_TRUE(p.a.valid());
  const std::vector<int> fds(kMaxReplyFds, p.a.get());
  ASSERT_TRUE(send_message(p.a.get(), "reply", fds, true).ok());
  auto got = receive_message(p.b.get(), kMaxReplySize, true, kMaxReplyFds);
  ASSERT_TRUE(got.ok()) << got.error().message;
  EXPECT_FALSE(got->refused);
  EXPECT_EQ(got->fds.size(), kMaxReplyFds);
}

TEST(SocketIo, MoreDescriptorsThanAllowedAreRefusedAndAllHandedBack) {
  Pair p;
  ASSERT_TRUE(p.a.valid());
  const std::vector<int> fds(kMaxReceiveFds + 4, p.a.get());
  ASSERT_TRUE(send_message(p.a.get(), "request", fds, true).ok());
  auto got = receive_message(p.b.get(), 1024, true);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(got->refused);
  EXPECT_EQ(got->refused->code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(got->fds.size(), kMaxReceiveFds + 4) << "none closed by the kernel in the receiving thread";
}

TEST(SocketIo, OversizedMessageIsRefusedWithItsDescriptors) {
  Pair p;
  ASSERT_TRUE(p.a.valid());
  const std::string big(2048, 'x');
  ASSERT_TRUE(send_message(p.a.get(), big, std::vector<int>{p.a.get()}, true).ok());
  auto got = receive_message(p.b.get(), 1024, true);
  ASSERT_TRUE(got.ok()) << got.error().message;
  ASSERT_TRUE(got->refused);
  EXPECT_EQ(got->fds.size(), 1u);
}

}  // namespace
}  // namespace pqbpf::daemon::internal
