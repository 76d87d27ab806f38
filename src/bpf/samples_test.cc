// Our own samples (examples/bpf/) inspected through the public API: each
// object's exact program list, types, attach targets, maps and license, and
// the hashed bytes checked against the ELF and libbpf's pre-load copy.
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <cstring>
#include <thread>

#include "elf_image.h"
#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/crypto/sha3.h"
#include "test_paths.h"

namespace pqbpf::bpf {
namespace {

using testing::sample_object;

struct ExpectedProgram {
  const char* name;
  const char* section;
  BPFProgramType type;
  std::optional<BPFProgramType> refined;
  const char* attach_target;
  const char* expected_attach_type;
};

ObjectInfo inspect_sample(const std::string& name) {
  auto info = inspect_object_file(sample_object(name));
  EXPECT_TRUE(info.ok()) << (info.ok() ? "" : info.error().message);
  if (!info.ok()) return {};
  return std::move(info).value();
}

void expect_programs(const ObjectInfo& info, const std::vector<ExpectedProgram>& expected) {
  ASSERT_EQ(info.programs.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const ProgramInfo& p = info.programs[i];
    const ExpectedProgram& e = expected[i];
    EXPECT_EQ(p.name, e.name);
    EXPECT_EQ(p.section, e.section);
    ASSERT_TRUE(p.type.has_value()) << p.name;
    EXPECT_EQ(*p.type, e.type) << p.name;
    EXPECT_EQ(p.refined_type, e.refined) << p.name;
    EXPECT_EQ(p.attach_target, e.attach_target) << p.name;
    EXPECT_EQ(p.expected_attach_type, e.expected_attach_type) << p.name;
    EXPECT_GT(p.insn_count, 0u);
    EXPECT_EQ(p.size, p.insn_count * 8);
    EXPECT_EQ(p.insn_sha3_256.size(), 64u);
  }
}

void expect_common(const ObjectInfo& info) {
  EXPECT_EQ(info.reader, "libbpf");
  EXPECT_EQ(info.fallback_reason, "");
  EXPECT_TRUE(info.unknown.empty());
  EXPECT_TRUE(info.has_btf);
  EXPECT_TRUE(info.has_btf_ext);
  EXPECT_EQ(info.endianness, Endianness::kLittle);
  EXPECT_EQ(info.libbpf_version,
            std::to_string(libbpf_major_version()) + "." + std::to_string(libbpf_minor_version()));
}

TEST(SamplesTest, InspectTraceReadListsKprobeAndKretprobe) {
  const ObjectInfo info = inspect_sample("trace_read");
  expect_common(info);
  expect_programs(info, {{"trace_read_entry", "kprobe/ksys_read", BPFProgramType::kKprobe,
                          std::nullopt, "ksys_read", ""},
                         {"trace_read_return", "kretprobe/ksys_read", BPFProgramType::kKprobe,
                          BPFProgramType::kKretprobe, "ksys_read", ""}});
  EXPECT_EQ(program_type_label(info.programs[1]), "kretprobe");
  ASSERT_EQ(info.maps.size(), 1u);
  EXPECT_EQ(info.maps[0].name, "read_calls");
  EXPECT_EQ(info.maps[0].type, "hash");
  EXPECT_EQ(info.maps[0].key_size, 4u);
  EXPECT_EQ(info.maps[0].value_size, 8u);
  EXPECT_EQ(info.maps[0].max_entries, 1024u);
  EXPECT_EQ(info.license, "GPL");
}

TEST(SamplesTest, InspectTracepointExecListsTracepointWithTarget) {
  const ObjectInfo info = inspect_sample("tracepoint_exec");
  expect_common(info);
  expect_programs(info, {{"count_exec", "tracepoint/sched/sched_process_exec",
                          BPFProgramType::kTracepoint, std::nullopt, "sched/sched_process_exec", ""}});
  ASSERT_EQ(info.maps.size(), 1u);
  EXPECT_EQ(info.maps[0].type, "array");
  EXPECT_EQ(info.license, "GPL");
}

TEST(SamplesTest, InspectXdpPassListsXdpWithoutTarget) {
  const ObjectInfo info = inspect_sample("xdp_pass");
  expect_common(info);
  expect_programs(info, {{"xdp_pass_count", "xdp", BPFProgramType::kXdp, std::nullopt, "", "xdp"}});
  ASSERT_EQ(info.maps.size(), 1u);
  EXPECT_EQ(info.maps[0].type, "percpu_array");
  EXPECT_EQ(info.license, "Dual MIT/GPL");
}

TEST(SamplesTest, InspectLsmBpfListsLsmHook) {
  const ObjectInfo info = inspect_sample("lsm_bpf");
  expect_common(info);
  expect_programs(info, {{"check_bpf", "lsm/bpf", BPFProgramType::kLsm, std::nullopt, "bpf", "lsm_mac"}});
  EXPECT_TRUE(info.maps.empty());
  EXPECT_EQ(info.license, "GPL");
}

TEST(SamplesTest, InspectMixedObjectListsBothTypes) {
  const ObjectInfo info = inspect_sample("mixed_kprobe_lsm");
  expect_common(info);
  expect_programs(info, {{"count_openat", "kprobe/do_sys_openat2", BPFProgramType::kKprobe,
                          std::nullopt, "do_sys_openat2", ""},
                         {"watch_file_open", "lsm/file_open", BPFProgramType::kLsm, std::nullopt,
                          "file_open", "lsm_mac"}});
  ASSERT_NE(find_program(info, "watch_file_open"), nullptr);
  EXPECT_EQ(find_program(info, "nope"), nullptr);
}

TEST(SamplesTest, InspectSocketFilterListsSocketFilter) {
  const ObjectInfo info = inspect_sample("socket_filter");
  expect_common(info);
  expect_programs(info, {{"accept_all", "socket", BPFProgramType::kSocketFilter, std::nullopt, "", ""}});
  EXPECT_EQ(info.license, "Dual BSD/GPL");
}

const char* const kSamples[] = {"trace_read", "tracepoint_exec", "xdp_pass",
                                "lsm_bpf",    "mixed_kprobe_lsm", "socket_filter"};

// The hash covers section[offset, offset+size) of the file, nothing else.
TEST(SamplesTest, InspectEverySampleHashesTheFunctionBytesOfItsSection) {
  for (const char* name : kSamples) {
    auto bytes = read_file(sample_object(name), kMaxObjectFileSize);
    ASSERT_TRUE(bytes.ok());
    auto image = internal::parse_elf_image(*bytes, name);
    ASSERT_TRUE(image.ok()) << image.error().message;
    auto info = inspect_object(*bytes, name);
    ASSERT_TRUE(info.ok());
    for (const auto& p : info->programs) {
      const internal::ElfSection* sec = image->find_section(p.section);
      ASSERT_NE(sec, nullptr);
      const auto digest = crypto::sha3_256(sec->bytes.subspan(p.section_offset, p.size));
      EXPECT_EQ(p.insn_sha3_256, crypto::to_hex(digest)) << name << " " << p.name;
    }
  }
}

// Before load, libbpf's copy of a program's instructions is the same bytes.
TEST(SamplesTest, InspectEverySampleHashEqualsLibbpfPreloadInstructions) {
  for (const char* name : kSamples) {
    auto info = inspect_object_file(sample_object(name));
    ASSERT_TRUE(info.ok());
    libbpf_set_print(nullptr);
    bpf_object* obj = bpf_object__open_file(sample_object(name).c_str(), nullptr);
    ASSERT_NE(obj, nullptr) << name;
    bpf_program* prog = nullptr;
    std::size_t seen = 0;
    bpf_object__for_each_program(prog, obj) {
      const ProgramInfo* p = find_program(*info, bpf_program__name(prog));
      ASSERT_NE(p, nullptr);
      const auto* insns = reinterpret_cast<const std::uint8_t*>(bpf_program__insns(prog));
      const std::size_t n = bpf_program__insn_cnt(prog) * sizeof(bpf_insn);
      EXPECT_EQ(p->insn_count, bpf_program__insn_cnt(prog));
      EXPECT_EQ(p->insn_sha3_256, crypto::to_hex(crypto::sha3_256(std::span(insns, n)))) << p->name;
      ++seen;
    }
    EXPECT_EQ(seen, info->programs.size());
    bpf_object__close(obj);
  }
}

TEST(SamplesTest, InspectTwiceGivesIdenticalResults) {
  auto a = inspect_object_file(sample_object("mixed_kprobe_lsm"));
  auto b = inspect_object_file(sample_object("mixed_kprobe_lsm"));
  ASSERT_TRUE(a.ok() && b.ok());
  ASSERT_EQ(a->programs.size(), b->programs.size());
  for (std::size_t i = 0; i < a->programs.size(); ++i) {
    EXPECT_EQ(a->programs[i].insn_sha3_256, b->programs[i].insn_sha3_256);
  }
  ASSERT_EQ(a->code_sections.size(), b->code_sections.size());
}

// libbpf's print hook is process-wide; inspect_object() serialises it.
TEST(SamplesTest, InspectFromManyThreadsGivesSameResults) {
  auto expected = inspect_object_file(sample_object("mixed_kprobe_lsm"));
  ASSERT_TRUE(expected.ok());
  std::vector<std::thread> threads;
  std::vector<int> mismatches(4, 0);
  for (int t = 0; t < 4; ++t) {
    threads.emplace_back([&, t] {
      for (int i = 0; i < 20; ++i) {
        auto r = inspect_object_file(sample_object(kSamples[(t + i) % 6]));
        auto m = inspect_object_file(sample_object("mixed_kprobe_lsm"));
        if (!r.ok() || !m.ok() || m->programs.size() != expected->programs.size() ||
            m->programs[1].insn_sha3_256 != expected->programs[1].insn_sha3_256) {
          ++mismatches[t];
        }
      }
    });
  }
  for (auto& th : threads) th.join();
  for (int t = 0; t < 4; ++t) EXPECT_EQ(mismatches[t], 0) << "thread " << t;
}

TEST(SamplesTest, InspectMissingFileFailsWithNotFound) {
  auto r = inspect_object_file("/nonexistent/x.bpf.o");
  ASSERT_FALSE(r.ok());
  EXPECT_EQ(r.error().code, ErrorCode::kNotFound);
  EXPECT_EQ(r.error().message.rfind("/nonexistent/x.bpf.o: ", 0), 0u);
}

}  // namespace
}  // namespace pqbpf::bpf
