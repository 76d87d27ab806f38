// ProbeCache: one kernel program per exact probe request, new descriptors of
// it afterwards, freed with the cache. Loads socket filters into the running
// kernel.
#include "probe_cache.h"

#include <bpf/bpf.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>
#include <vector>

namespace pqbpf::sandbox::internal {
namespace {

// r0 = imm; exit
std::vector<std::uint8_t> return_imm(std::int32_t imm) {
  std::vector<std::uint8_t> insns(16, 0);
  insns[0] = BPF_ALU64 | BPF_MOV | BPF_K;
  std::memcpy(insns.data() + 4, &imm, 4);
  insns[8] = BPF_JMP | BPF_EXIT;
  return insns;
}

OwnLoadRequest socket_filter(const std::vector<std::uint8_t>& insns) {
  OwnLoadRequest r;
  r.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  r.license = "GPL";
  r.insns = insns;
  return r;
}

TEST(ProbeCacheTest, SameRequestSameProgramNewDescriptor) {
  const auto zero = return_imm(0), one = return_imm(1);
  std::uint32_t kept_id = 0;
  {
    ProbeCache cache;
    OwnLoadResult a = cache.load(socket_filter(zero));
    if (!a.fd.valid() && a.error == EPERM) GTEST_SKIP() << "cannot load BPF programs here (EPERM)";
    ASSERT_TRUE(a.fd.valid()) << std::strerror(a.error);
    OwnLoadResult b = cache.load(socket_filter(zero));
    ASSERT_TRUE(b.fd.valid());
    EXPECT_NE(a.fd.get(), b.fd.get());
    EXPECT_EQ(a.info.id, b.info.id);
    EXPECT_EQ(a.info.tag, b.info.tag);
    // Another instruction, another program.
    OwnLoadResult c = cache.load(socket_filter(one));
    ASSERT_TRUE(c.fd.valid());
    EXPECT_NE(c.info.id, a.info.id);
    // Another name is another request too.
    OwnLoadRequest named = socket_filter(zero);
    named.name = "probe2";
    OwnLoadResult d = cache.load(named);
    ASSERT_TRUE(d.fd.valid());
    EXPECT_NE(d.info.id, a.info.id);
    kept_id = a.info.id;
  }
  // Every descriptor (ours and the cache's) is closed: the program is gone.
  // The kernel frees programs asynchronously; wait a little.
  int fd = -1;
  for (int i = 0; i < 200; ++i) {
    fd = bpf_prog_get_fd_by_id(kept_id);
    if (fd < 0) break;
    ::close(fd);
    ::usleep(10 * 1000);
  }
  EXPECT_LT(fd, 0) << "program " << kept_id << " still loaded after the cache was freed";
}

}  // namespace
}  // namespace pqbpf::sandbox::internal
