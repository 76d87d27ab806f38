// CO-RE values for this kernel: the expected programs of a CO-RE object from
// the shared corpus must be, instruction for instruction, what libbpf hands
// this kernel in a real load (map fds aside). Loads into the running kernel
// (tracepoint programs; closed at the end).
#include "kernel_values.h"

#include <bpf/btf.h>
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <memory>

#include "../bpf/test_paths.h"
#include "core_relocs.h"
#include "expected_program.h"
#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/file_io.h"

namespace pqbpf::sandbox::internal {
namespace {

using bpf::testing::corpus_dir;
using bpf::testing::have_shared;

constexpr const char* kBootstrap = "lostcache__hello_eBPF/examples__c__.output__bootstrap.bpf.o";

struct ObjectCloser {
  void operator()(bpf_object* o) const { bpf_object__close(o); }
};

struct Derived {
  std::vector<std::uint8_t> bytes;
  ExpectedObject compiled;  // gen_loader only: CO-RE fields as compiled
  ExpectedObject expected;  // with this kernel's CO-RE values
  std::string why;
};

Derived derive(const std::string& path) {
  Derived d;
  auto bytes = read_file(path, kMaxObjectFileSize);
  EXPECT_TRUE(bytes.ok()) << bytes.error().message;
  if (!bytes.ok()) return d;
  d.bytes = std::move(bytes).value();
  auto info = bpf::inspect_object(d.bytes, path);
  EXPECT_TRUE(info.ok()) << info.error().message;
  auto e = derive_expected_programs(d.bytes, path);
  EXPECT_TRUE(e.ok()) << e.error().message;
  if (!info.ok() || !e.ok()) return d;
  d.compiled = std::move(e).value();
  annotate_core_relocs(d.compiled, d.bytes, *info);
  d.expected = d.compiled;
  d.why = apply_kernel_values(d.expected, d.bytes);
  return d;
}

TEST(KernelValuesTest, ExpectedProgramsAreWhatARealLibbpfLoadHandsThisKernel) {
  if (!have_shared()) GTEST_SKIP() << "no shared corpus (PQBPF_SHARED_DIR): nothing with CO-RE to check";
  const Derived d = derive(corpus_dir() + "/" + kBootstrap);
  ASSERT_EQ(d.why, "");
  ASSERT_EQ(d.expected.programs.size(), 2u);
  for (const ExpectedProgram& p : d.expected.programs) {
    EXPECT_FALSE(p.core_insns.empty()) << p.name << " has no CO-RE relocations";
    EXPECT_TRUE(p.core_from_kernel) << p.name;
  }

  // The reference: libbpf's own, real load of the same bytes.
  std::vector<std::uint8_t> copy = d.bytes;
  std::unique_ptr<bpf_object, ObjectCloser> obj(bpf_object__open_mem(copy.data(), copy.size(), nullptr));
  ASSERT_TRUE(obj);
  ASSERT_EQ(bpf_object__load(obj.get()), 0) << "the corpus object no longer loads on this kernel";
  std::size_t changed_by_kernel = 0;
  for (std::size_t k = 0; k < d.expected.programs.size(); ++k) {
    const ExpectedProgram& p = d.expected.programs[k];
    const ExpectedProgram& compiled = d.compiled.programs[k];
    bpf_program* prog = bpf_object__find_program_by_name(obj.get(), p.name.c_str());
    ASSERT_NE(prog, nullptr) << p.name;
    ASSERT_EQ(bpf_program__insn_cnt(prog) * 8, p.insns.size()) << p.name;
    const auto* real = reinterpret_cast<const std::uint8_t*>(bpf_program__insns(prog));
    std::vector<bool> slot(p.insns.size() / 8, false);
    for (const MapSlot& s : p.slots) slot[s.insn] = true;
    for (std::size_t i = 0; i < slot.size(); ++i) {
      if (slot[i]) continue;  // the map fd the loader fills in
      EXPECT_EQ(std::memcmp(real + i * 8, p.insns.data() + i * 8, 8), 0)
          << p.name << ": instruction " << i << " differs from libbpf's real load";
      if (std::memcmp(p.insns.data() + i * 8, compiled.insns.data() + i * 8, 8) != 0) ++changed_by_kernel;
    }
    EXPECT_EQ(p.masked_sha3_256, masked_digest(p));
  }
  // On a kernel whose layout is the one the object was compiled against
  // nothing changes; then this test checks less, and says so.
  if (changed_by_kernel == 0) {
    std::printf("note: this kernel's CO-RE values equal the compiled ones; only equality was checked\n");
  }
}

TEST(KernelValuesTest, KconfigValuesAreWhatARealLibbpfLoadReads) {
  if (!have_shared()) GTEST_SKIP() << "no shared corpus (PQBPF_SHARED_DIR): nothing with .kconfig to check";
  const Derived d = derive(corpus_dir() + "/cilium__ebpf/testdata__kconfig-el.elf");
  ASSERT_EQ(d.why, "");
  ASSERT_EQ(d.expected.programs.size(), 1u);
  const ExpectedProgram& p = d.expected.programs[0];
  EXPECT_TRUE(p.reads_kconfig);
  EXPECT_EQ(p.unmatchable, "");
  const ExpectedMap* kconfig = nullptr;
  for (const ExpectedMap& m : d.expected.maps) {
    if (m.internal && m.internal_suffix == ".kconfig") kconfig = &m;
  }
  ASSERT_NE(kconfig, nullptr);
  EXPECT_TRUE(kconfig->bind_contents);
  ASSERT_EQ(kconfig->contents.size(), kconfig->value_size);

  // The reference: the .kconfig map of libbpf's own, real load.
  std::vector<std::uint8_t> copy = d.bytes;
  std::unique_ptr<bpf_object, ObjectCloser> obj(bpf_object__open_mem(copy.data(), copy.size(), nullptr));
  ASSERT_TRUE(obj);
  ASSERT_EQ(bpf_object__load(obj.get()), 0) << "the corpus object no longer loads on this kernel";
  bpf_map* map = nullptr;
  const std::uint8_t* real = nullptr;
  std::size_t size = 0;
  bpf_object__for_each_map(map, obj.get()) {
    if (std::string(bpf_map__name(map)).ends_with(".kconfig")) {
      real = static_cast<const std::uint8_t*>(bpf_map__initial_value(map, &size));
    }
  }
  ASSERT_NE(real, nullptr);
  ASSERT_EQ(size, kconfig->contents.size());
  EXPECT_EQ(std::vector<std::uint8_t>(real, real + size), kconfig->contents);
  // Not all zero: the values were read, not left as compiled.
  EXPECT_TRUE(std::any_of(kconfig->contents.begin(), kconfig->contents.end(),
                          [](std::uint8_t b) { return b != 0; }));
}

TEST(KernelValuesTest, KfuncIdsAreThisKernelsBtfIds) {
  const std::string path = bpf::testing::env_or("PQBPF_BINARY_DIR", ".") + "/src/sandbox/xdp_kfunc.bpf.o";
  const Derived d = derive(path);
  ASSERT_EQ(d.why, "");
  ASSERT_EQ(d.expected.programs.size(), 1u);
  const ExpectedProgram& p = d.expected.programs[0];
  ASSERT_EQ(p.kfunc_insns.size(), 1u);
  EXPECT_TRUE(d.compiled.programs[0].kfuncs_pending);
  EXPECT_FALSE(p.kfuncs_pending);
  EXPECT_EQ(p.unmatchable, "");
  // Independently: the id of bpf_cast_to_kern_ctx in this kernel's BTF.
  std::unique_ptr<btf, void (*)(btf*)> vmlinux(btf__load_vmlinux_btf(), btf__free);
  ASSERT_TRUE(vmlinux);
  const int want = btf__find_by_name_kind(vmlinux.get(), "bpf_cast_to_kern_ctx", BTF_KIND_FUNC);
  ASSERT_GT(want, 0);
  std::int32_t imm;
  std::int16_t off;
  std::memcpy(&imm, p.insns.data() + p.kfunc_insns[0] * 8 + 4, 4);
  std::memcpy(&off, p.insns.data() + p.kfunc_insns[0] * 8 + 2, 2);
  EXPECT_EQ(imm, want);
  EXPECT_EQ(off, 0);
  EXPECT_EQ(p.masked_sha3_256, masked_digest(p));
}

TEST(KernelValuesTest, ObjectsWithoutCoreRelocationsAreLeftAlone) {
  const std::string path = bpf::testing::sample_object("xdp_counter");
  const Derived d = derive(path);
  ASSERT_EQ(d.why, "");
  ASSERT_EQ(d.expected.programs.size(), 1u);
  EXPECT_FALSE(d.expected.programs[0].core_from_kernel);
  EXPECT_EQ(d.expected.programs[0].insns, d.compiled.programs[0].insns);
}

}  // namespace
}  // namespace pqbpf::sandbox::internal
