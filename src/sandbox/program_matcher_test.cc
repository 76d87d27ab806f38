// The matcher over the xdp_counter sample: libbpf's layout of the verified
// object, the masked map references, and refusals of every other difference.
// No kernel involved (the gen_loader relocation records, it does not load).
#include "program_matcher.h"

#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <cstring>

#include "expected_program.h"
#include "pqbpf/core/file_io.h"

namespace pqbpf::sandbox::internal {
namespace {

std::string sample(const char* name) {
  const char* dir = std::getenv("PQBPF_BINARY_DIR");
  return std::string(dir ? dir : ".") + "/examples/bpf/" + name;
}

ExpectedObject expected_counter() {
  auto bytes = read_file(sample("xdp_counter.bpf.o"), kMaxObjectFileSize);
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  auto e = derive_expected_programs(*bytes, "xdp_counter.bpf.o");
  EXPECT_TRUE(e.ok()) << e.error().message;
  return std::move(e).value();
}

// What a loader would send: the expected instructions with map fds filled in.
std::vector<std::uint8_t> as_loader_sends(const ExpectedProgram& p, std::int32_t first_fd) {
  std::vector<std::uint8_t> insns = p.insns;
  for (const MapSlot& s : p.slots) {
    std::uint8_t* insn = insns.data() + s.insn * 8;
    insn[1] = static_cast<std::uint8_t>((insn[1] & 0x0f) |
                                        ((s.kind == MapSlot::Kind::kMapFd ? BPF_PSEUDO_MAP_FD : BPF_PSEUDO_MAP_VALUE) << 4));
    const std::int32_t fd = first_fd + static_cast<std::int32_t>(s.map);
    std::memcpy(insn + 4, &fd, 4);
  }
  return insns;
}

ProgLoadAttr attr_for(const ExpectedProgram& p) {
  ProgLoadAttr a;
  a.prog_type = p.prog_type;
  a.insn_cnt = static_cast<std::uint32_t>(p.insns.size() / 8);
  a.expected_attach_type = p.expected_attach_type;
  a.prog_flags = p.prog_flags;
  return a;
}

TEST(ProgramMatcherTest, SampleLayoutAppendsTheSubprogramAndMasksBothMaps) {
  const ExpectedObject e = expected_counter();
  ASSERT_EQ(e.programs.size(), 1u);
  const ExpectedProgram& p = e.programs[0];
  EXPECT_EQ(p.name, "xdp_count");
  EXPECT_EQ(p.prog_type, BPF_PROG_TYPE_XDP);
  EXPECT_EQ(p.insns.size() / 8, 43u);  // 23 of xdp_count + 20 of bump
  // total, class_shift's .rodata value, then class_counts twice (in bump).
  ASSERT_EQ(p.slots.size(), 4u);
  EXPECT_EQ(e.maps[p.slots[0].map].name, "total");
  EXPECT_EQ(p.slots[0].kind, MapSlot::Kind::kMapFd);
  EXPECT_TRUE(e.maps[p.slots[1].map].name.ends_with(".rodata"));
  EXPECT_EQ(p.slots[1].kind, MapSlot::Kind::kMapValue);
  EXPECT_TRUE(e.maps[p.slots[1].map].bind_contents);
  EXPECT_EQ(e.maps[p.slots[2].map].name, "class_counts");
  EXPECT_TRUE(p.unmatchable.empty()) << p.unmatchable;
  EXPECT_EQ(p.masked_sha3_256.size(), 64u);
}

TEST(ProgramMatcherTest, LoaderRequestMatchesAndReturnsTheMapFds) {
  const ExpectedObject e = expected_counter();
  const ExpectedProgram& p = e.programs[0];
  const auto insns = as_loader_sends(p, 7);
  MatchResult m = match_program(attr_for(p), insns, p);
  ASSERT_TRUE(m.matched) << m.why;
  ASSERT_EQ(m.matched->map_fds.size(), 4u);
  EXPECT_EQ(m.matched->map_fds[0], 7 + static_cast<std::int32_t>(p.slots[0].map));
}

TEST(ProgramMatcherTest, OneChangedInstructionIsRefusedAndNamed) {
  const ExpectedObject e = expected_counter();
  const ExpectedProgram& p = e.programs[0];
  auto insns = as_loader_sends(p, 7);
  insns[21 * 8 + 4] ^= 3;  // r0 = XDP_PASS -> XDP_DROP
  MatchResult m = match_program(attr_for(p), insns, p);
  EXPECT_FALSE(m.matched);
  EXPECT_NE(m.why.find("instruction 21 is"), std::string::npos) << m.why;
}

TEST(ProgramMatcherTest, MapSlotMustBeAMapReferenceOfTheSameKind) {
  const ExpectedObject e = expected_counter();
  const ExpectedProgram& p = e.programs[0];
  auto insns = as_loader_sends(p, 7);
  // A plain 64-bit constant where the loader puts a map fd.
  insns[p.slots[0].insn * 8 + 1] &= 0x0f;
  EXPECT_FALSE(match_program(attr_for(p), insns, p).matched);
  // A map value reference where a map fd belongs.
  insns = as_loader_sends(p, 7);
  insns[p.slots[0].insn * 8 + 1] = static_cast<std::uint8_t>((insns[p.slots[0].insn * 8 + 1] & 0x0f) |
                                                             (BPF_PSEUDO_MAP_VALUE << 4));
  EXPECT_FALSE(match_program(attr_for(p), insns, p).matched);
  // Another destination register.
  insns = as_loader_sends(p, 7);
  insns[p.slots[0].insn * 8 + 1] ^= 0x02;
  EXPECT_FALSE(match_program(attr_for(p), insns, p).matched);
}

// libbpf adds flags from the section name only when it prepares the load;
// the expected program must carry them, or such programs never match.
TEST(ProgramMatcherTest, FlagsLibbpfAddsFromTheSectionNameAreExpected) {
  EXPECT_EQ(flags_libbpf_adds("xdp.frags", BPF_PROG_TYPE_XDP), 1u << 5);
  EXPECT_EQ(flags_libbpf_adds("xdp.frags/devmap", BPF_PROG_TYPE_XDP), 1u << 5);
  EXPECT_EQ(flags_libbpf_adds("xdp", BPF_PROG_TYPE_XDP), 0u);
  EXPECT_EQ(flags_libbpf_adds("uprobe.s//bin/sh:main", BPF_PROG_TYPE_KPROBE), BPF_F_SLEEPABLE);
  EXPECT_EQ(flags_libbpf_adds("fentry.s/do_unlinkat", BPF_PROG_TYPE_TRACING), BPF_F_SLEEPABLE);
  EXPECT_EQ(flags_libbpf_adds("syscall", BPF_PROG_TYPE_SYSCALL), BPF_F_SLEEPABLE);
  EXPECT_EQ(flags_libbpf_adds("uprobe//bin/sh:main", BPF_PROG_TYPE_KPROBE), 0u);
  EXPECT_EQ(flags_libbpf_adds("kprobe/do_sys.s", BPF_PROG_TYPE_KPROBE), 0u);  // the target, not the kind
}

TEST(ProgramMatcherTest, TypeCountAttachTypeAndFlagsAreBound) {
  const ExpectedObject e = expected_counter();
  const ExpectedProgram& p = e.programs[0];
  const auto insns = as_loader_sends(p, 7);
  ProgLoadAttr a = attr_for(p);
  a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  EXPECT_FALSE(match_program(a, insns, p).matched);
  a = attr_for(p);
  a.expected_attach_type = p.expected_attach_type + 1;
  EXPECT_FALSE(match_program(a, insns, p).matched);
  a = attr_for(p);
  a.prog_flags = BPF_F_ANY_ALIGNMENT;
  EXPECT_FALSE(match_program(a, insns, p).matched);
  a = attr_for(p);
  a.insn_cnt -= 1;
  EXPECT_FALSE(match_program(a, std::span(insns).first(insns.size() - 8), p).matched);
}

TEST(ProgramMatcherTest, AttributeFieldsTheGateDoesNotBindAreRefused) {
  std::vector<std::uint8_t> raw(sizeof(bpf_attr), 0);
  auto set32 = [&](std::size_t off, std::uint32_t v) { std::memcpy(raw.data() + off, &v, 4); };
  EXPECT_EQ(unsupported_attr(parse_prog_load_attr(raw)), "");
  set32(offsetof(bpf_attr, attach_btf_id), 5);
  EXPECT_NE(unsupported_attr(parse_prog_load_attr(raw)), "");
  std::fill(raw.begin(), raw.end(), 0);
  set32(offsetof(bpf_attr, prog_ifindex), 1);
  EXPECT_NE(unsupported_attr(parse_prog_load_attr(raw)), "");
  std::fill(raw.begin(), raw.end(), 0);
  raw.resize(256, 0);
  raw[200] = 1;  // past every field this build knows
  EXPECT_NE(unsupported_attr(parse_prog_load_attr(raw)), "");
  std::fill(raw.begin(), raw.end(), 0);
  set32(144, 3);  // prog_token_fd (Linux 6.9)
  EXPECT_NE(unsupported_attr(parse_prog_load_attr(raw)), "");
}

TEST(ProgramMatcherTest, OnlyTheExactProbeShapesAreProbes) {
  ProgLoadAttr a;
  a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  a.insn_cnt = 2;
  std::uint8_t zero[16] = {0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(probe_shape(a, zero).has_value());
  std::uint8_t seven[16] = {0xb7, 0, 0, 0, 7, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(probe_shape(a, seven));
  std::uint8_t clock[16] = {0x85, 0, 0, 0, 160, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_TRUE(probe_shape(a, clock));
  std::uint8_t other_helper[16] = {0x85, 0, 0, 0, 6, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
  EXPECT_FALSE(probe_shape(a, other_helper));  // bpf_trace_printk
  a.prog_type = BPF_PROG_TYPE_KPROBE;
  EXPECT_FALSE(probe_shape(a, clock));
  // r0 = 0 is a probe only as a socket filter or libbpf's cgroup_sock probe
  // (attached as XDP it would drop every packet).
  EXPECT_FALSE(probe_shape(a, zero));
  a.prog_type = BPF_PROG_TYPE_XDP;
  EXPECT_FALSE(probe_shape(a, zero));
  a.prog_type = BPF_PROG_TYPE_CGROUP_SOCK;
  EXPECT_FALSE(probe_shape(a, zero));  // without libbpf's attach type
  a.expected_attach_type = BPF_CGROUP_INET_SOCK_CREATE;
  ASSERT_TRUE(probe_shape(a, zero));
  EXPECT_TRUE(probe_shape(a, zero)->load_return_one);
  a.expected_attach_type = 0;
  a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  a.prog_flags = BPF_F_SLEEPABLE;
  EXPECT_FALSE(probe_shape(a, zero));

  // libbpf's global data probe: any fd, the rest exact.
  a.prog_flags = 0;
  a.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  a.insn_cnt = 5;
  std::uint8_t global[40] = {0x18, 0x21, 0, 0, 9, 0, 0, 0, 0, 0, 0, 0, 16, 0, 0, 0, 0x7a, 0x01, 0, 0, 42,
                             0, 0, 0, 0xb7, 0, 0, 0, 0, 0, 0, 0, 0x95, 0, 0, 0, 0, 0, 0, 0};
  auto shape = probe_shape(a, global);
  ASSERT_TRUE(shape);
  EXPECT_EQ(shape->map_fd, std::optional<std::int32_t>(9));
  global[12] = 8;  // another offset into the value
  EXPECT_FALSE(probe_shape(a, global));
  global[12] = 16;
  global[20] = 43;  // another value stored
  EXPECT_FALSE(probe_shape(a, global));
}

}  // namespace
}  // namespace pqbpf::sandbox::internal
