// fetch_and_check_maps: a workload's map descriptor passes only as the signed
// map's shape, and anything that is not a map is named as such (the check
// asks the kind only when the info does not fit). Creates one array map and
// loads one socket filter in the running kernel; both are closed at the end.
#include "map_check.h"

#include <bpf/bpf.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <linux/bpf.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <string>
#include <vector>

namespace pqbpf::sandbox::internal {
namespace {

// The workload's "fd 7" is `ours`, duplicated as pidfd_getfd would.
MapFdSource source_of(int ours) {
  return [ours](std::int32_t) -> Result<UniqueFd> {
    UniqueFd d(::fcntl(ours, F_DUPFD_CLOEXEC, 0));
    if (!d.valid()) return make_error(ErrorCode::kIo, std::strerror(errno));
    return d;
  };
}

struct OneMapProgram {
  ExpectedObject object;
  ExpectedProgram program;
  OneMapProgram(std::uint32_t type, std::uint32_t key, std::uint32_t value) {
    ExpectedMap m;
    m.name = "counts";
    m.type = type;
    m.key_size = key;
    m.value_size = value;
    object.maps.push_back(m);
    program.slots.push_back({0, MapSlot::Kind::kMapFd, 0});
  }
  Result<CheckedMaps> check(int fd) const { return fetch_and_check_maps(source_of(fd), object, program, {7}); }
};

std::string message(const Result<CheckedMaps>& r) { return r.ok() ? "" : r.error().message; }

TEST(MapCheckTest, TheSignedShapePassesAndAnotherIsNamed) {
  UniqueFd map(bpf_map_create(BPF_MAP_TYPE_ARRAY, "counts", 4, 8, 1, nullptr));
  ASSERT_TRUE(map.valid()) << std::strerror(errno);
  const auto ok = OneMapProgram(BPF_MAP_TYPE_ARRAY, 4, 8).check(map.get());
  ASSERT_TRUE(ok.ok()) << message(ok);
  ASSERT_EQ(ok->slot_fds.size(), 1u);
  EXPECT_NE(ok->slot_fds[0], map.get());  // its own descriptor, not the caller's number

  const auto wider = OneMapProgram(BPF_MAP_TYPE_ARRAY, 4, 16).check(map.get());
  ASSERT_FALSE(wider.ok());
  EXPECT_NE(message(wider).find("map 'counts' (fd 7 in the caller) has type 2, key size 4, value size 8"),
            std::string::npos) << message(wider);
}

TEST(MapCheckTest, APipeIsNotAMap) {
  int p[2];
  ASSERT_EQ(::pipe2(p, O_CLOEXEC), 0);
  UniqueFd r(p[0]), w(p[1]);
  const auto got = OneMapProgram(BPF_MAP_TYPE_ARRAY, 4, 8).check(r.get());
  ASSERT_FALSE(got.ok());
  EXPECT_NE(message(got).find("is not a BPF map"), std::string::npos) << message(got);
}

TEST(MapCheckTest, AProgramIsNotAMap) {
  // r0 = 0; exit
  const bpf_insn insns[2] = {{BPF_ALU64 | BPF_MOV | BPF_K, 0, 0, 0, 0}, {BPF_JMP | BPF_EXIT, 0, 0, 0, 0}};
  UniqueFd prog(bpf_prog_load(BPF_PROG_TYPE_SOCKET_FILTER, nullptr, "GPL", insns, 2, nullptr));
  ASSERT_TRUE(prog.valid()) << std::strerror(errno);
  // Its info is a program's; whatever shape is asked for, it is named for
  // what it is.
  for (std::uint32_t type : {static_cast<std::uint32_t>(BPF_PROG_TYPE_SOCKET_FILTER),
                             static_cast<std::uint32_t>(BPF_MAP_TYPE_ARRAY)}) {
    const auto got = OneMapProgram(type, 4, 8).check(prog.get());
    ASSERT_FALSE(got.ok());
    EXPECT_NE(message(got).find("is not a BPF map"), std::string::npos) << message(got);
  }
}

}  // namespace
}  // namespace pqbpf::sandbox::internal
