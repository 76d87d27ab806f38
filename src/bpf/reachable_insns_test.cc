// ProgramInfo::reachable_insns (issue 11.6): a program's instructions plus
// those of every subprogram it reaches, as libbpf loads it. The reference is
// libbpf itself: bpf_object__load() in gen_loader mode relocates the object
// and appends the subprograms exactly as for a real load, but records the
// bpf() calls instead of making them, so it runs unprivileged.
#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <map>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "elf_builder_test_util.h"
#include "elf_facts.h"
#include "elf_image.h"
#include "libbpf_quiet.h"
#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/file_io.h"
#include "reachable_insns.h"
#include "test_paths.h"

namespace pqbpf::bpf {
namespace {

using Counts = std::map<std::string, std::uint64_t>;

std::string subprog_object() {
  return testing::env_or("PQBPF_BINARY_DIR", ".") + "/src/bpf/subprog_calls.bpf.o";
}

std::vector<std::uint8_t> load(const std::string& path) {
  auto r = read_file(path, kMaxObjectFileSize);
  EXPECT_TRUE(r.ok()) << (r.ok() ? "" : r.error().message);
  return r.ok() ? std::move(r).value() : std::vector<std::uint8_t>{};
}

struct ObjectCloser {
  void operator()(bpf_object* o) const { bpf_object__close(o); }
};

// libbpf's instruction count per program after relocation, or nullopt when
// libbpf cannot dry-run this object.
std::optional<Counts> libbpf_loaded_counts(const std::vector<std::uint8_t>& bytes) {
  std::optional<Counts> out;
  std::vector<std::uint8_t> copy(bytes);
  (void)internal::with_libbpf_quiet([&] {
    LIBBPF_OPTS(bpf_object_open_opts, opts, .object_name = "oracle");
    std::unique_ptr<bpf_object, ObjectCloser> obj(bpf_object__open_mem(copy.data(), copy.size(), &opts));
    if (!obj) return;
    LIBBPF_OPTS(gen_loader_opts, gen);
    if (bpf_object__gen_loader(obj.get(), &gen) != 0 || bpf_object__load(obj.get()) != 0) return;
    Counts counts;
    bpf_program* prog = nullptr;
    bpf_object__for_each_program(prog, obj.get()) {
      counts[bpf_program__name(prog)] = bpf_program__insn_cnt(prog);
    }
    out = std::move(counts);
  });
  return out;
}

const ProgramInfo& program(const ObjectInfo& info, const std::string& name) {
  const ProgramInfo* p = find_program(info, name);
  EXPECT_NE(p, nullptr) << name;
  static const ProgramInfo none;
  return p != nullptr ? *p : none;
}

TEST(ReachableInsnsTest, SmallEntryCountsTheSubprogramsItCalls) {
  const auto bytes = load(subprog_object());
  auto info = inspect_object(bytes, "subprog_calls.bpf.o");
  ASSERT_TRUE(info.ok()) << info.error().message;
  EXPECT_TRUE(info->unknown.empty()) << info->unknown.front();

  // small_entry is a few instructions; the global heavy() it calls (and the
  // static mix() heavy calls) are hundreds.
  const ProgramInfo& entry = program(*info, "small_entry");
  EXPECT_LT(entry.insn_count, 20u);
  ASSERT_TRUE(entry.reachable_insns.has_value());
  EXPECT_GT(*entry.reachable_insns, 200u);

  // The bpf_loop callback and what it calls are loaded with loop_entry.
  const ProgramInfo& loop = program(*info, "loop_entry");
  ASSERT_TRUE(loop.reachable_insns.has_value());
  EXPECT_GT(*loop.reachable_insns, loop.insn_count);
  EXPECT_LT(*loop.reachable_insns, *entry.reachable_insns);  // heavy() is not reached

  const ProgramInfo& plain = program(*info, "no_calls");
  EXPECT_EQ(plain.reachable_insns, std::optional<std::uint64_t>(plain.insn_count));

  // Exactly what libbpf loads.
  const auto loaded = libbpf_loaded_counts(bytes);
  ASSERT_TRUE(loaded.has_value()) << "libbpf could not dry-run the sample";
  for (const char* name : {"small_entry", "loop_entry", "no_calls"}) {
    ASSERT_TRUE(loaded->count(name)) << name;
    EXPECT_EQ(program(*info, name).reachable_insns, std::optional<std::uint64_t>(loaded->at(name)))
        << name;
  }
}

TEST(ReachableInsnsTest, ElfReaderCountsTheSame) {
  // The fallback reader lists programs from symbols; the walk is the same.
  const auto bytes = load(subprog_object());
  auto image = internal::parse_elf_image(bytes, "s.o");
  ASSERT_TRUE(image.ok()) << image.error().message;
  auto info = inspect_object(bytes, "s.o");
  ASSERT_TRUE(info.ok());
  auto programs = internal::elf_programs(*image, "s.o");
  ASSERT_TRUE(programs.ok()) << programs.error().message;
  std::vector<std::string> unknown;
  internal::count_reachable_insns(*image, *programs, unknown);
  EXPECT_TRUE(unknown.empty());
  ASSERT_EQ(programs->size(), info->programs.size());
  for (std::size_t i = 0; i < programs->size(); ++i) {
    EXPECT_EQ((*programs)[i].reachable_insns, info->programs[i].reachable_insns) << (*programs)[i].name;
  }
}

// Every sample and corpus object libbpf can dry-run: same counts.
TEST(ReachableInsnsTest, MatchesLibbpfOnSamplesAndCorpus) {
  std::vector<std::string> paths = {subprog_object()};
  for (const char* s : {"trace_read", "tracepoint_exec", "xdp_pass", "lsm_bpf", "mixed_kprobe_lsm",
                        "socket_filter"}) {
    paths.push_back(testing::sample_object(s));
  }
  if (testing::have_shared()) {
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(testing::corpus_dir(), ec)) {
      if (e.is_regular_file() && e.path().extension() == ".o") paths.push_back(e.path().string());
    }
  }
  int compared = 0;
  for (const auto& path : paths) {
    const auto bytes = load(path);
    auto info = inspect_object(bytes, path);
    if (!info.ok() || info->reader != "libbpf") continue;  // refused or fallback: libbpf cannot say
    const auto loaded = libbpf_loaded_counts(bytes);
    if (!loaded) continue;
    for (const auto& p : info->programs) {
      auto it = loaded->find(p.name);
      if (it == loaded->end()) continue;
      EXPECT_EQ(p.reachable_insns, std::optional<std::uint64_t>(it->second)) << path << ": " << p.name;
    }
    ++compared;
  }
  EXPECT_GE(compared, 7) << "the samples must all be compared";
  std::cout << "compared " << compared << " of " << paths.size() << " objects with libbpf\n";
}

// --- crafted call graphs ----------------------------------------------------

using testing::Bytes;

void put_insn(Bytes& code, std::size_t index, std::uint8_t op, std::uint8_t regs, std::int32_t imm) {
  code[index * 8] = op;
  code[index * 8 + 1] = regs;
  testing::put_le(code, index * 8 + 4, static_cast<std::uint32_t>(imm), 4);
}
constexpr std::uint8_t kCall = 0x85, kExit = 0x95, kPseudoCallRegs = 0x10;  // src_reg 1

// "xdp" prog: call f (relocated, imm -1); exit. .text: f calls g, g calls f
// (both relative, unrelocated) and, when `stray`, g also calls past .text.
Bytes recursive_object(bool stray) {
  testing::ElfBuilder b;
  Bytes text(5 * 8, 0);
  put_insn(text, 0, kCall, kPseudoCallRegs, 1);   // f: call g (0 + 1 + 1 = 2)
  put_insn(text, 1, kExit, 0, 0);
  put_insn(text, 2, kCall, kPseudoCallRegs, -3);  // g: call f (2 - 3 + 1 = 0)
  put_insn(text, 3, kCall, kPseudoCallRegs, stray ? 100 : -4);  // g: stray, or f again
  put_insn(text, 4, kExit, 0, 0);
  Bytes prog(2 * 8, 0);
  put_insn(prog, 0, kCall, kPseudoCallRegs, -1);
  put_insn(prog, 1, kExit, 0, 0);
  const std::size_t text_index = b.add({.name = ".text",
                                        .flags = testing::kShfAlloc | testing::kShfExecinstr,
                                        .data = text,
                                        .align = 8});
  const std::size_t xdp = b.add({.name = "xdp",
                                 .flags = testing::kShfAlloc | testing::kShfExecinstr,
                                 .data = prog,
                                 .align = 8});
  b.add({.name = "license", .flags = testing::kShfAlloc | testing::kShfWrite, .data = Bytes{'G', 'P', 'L', 0}});
  const std::size_t symtab = testing::add_symbols(
      b, {{.name = "f", .section = text_index, .value = 0, .size = 16},
          {.name = "g", .section = text_index, .value = 16, .size = 24},
          {.name = "prog", .section = xdp, .value = 0, .size = 16}});
  testing::add_call_relocations(b, "xdp", xdp, symtab, {{0, 1}});  // symbol 1 is f
  return b.build(testing::ElfBuilder::Numbering::kDirect);
}

TEST(ReachableInsnsTest, MutualRecursionCountsEachSubprogramOnce) {
  const Bytes obj = recursive_object(false);
  auto info = inspect_object(obj, "rec.o");
  ASSERT_TRUE(info.ok()) << info.error().message;
  const ProgramInfo& p = program(*info, "prog");
  EXPECT_EQ(p.insn_count, 2u);
  EXPECT_EQ(p.reachable_insns, std::optional<std::uint64_t>(2 + 2 + 3));
  const auto loaded = libbpf_loaded_counts(obj);
  ASSERT_TRUE(loaded.has_value());
  EXPECT_EQ(p.reachable_insns, std::optional<std::uint64_t>(loaded->at("prog")));
}

TEST(ReachableInsnsTest, CallIntoNoFunctionLeavesTheCountUnknown) {
  auto info = inspect_object(recursive_object(true), "stray.o");
  ASSERT_TRUE(info.ok()) << info.error().message;
  const ProgramInfo& p = program(*info, "prog");
  EXPECT_FALSE(p.reachable_insns.has_value());
  ASSERT_FALSE(info->unknown.empty());
  EXPECT_EQ(info->unknown.back(),
            "instructions reachable from program 'prog' (instruction 3 of .text calls .text "
            "instruction 104, which is in no .text function)");
  // libbpf refuses to load it too.
  EXPECT_FALSE(libbpf_loaded_counts(recursive_object(true)).has_value());
}

// `programs` xdp programs, each calling the head of a chain of `chain` .text
// functions (each calls the next; none relocated): every program walks the
// whole chain, `chain` steps each.
Bytes chain_object(std::size_t programs, std::size_t chain) {
  testing::ElfBuilder b;
  Bytes text(chain * 16, 0);
  for (std::size_t i = 0; i < chain; ++i) {
    if (i + 1 < chain) {
      put_insn(text, 2 * i, kCall, kPseudoCallRegs, 1);  // -> 2i + 2
    } else {
      put_insn(text, 2 * i, 0xb7, 0, 0);  // r0 = 0: valid code, so the packet write analysis has no doubt
    }
    put_insn(text, 2 * i + 1, kExit, 0, 0);
  }
  Bytes prog(programs * 16, 0);
  for (std::size_t i = 0; i < programs; ++i) {
    put_insn(prog, 2 * i, kCall, kPseudoCallRegs, -static_cast<std::int32_t>(2 * i) - 1);  // -> 0
    put_insn(prog, 2 * i + 1, kExit, 0, 0);
  }
  const std::size_t text_index = b.add(
      {.name = ".text", .flags = testing::kShfAlloc | testing::kShfExecinstr, .data = text, .align = 8});
  const std::size_t xdp = b.add(
      {.name = "xdp", .flags = testing::kShfAlloc | testing::kShfExecinstr, .data = prog, .align = 8});
  b.add({.name = "license", .flags = testing::kShfAlloc | testing::kShfWrite, .data = Bytes{'G', 'P', 'L', 0}});
  std::vector<testing::Sym> syms;
  for (std::size_t i = 0; i < chain; ++i) {
    syms.push_back({.name = "f" + std::to_string(i), .section = text_index, .value = 16 * i, .size = 16});
  }
  for (std::size_t i = 0; i < programs; ++i) {
    syms.push_back({.name = "p" + std::to_string(i), .section = xdp, .value = 16 * i, .size = 16});
  }
  testing::add_symbols(b, syms);
  return b.build(testing::ElfBuilder::Numbering::kDirect);
}

TEST(ReachableInsnsTest, CallGraphStepsAtLimitKnownAndPastUnknown) {
  static_assert(internal::kMaxCallGraphSteps == (1u << 22));
  constexpr std::size_t kChain = 2048, kPrograms = internal::kMaxCallGraphSteps / kChain;
  auto at = inspect_object(chain_object(kPrograms, kChain), "at.o");
  ASSERT_TRUE(at.ok()) << at.error().message;
  ASSERT_EQ(at->programs.size(), kPrograms);
  for (const auto& p : at->programs) {
    ASSERT_EQ(p.reachable_insns, std::optional<std::uint64_t>(2 + 2 * kChain)) << p.name;
  }
  EXPECT_TRUE(at->unknown.empty());

  // One program more: its first step is past the cap.
  auto past = inspect_object(chain_object(kPrograms + 1, kChain), "past.o");
  ASSERT_TRUE(past.ok()) << past.error().message;
  ASSERT_EQ(past->programs.size(), kPrograms + 1);
  EXPECT_TRUE(past->programs[kPrograms - 1].reachable_insns.has_value());
  EXPECT_FALSE(past->programs[kPrograms].reachable_insns.has_value());
  ASSERT_EQ(past->unknown.size(), 1u);
  EXPECT_EQ(past->unknown[0], "instructions reachable from program 'p" + std::to_string(kPrograms) +
                                  "' (the call graph walk passed 4194304 steps)");
}

}  // namespace
}  // namespace pqbpf::bpf
