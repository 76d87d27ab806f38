// ProgramInfo::writes_packet_directly (packet_writes.cc): plain stores
// through the packet pointers of a program's context, read from real objects
// (testdata/packet_writes.bpf.c) and from hand-built instruction sequences
// for shapes clang does not emit on demand (atomics, overwritten spills,
// undecodable code).
#include <gtest/gtest.h>

#include <algorithm>
#include <filesystem>
#include <string>
#include <vector>

#include "elf_builder_test_util.h"
#include "packet_writes.h"
#include "pqbpf/bpf/capabilities.h"
#include "pqbpf/bpf/object_format.h"
#include "pqbpf/bpf/object_info.h"
#include "test_paths.h"

namespace pqbpf::bpf {
namespace {

using testing::Bytes;

std::string packet_writes_object() {
  return testing::env_or("PQBPF_BINARY_DIR", ".") + "/src/bpf/packet_writes.bpf.o";
}

ObjectInfo inspect(const std::string& path) {
  auto info = inspect_object_file(path);
  EXPECT_TRUE(info.ok()) << (info.ok() ? "" : info.error().message);
  return info.ok() ? std::move(info).value() : ObjectInfo{};
}

const ProgramInfo& program(const ObjectInfo& info, const std::string& name) {
  const ProgramInfo* p = find_program(info, name);
  EXPECT_NE(p, nullptr) << name;
  static const ProgramInfo none;
  return p != nullptr ? *p : none;
}

bool has_class(const ProgramInfo& p, Capability c) {
  const auto implied = implied_capabilities(p);
  return std::any_of(implied.begin(), implied.end(), [&](const auto& i) { return i.capability == c; });
}

TEST(PacketWritesTest, SampleProgramsThatStoreThroughPacketPointersWrite) {
  const ObjectInfo info = inspect(packet_writes_object());
  EXPECT_TRUE(info.unknown.empty()) << info.unknown.front();
  for (const char* name : {"xdp_swap_mac", "tc_clear_first_byte", "xdp_write_in_subprog", "xdp_write_after_spill",
                           "xdp_write_returned_pointer", "xdp_write_via_out_param"}) {
    const ProgramInfo& p = program(info, name);
    EXPECT_TRUE(p.writes_packet_directly) << name;
    EXPECT_TRUE(has_class(p, Capability::kPacketWrite)) << name;
    // No helper writes: the class comes from the stores alone.
    for (std::int32_t id : p.helper_ids) EXPECT_NE(helper_capability(id), Capability::kPacketWrite) << name;
  }
}

TEST(PacketWritesTest, ReadersAndNonPacketProgramsDoNotWrite) {
  const ObjectInfo info = inspect(packet_writes_object());
  for (const char* name : {"xdp_read_only", "xdp_read_in_subprog", "trace_stack_and_map"}) {
    const ProgramInfo& p = program(info, name);
    EXPECT_FALSE(p.writes_packet_directly) << name;
    EXPECT_FALSE(has_class(p, Capability::kPacketWrite)) << name;
  }
}

TEST(PacketWritesTest, InspectJsonListsPacketWriteForTheDirectWriterOnly) {
  const ObjectInfo info = inspect(packet_writes_object());
  const auto json = object_info_to_json(info);
  for (const auto& p : json["programs"]) {
    const auto& classes = p["capabilities"];
    const bool listed = std::find(classes.begin(), classes.end(), "packet_write") != classes.end();
    const std::string name = p["name"];
    EXPECT_EQ(listed, name != "xdp_read_only" && name != "xdp_read_in_subprog" && name != "trace_stack_and_map")
        << name;
  }
}

// Every corpus object is read, and real compiler output never leaves the
// analysis in doubt: no "assumed to write" line (programs whose subprograms
// cannot be resolved are assumed to write without one). Only packet types
// ever get the flag.
TEST(PacketWritesTest, CorpusIsAnalysedWithoutDoubtAndOnlyPacketTypesWrite) {
  if (!testing::have_shared()) GTEST_SKIP() << "PQBPF_HAVE_SHARED is OFF";
  std::size_t packet_programs = 0;
  for (const auto& e : std::filesystem::recursive_directory_iterator(testing::corpus_dir())) {
    const std::string path = e.path().string();
    if (!e.is_regular_file() || e.path().extension() == ".tsv" || e.path().extension() == ".md") continue;
    auto info = inspect_object_file(path);
    if (!info.ok()) continue;  // the deliberately corrupt objects (corpus_inspect_test)
    for (const auto& line : info->unknown) {
      EXPECT_EQ(line.find("direct packet writes"), std::string::npos) << path << ": " << line;
    }
    for (const auto& p : info->programs) {
      const bool packet = p.type && internal::writable_packet_fields(kernel_program_type(*p.type));
      if (!packet) {
        EXPECT_FALSE(p.writes_packet_directly) << path << ": " << p.name;
        continue;
      }
      ++packet_programs;
      // Unresolved subprograms: assumed to write.
      if (!p.reachable_insns) {
        EXPECT_TRUE(p.writes_packet_directly) << path << ": " << p.name;
      }
    }
  }
  EXPECT_GE(packet_programs, 10u);  // 11 xdp and tc programs in the corpus of 2026-12
}

// --- hand-built objects: one function `prog` in section `section` ---

struct I {
  std::uint8_t code;
  std::uint8_t dst;
  std::uint8_t src;
  std::int16_t off;
  std::int32_t imm;
};

Bytes encode(const std::vector<I>& insns) {
  Bytes out(insns.size() * 8, 0);
  for (std::size_t i = 0; i < insns.size(); ++i) {
    out[i * 8] = insns[i].code;
    out[i * 8 + 1] = static_cast<std::uint8_t>(insns[i].dst | (insns[i].src << 4));
    testing::put_le(out, i * 8 + 2, static_cast<std::uint16_t>(insns[i].off), 2);
    testing::put_le(out, i * 8 + 4, static_cast<std::uint32_t>(insns[i].imm), 4);
  }
  return out;
}

ObjectInfo inspect_code(const std::string& section, const std::vector<I>& insns) {
  testing::ElfBuilder b;
  const Bytes code = encode(insns);
  const std::size_t sec = b.add({.name = section, .flags = testing::kShfAlloc | testing::kShfExecinstr,
                                 .data = code, .align = 8});
  testing::add_symbols(b, {{.name = "prog", .section = sec, .value = 0, .size = code.size()}});
  const Bytes bytes = b.build(testing::ElfBuilder::Numbering::kDirect);
  auto info = inspect_object(bytes, "built.o");
  EXPECT_TRUE(info.ok()) << (info.ok() ? "" : info.error().message);
  return info.ok() ? std::move(info).value() : ObjectInfo{};
}

bool writes(const ObjectInfo& info) {
  EXPECT_EQ(info.programs.size(), 1u);
  return !info.programs.empty() && info.programs[0].writes_packet_directly;
}

// r2 = xdp_md->data; spill to fp-8; ...; reload into r3; *(u8 *)(r3 + 0) = 0.
const I kLoadData{0x61, 2, 1, 0, 0};      // r2 = *(u32 *)(r1 + 0)
const I kSpill{0x7b, 10, 2, -8, 0};       // *(u64 *)(r10 - 8) = r2
const I kReload{0x79, 3, 10, -8, 0};      // r3 = *(u64 *)(r10 - 8)
const I kStoreByte{0x72, 3, 0, 0, 0};     // *(u8 *)(r3 + 0) = 0
const I kRetPass{0xb7, 0, 0, 0, 2};       // r0 = XDP_PASS
const I kExit{0x95, 0, 0, 0, 0};

TEST(PacketWritesTest, HandBuiltSpillReloadAndStoreWrites) {
  EXPECT_TRUE(writes(inspect_code("xdp", {kLoadData, kSpill, kReload, kStoreByte, kRetPass, kExit})));
}

TEST(PacketWritesTest, SpillOverwrittenByAScalarBeforeTheReloadDoesNotWrite) {
  const I overwrite{0x7a, 10, 0, -8, 0};  // *(u64 *)(r10 - 8) = 0
  const ObjectInfo info = inspect_code("xdp", {kLoadData, kSpill, overwrite, kReload, kStoreByte, kRetPass, kExit});
  EXPECT_FALSE(writes(info));
  EXPECT_TRUE(info.unknown.empty()) << info.unknown.front();
}

TEST(PacketWritesTest, AtomicAddThroughAPacketPointerWrites) {
  const I atomic_add{0xdb, 2, 0, 0, 0x00};  // lock *(u64 *)(r2 + 0) += r0
  EXPECT_TRUE(writes(inspect_code("xdp", {kLoadData, kRetPass, atomic_add, kExit})));
}

TEST(PacketWritesTest, DataMetaOfAnSkbIsAPacketPointerAndOtherFieldsAreNot) {
  const I load_meta{0x61, 2, 1, 140, 0};  // r2 = skb->data_meta
  const I load_mark{0x61, 2, 1, 8, 0};    // r2 = skb->mark
  const I store{0x72, 2, 0, 0, 0};
  EXPECT_TRUE(writes(inspect_code("tc", {load_meta, store, kRetPass, kExit})));
  EXPECT_FALSE(writes(inspect_code("tc", {load_mark, store, kRetPass, kExit})));
}

TEST(PacketWritesTest, JoinOfPacketAndScalarPathsIsStillAPacketPointer) {
  // r2 = data; if r1 == 0 goto +1; r2 = 0; *(u8 *)(r2 + 0) = 0
  const I maybe_clear{0xb7, 2, 0, 0, 0};
  const I branch{0x15, 1, 0, 1, 0};
  EXPECT_TRUE(writes(inspect_code("xdp", {kLoadData, branch, maybe_clear, {0x72, 2, 0, 0, 0}, kRetPass, kExit})));
}

TEST(PacketWritesTest, SameStoresInAKprobeDoNotWrite) {
  // A kprobe's context has no packet pointers: the class cannot apply.
  EXPECT_FALSE(writes(inspect_code("kprobe/x", {kLoadData, kSpill, kReload, kStoreByte, kRetPass, kExit})));
}

TEST(PacketWritesTest, UndecodableCodeIsAssumedToWriteAndSaysWhy) {
  const I bad{0xff, 0, 0, 0, 0};
  const ObjectInfo info = inspect_code("xdp", {kRetPass, bad, kExit});
  EXPECT_TRUE(writes(info));
  ASSERT_FALSE(info.unknown.empty());
  EXPECT_EQ(info.unknown.back(),
            "direct packet writes of program 'prog' (instruction 1 of xdp has opcode 0xff, which the "
            "analysis does not know; assumed to write)");
  // The same bytes in a type that cannot write packets are not judged.
  EXPECT_FALSE(writes(inspect_code("kprobe/x", {kRetPass, bad, kExit})));
}

TEST(PacketWritesTest, JumpOutOfTheFunctionIsAssumedToWrite) {
  const ObjectInfo info = inspect_code("xdp", {kRetPass, {0x05, 0, 0, 5, 0}, kExit});
  EXPECT_TRUE(writes(info));
  ASSERT_FALSE(info.unknown.empty());
  EXPECT_NE(info.unknown.back().find("jumps outside its function"), std::string::npos) << info.unknown.back();
}

TEST(PacketWritesTest, JumpIntoTheSecondHalfOfA64BitLoadIsAssumedToWrite) {
  // if r1 == 0 goto +1 (into the load's second half, which reads as "ja +100")
  const ObjectInfo info = inspect_code("xdp", {{0x15, 1, 0, 1, 0}, {0x18, 0, 0, 0, 0}, {0x05, 0, 0, 100, 0},
                                               kRetPass, kExit});
  EXPECT_TRUE(writes(info));
  ASSERT_FALSE(info.unknown.empty());
  EXPECT_NE(info.unknown.back().find("did not see as a block start"), std::string::npos) << info.unknown.back();
}

TEST(PacketWritesTest, IndirectCallIsAssumedToWrite) {
  const ObjectInfo info = inspect_code("xdp", {kRetPass, {0x8d, 0, 2, 0, 0}, kExit});  // callx r2
  EXPECT_TRUE(writes(info));
  ASSERT_FALSE(info.unknown.empty());
  EXPECT_NE(info.unknown.back().find("has opcode 0x8d"), std::string::npos) << info.unknown.back();
}

TEST(PacketWritesTest, SkMsgDataIsA64BitPointerField) {
  const I load_data{0x79, 2, 1, 0, 0};  // r2 = *(u64 *)(r1 + 0): msg->data
  EXPECT_TRUE(writes(inspect_code("sk_msg", {load_data, {0x72, 2, 0, 0, 0}, kRetPass, kExit})));
}

}  // namespace
}  // namespace pqbpf::bpf
