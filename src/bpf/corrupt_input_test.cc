// Hostile and broken inputs: every one gives ok or one clear kParse line
// starting with the label; nothing crashes (run under -DPQBPF_SANITIZE=ON).
// Mutations use a fixed seed so failures reproduce.
#include <gtest/gtest.h>

#include <cstring>
#include <random>

#include "pqbpf/bpf/object_format.h"
#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/file_io.h"
#include "test_paths.h"

namespace pqbpf::bpf {
namespace {

using Bytes = std::vector<std::uint8_t>;

Bytes load(const std::string& path) {
  auto r = read_file(path, kMaxObjectFileSize);
  EXPECT_TRUE(r.ok()) << path;
  return r.ok() ? std::move(r).value() : Bytes{};
}

// The contract for any input: a usable ObjectInfo, or one line naming it.
void expect_ok_or_clear_error(const Bytes& bytes, const std::string& label) {
  auto r = inspect_object(bytes, label);
  if (r.ok()) {
    EXPECT_NO_THROW((void)object_info_to_json(*r).dump());
    EXPECT_FALSE(format_object_info_text(*r).empty());
    return;
  }
  const std::string& m = r.error().message;
  EXPECT_EQ(r.error().code, ErrorCode::kParse) << m;
  EXPECT_EQ(m.rfind(label + ": ", 0), 0u) << m;
  EXPECT_EQ(m.find('\n'), std::string::npos) << m;
  EXPECT_GT(m.size(), label.size() + 2);
}

std::string refusal(const Bytes& bytes) {
  auto r = inspect_object(bytes, "x.o");
  return r.ok() ? "" : r.error().message;
}

Bytes valid_sample() { return load(testing::sample_object("mixed_kprobe_lsm")); }

TEST(CorruptInputTest, InspectEmptyInputFailsNamingEmptyFile) {
  EXPECT_EQ(refusal({}), "x.o: empty file, not a BPF object");
}

TEST(CorruptInputTest, InspectTextFileFailsWithNoElfMagic) {
  const std::string text = "#!/bin/sh\necho this is not an object file at all, sorry\n"
                           "padding padding padding padding padding padding";
  EXPECT_EQ(refusal(Bytes(text.begin(), text.end())),
            "x.o: not an ELF file (no ELF magic), not a BPF object");
}

TEST(CorruptInputTest, InspectElf32FailsAsNot64Bit) {
  Bytes b = valid_sample();
  b[4] = 1;  // ELFCLASS32
  EXPECT_NE(refusal(b).find("not a 64-bit ELF object"), std::string::npos);
}

TEST(CorruptInputTest, InspectX86ObjectFailsNamingMachine) {
  Bytes b = valid_sample();
  b[18] = 62;  // EM_X86_64
  b[19] = 0;
  EXPECT_EQ(refusal(b), "x.o: not a BPF object (ELF machine 62, expected 247 EM_BPF)");
}

TEST(CorruptInputTest, InspectExecutableTypeFailsAsNotRelocatable) {
  Bytes b = valid_sample();
  b[16] = 2;  // ET_EXEC
  EXPECT_NE(refusal(b).find("not a relocatable object"), std::string::npos);
}

TEST(CorruptInputTest, InspectTruncatedObjectFailsNamingSectionTable) {
  Bytes b = valid_sample();
  b.resize(b.size() - 100);
  EXPECT_NE(refusal(b).find("section header table extends past the end of the file"),
            std::string::npos);
}

TEST(CorruptInputTest, InspectEveryTruncationNeverCrashes) {
  const Bytes full = valid_sample();
  for (std::size_t n = 0; n < full.size(); n += 8) {
    expect_ok_or_clear_error(Bytes(full.begin(), full.begin() + n), "cut");
  }
}

TEST(CorruptInputTest, InspectGarbageWithElfHeaderNeverCrashes) {
  std::mt19937_64 rng(0x5eed0001);
  const Bytes sample = valid_sample();
  for (int i = 0; i < 200; ++i) {
    Bytes b(64 + rng() % 4096);
    for (auto& x : b) x = static_cast<std::uint8_t>(rng());
    std::memcpy(b.data(), sample.data(), 20);  // keep magic, class, type, machine
    expect_ok_or_clear_error(b, "garbage");
  }
}

// Single-byte and bit-level damage at random offsets of real objects.
void mutate_and_check(const Bytes& original, const std::string& label, std::uint64_t seed,
                      int rounds) {
  std::mt19937_64 rng(seed);
  for (int i = 0; i < rounds; ++i) {
    Bytes b = original;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) {
      const std::size_t at = rng() % b.size();
      if (rng() % 2 == 0) {
        b[at] ^= static_cast<std::uint8_t>(1u << (rng() % 8));
      } else {
        b[at] = static_cast<std::uint8_t>(rng());
      }
    }
    expect_ok_or_clear_error(b, label);
  }
}

TEST(CorruptInputTest, InspectBitFlippedSamplesNeverCrashes) {
  std::uint64_t seed = 0x5eed0100;
  for (const char* name : {"trace_read", "xdp_pass", "lsm_bpf", "mixed_kprobe_lsm"}) {
    mutate_and_check(load(testing::sample_object(name)), name, seed++, 400);
  }
}

// Damage aimed at the section header table, where parsers trust offsets.
TEST(CorruptInputTest, InspectDamagedSectionHeadersNeverCrashes) {
  const Bytes original = valid_sample();
  std::uint64_t shoff = 0;
  std::memcpy(&shoff, original.data() + 40, 8);
  ASSERT_LT(shoff, original.size());
  std::mt19937_64 rng(0x5eed0200);
  for (int i = 0; i < 1500; ++i) {
    Bytes b = original;
    const std::size_t at = shoff + rng() % (original.size() - shoff);
    b[at] = static_cast<std::uint8_t>(rng());
    expect_ok_or_clear_error(b, "shdr");
  }
}

TEST(CorruptInputTest, InspectBitFlippedCorpusObjectsNeverCrashes) {
  if (!testing::have_shared()) GTEST_SKIP() << "PQBPF_HAVE_SHARED is OFF";
  const std::string dir = testing::corpus_dir();
  std::uint64_t seed = 0x5eed0300;
  for (const char* rel : {"cilium__ebpf/testdata__loader-clang-14-eb.elf",
                          "cilium__ebpf/testdata__variables-el.elf",
                          "cilium__ebpf/testdata__kfunc-el.elf",
                          "lostcache__hello_eBPF/examples__c__.output__uprobe.bpf.o",
                          "vbpf__ebpf-samples/linux__xdp_redirect_cpu_kern.o",
                          "vbpf__ebpf-samples/linux__sock_flags_kern.o"}) {
    mutate_and_check(load(dir + "/" + rel), rel, seed++, 300);
  }
}

}  // namespace
}  // namespace pqbpf::bpf
