// The ELF-level fallback on real corpus objects libbpf 1.1 cannot fully read
// (big-endian, legacy maps, STT_NOTYPE functions), and agreement between the
// two readers on what is hashed.
#include <gtest/gtest.h>

#include "elf_facts.h"
#include "elf_image.h"
#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/file_io.h"
#include "test_paths.h"

namespace pqbpf::bpf {
namespace {

ObjectInfo inspect_corpus(const std::string& rel) {
  auto r = inspect_object_file(testing::corpus_dir() + "/" + rel);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : ObjectInfo{};
}

#define SKIP_WITHOUT_SHARED() \
  if (!testing::have_shared()) GTEST_SKIP() << "PQBPF_HAVE_SHARED is OFF"

TEST(FallbackTest, InspectBigEndianObjectUsesElfReaderWithBtfMaps) {
  SKIP_WITHOUT_SHARED();
  const ObjectInfo info = inspect_corpus("cilium__ebpf/examples__kprobe__bpf_bpfeb.o");
  EXPECT_EQ(info.reader, "elf");
  EXPECT_EQ(info.endianness, Endianness::kBig);
  EXPECT_NE(info.fallback_reason.find("big-endian"), std::string::npos);
  ASSERT_EQ(info.programs.size(), 1u);
  EXPECT_EQ(info.programs[0].name, "kprobe_execve");
  EXPECT_EQ(info.programs[0].type, BPFProgramType::kKprobe);
  EXPECT_EQ(info.programs[0].attach_target, "sys_execve");
  ASSERT_EQ(info.maps.size(), 1u);
  EXPECT_EQ(info.maps[0].name, "kprobe_map");
  EXPECT_EQ(info.maps[0].type, "array");
  EXPECT_EQ(info.maps[0].key_size, 4u);
  EXPECT_EQ(info.maps[0].value_size, 8u);
  EXPECT_EQ(info.maps[0].max_entries, 1u);
  EXPECT_TRUE(info.unknown.empty());
}

TEST(FallbackTest, InspectBigEndianSleepableLsmKeepsTypeAndTarget) {
  SKIP_WITHOUT_SHARED();
  const ObjectInfo info = inspect_corpus("kubearmor__KubeArmor/KubeArmor__monitor__ima_hash_bpfeb.o");
  ASSERT_EQ(info.programs.size(), 1u);
  EXPECT_EQ(info.programs[0].section, "lsm.s/bprm_check_security");
  EXPECT_EQ(info.programs[0].type, BPFProgramType::kLsm);
  EXPECT_EQ(info.programs[0].expected_attach_type, "lsm_mac");
  EXPECT_EQ(info.programs[0].attach_target, "bprm_check_security");
  EXPECT_EQ(info.maps.size(), 3u);
}

TEST(FallbackTest, InspectLegacyMapsObjectReadsBpfMapDef) {
  SKIP_WITHOUT_SHARED();
  const ObjectInfo info = inspect_corpus("vbpf__ebpf-samples/linux__tracex4_kern.o");
  EXPECT_EQ(info.reader, "elf");
  EXPECT_NE(info.fallback_reason.find("legacy map definitions"), std::string::npos);
  ASSERT_EQ(info.programs.size(), 2u);
  EXPECT_EQ(info.programs[1].section, "kretprobe/kmem_cache_alloc_node");
  EXPECT_EQ(info.programs[1].refined_type, BPFProgramType::kKretprobe);
  ASSERT_EQ(info.maps.size(), 1u);
  EXPECT_EQ(info.maps[0].name, "my_map");
  EXPECT_EQ(info.maps[0].type, "hash");
  EXPECT_EQ(info.maps[0].key_size, 8u);
  EXPECT_EQ(info.maps[0].value_size, 16u);
  EXPECT_EQ(info.maps[0].max_entries, 1000000u);
}

// libbpf 1.x lists no program when functions are STT_NOTYPE; we still do.
TEST(FallbackTest, InspectNotypeFunctionsListsProgramsLibbpfMisses) {
  SKIP_WITHOUT_SHARED();
  const ObjectInfo info = inspect_corpus("vbpf__ebpf-samples/linux__sock_flags_kern.o");
  EXPECT_EQ(info.reader, "elf");
  EXPECT_NE(info.fallback_reason.find("lists no program in code section 'cgroup/sock1'"),
            std::string::npos);
  ASSERT_EQ(info.programs.size(), 2u);
  EXPECT_EQ(info.programs[0].name, "bpf_prog1");
  EXPECT_EQ(info.programs[0].size, 0x1a8u);  // the whole section: one program per section
  EXPECT_FALSE(info.programs[0].type.has_value());
  EXPECT_EQ(info.unknown.size(), 2u);
}

TEST(FallbackTest, InspectSectionWithoutSymbolsNamesProgramAfterSection) {
  SKIP_WITHOUT_SHARED();
  const ObjectInfo info = inspect_corpus("vbpf__ebpf-samples/suricata__filter.o");
  ASSERT_EQ(info.programs.size(), 1u);
  EXPECT_EQ(info.programs[0].name, "hashfilter");
  EXPECT_EQ(info.programs[0].section, "filter");
}

// Both readers hash section[offset, offset+size): same list, same hashes.
TEST(FallbackTest, ElfReaderAgreesWithLibbpfReaderOnSamples) {
  for (const char* name : {"trace_read", "mixed_kprobe_lsm", "xdp_pass", "tracepoint_exec"}) {
    auto bytes = read_file(testing::sample_object(name), kMaxObjectFileSize);
    ASSERT_TRUE(bytes.ok());
    auto image = internal::parse_elf_image(*bytes, name);
    ASSERT_TRUE(image.ok());
    auto info = inspect_object(*bytes, name);
    ASSERT_TRUE(info.ok());
    ASSERT_EQ(info->reader, "libbpf");
    const auto listed = internal::elf_programs(*image, name);
    ASSERT_TRUE(listed.ok()) << listed.error().message;
    const auto& elf = *listed;
    ASSERT_EQ(elf.size(), info->programs.size()) << name;
    for (std::size_t i = 0; i < elf.size(); ++i) {
      EXPECT_EQ(elf[i].name, info->programs[i].name);
      EXPECT_EQ(elf[i].section, info->programs[i].section);
      EXPECT_EQ(elf[i].type, info->programs[i].type);
      EXPECT_EQ(elf[i].expected_attach_type, info->programs[i].expected_attach_type);
      EXPECT_EQ(elf[i].insn_sha3_256, info->programs[i].insn_sha3_256);
    }
  }
}

}  // namespace
}  // namespace pqbpf::bpf
