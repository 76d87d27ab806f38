// The reader's helper and kfunc lists against an independent disassembler
// (issue 17): for every sample and every corpus object the reader accepts,
// each program's helpers equal the `call N` instructions (src_reg 0, no
// relocation) that `llvm-objdump -dr` shows in the program's own range and
// in the .text subprograms it reaches, and its kfuncs equal the symbols of
// the relocated calls whose symbol `llvm-objdump -t` shows as *UND*.
#include <gtest/gtest.h>

#include <cstdio>
#include <filesystem>
#include <map>
#include <memory>
#include <regex>
#include <set>
#include <sstream>
#include <string>
#include <vector>

#include "elf_image.h"
#include "pqbpf/bpf/capabilities.h"
#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/file_io.h"
#include "reachable_insns.h"
#include "test_paths.h"

namespace pqbpf::bpf {
namespace {

const char* kObjdump = "llvm-objdump";

bool have_objdump() { return std::system("llvm-objdump --version >/dev/null 2>&1") == 0; }

// Runs a command; nullopt unless it exits 0.
std::optional<std::string> run(const std::string& command) {
  std::unique_ptr<FILE, int (*)(FILE*)> pipe(popen(command.c_str(), "r"), pclose);
  if (!pipe) return std::nullopt;
  std::string out;
  char buf[65536];
  std::size_t n;
  while ((n = fread(buf, 1, sizeof buf, pipe.get())) > 0) out.append(buf, n);
  const int status = pclose(pipe.release());
  if (status != 0) return std::nullopt;
  return out;
}

std::string quoted(const std::string& path) {
  std::string out = "'";
  for (char c : path) out += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return out + "'";
}

// One call instruction as the disassembler shows it.
struct Call {
  std::uint64_t index = 0;              // instruction index in its section
  std::optional<std::int64_t> helper;   // `call N`, src_reg 0, not relocated
  std::optional<std::string> symbol;    // relocated: the symbol's name
};

struct Disassembly {
  std::map<std::string, std::vector<Call>> calls;  // by section
  std::set<std::string> undefined;                 // *UND* symbols
};

std::optional<Disassembly> disassemble(const std::string& path) {
  auto text = run(std::string(kObjdump) + " -dr " + quoted(path) + " 2>/dev/null");
  auto symbols = run(std::string(kObjdump) + " -t " + quoted(path) + " 2>/dev/null");
  if (!text || !symbols) return std::nullopt;
  Disassembly d;
  static const std::regex section_re(R"(^Disassembly of section (.*):$)");
  static const std::regex insn_re(R"(^\s*(\d+):\t((?:[0-9a-f]{2} ?)+)\t(.*)$)");
  static const std::regex reloc_re(R"(^\s+([0-9a-f]+):\s+R_BPF_\S+\s+(\S+)\s*$)");
  static const std::regex call_re(R"(^call (-?\d+)$)");
  std::string section;
  std::istringstream lines(*text);
  std::string line;
  std::smatch m;
  while (std::getline(lines, line)) {
    // std::regex is slow: only lines that can matter go through it.
    const bool interesting = line.rfind("Disassembly", 0) == 0 || line.find("R_BPF_") != std::string::npos ||
                             line.find(":\t85 ") != std::string::npos;
    if (!interesting) continue;
    if (std::regex_match(line, m, section_re)) {
      section = m[1];
      continue;
    }
    if (std::regex_match(line, m, reloc_re)) {
      const std::uint64_t index = std::stoull(m[1], nullptr, 16) / 8;
      auto& calls = d.calls[section];
      if (!calls.empty() && calls.back().index == index) {
        calls.back().symbol = m[2];
        calls.back().helper.reset();
      }
      continue;
    }
    if (!std::regex_match(line, m, insn_re)) continue;
    const std::string bytes = m[2];
    if (bytes.rfind("85 ", 0) != 0) continue;  // not BPF_JMP|BPF_CALL|BPF_K
    Call call;
    call.index = std::stoull(m[1]);
    std::smatch c;
    const std::string insn = m[3];
    // Both register nibbles zero: src_reg 0 in either byte order.
    if (bytes.substr(3, 2) == "00" && std::regex_match(insn, c, call_re)) call.helper = std::stoll(c[1]);
    d.calls[section].push_back(call);
  }
  std::istringstream sym_lines(*symbols);
  static const std::regex und_re(R"(\*UND\*\s+[0-9a-f]+\s+(\S+)\s*$)");
  while (std::getline(sym_lines, line)) {
    if (std::regex_search(line, m, und_re)) d.undefined.insert(m[1]);
  }
  return d;
}

void collect(const Disassembly& d, const std::string& section, std::uint64_t offset, std::uint64_t size,
             std::set<std::int32_t>& helpers, std::set<std::string>& kfuncs) {
  auto it = d.calls.find(section);
  if (it == d.calls.end()) return;
  for (const Call& call : it->second) {
    if (call.index < offset / 8 || call.index >= (offset + size) / 8) continue;
    if (call.helper) helpers.insert(static_cast<std::int32_t>(*call.helper));
    if (call.symbol && d.undefined.count(*call.symbol) != 0) kfuncs.insert(*call.symbol);
  }
}

std::vector<std::string> objects_to_compare() {
  std::vector<std::string> paths = {
      testing::env_or("PQBPF_BINARY_DIR", ".") + "/src/bpf/capability_calls.bpf.o",
      testing::env_or("PQBPF_BINARY_DIR", ".") + "/src/bpf/subprog_calls.bpf.o"};
  for (const char* s : {"trace_read", "tracepoint_exec", "xdp_pass", "lsm_bpf", "mixed_kprobe_lsm",
                        "socket_filter"}) {
    paths.push_back(testing::sample_object(s));
  }
  if (testing::have_shared()) {
    std::error_code ec;
    for (const auto& e : std::filesystem::recursive_directory_iterator(testing::corpus_dir(), ec)) {
      const auto ext = e.path().extension();
      if (e.is_regular_file() && ext != ".tsv" && ext != ".md" && ext != ".txt") {
        paths.push_back(e.path().string());
      }
    }
  }
  return paths;
}

TEST(ObjdumpCalls, HelpersAndKfuncsMatchLlvmObjdumpOnSamplesAndCorpus) {
  if (!have_objdump()) GTEST_SKIP() << "llvm-objdump not found (Debian package llvm)";
  int compared_objects = 0, compared_programs = 0, with_kfuncs = 0, refused = 0;
  for (const auto& path : objects_to_compare()) {
    auto bytes = read_file(path, kMaxObjectFileSize);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    auto info = inspect_object(*bytes, path);
    if (!info.ok()) {
      ++refused;  // the corpus's deliberately corrupt objects
      continue;
    }
    const auto d = disassemble(path);
    if (!d) {
      ADD_FAILURE() << path << ": llvm-objdump failed on an object the reader accepted";
      continue;
    }
    // The .text ranges each program reaches, as the reader walked them.
    auto image = internal::parse_elf_image(*bytes, path);
    ASSERT_TRUE(image.ok());
    std::vector<ProgramInfo> copy = info->programs;
    std::vector<std::string> unknown;
    std::vector<std::vector<internal::TextRange>> reached;
    internal::count_reachable_insns(*image, copy, unknown, &reached);
    for (std::size_t i = 0; i < info->programs.size(); ++i) {
      const ProgramInfo& p = info->programs[i];
      std::set<std::int32_t> helpers;
      std::set<std::string> kfuncs;
      collect(*d, p.section, p.section_offset, p.size, helpers, kfuncs);
      if (p.calls_known) {
        for (const auto& r : reached[i]) collect(*d, ".text", r.offset, r.size, helpers, kfuncs);
      }
      EXPECT_EQ(std::vector<std::int32_t>(helpers.begin(), helpers.end()), p.helper_ids)
          << path << ": program " << p.name;
      EXPECT_EQ(std::vector<std::string>(kfuncs.begin(), kfuncs.end()), p.kfuncs)
          << path << ": program " << p.name;
      with_kfuncs += p.kfuncs.empty() ? 0 : 1;
      ++compared_programs;
    }
    ++compared_objects;
  }
  std::cout << "objdump: " << compared_objects << " objects (" << compared_programs << " programs, "
            << with_kfuncs << " with kfuncs) compared, " << refused << " refused by the reader\n";
  EXPECT_GE(compared_objects, 8);
  EXPECT_GE(with_kfuncs, 1);
  if (testing::have_shared()) EXPECT_GE(compared_objects, 60);
}

}  // namespace
}  // namespace pqbpf::bpf
