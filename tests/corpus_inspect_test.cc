// Every object of the shared corpus (../shared/bpf-corpus, MANIFEST.tsv)
// through inspect_object_file(): each is inspected or refused with one clear
// line, none crashes (each file is first tried in a child process, so a crash
// is counted rather than ending the run). Where inspection works, the code
// sections, endianness, BTF flag and license equal the MANIFEST's columns,
// and where Debian's libbpf 1.1 opened the file (NOTES.tsv) we list the
// same number of programs.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cstdlib>
#include <fstream>
#include <iostream>
#include <map>
#include <sstream>

#include "pqbpf/bpf/object_format.h"
#include "pqbpf/bpf/object_info.h"

namespace pqbpf::bpf {
namespace {

using Table = std::vector<std::vector<std::string>>;

std::vector<std::string> split(const std::string& s, char sep) {
  std::vector<std::string> out;
  std::string cur;
  std::istringstream in(s);
  while (std::getline(in, cur, sep)) out.push_back(cur);
  if (!s.empty() && s.back() == sep) out.emplace_back();
  return out;
}

Table read_tsv(const std::string& path) {
  Table rows;
  std::ifstream in(path);
  std::string line;
  bool header = true;
  while (std::getline(in, line)) {
    if (header) {
      header = false;
      continue;
    }
    if (!line.empty()) rows.push_back(split(line, '\t'));
  }
  return rows;
}

std::string corpus_dir() {
  const char* d = std::getenv("PQBPF_SHARED_DIR");
  return std::string(d != nullptr ? d : "../shared") + "/bpf-corpus";
}

bool shared_available() {
  const char* h = std::getenv("PQBPF_HAVE_SHARED");
  return h != nullptr && std::string(h) == "ON";
}

enum class Outcome { kInspected, kRefused, kCrashed };

// Runs the inspection in a child: exit 0 inspected, 3 refused, else crashed.
Outcome outcome_in_child(const std::string& path) {
  std::cout.flush();
  const pid_t pid = fork();
  if (pid == 0) {
    auto r = inspect_object_file(path);
    if (r.ok()) {
      (void)object_info_to_json(*r).dump();
      (void)format_object_info_text(*r);
    }
    _exit(r.ok() ? 0 : 3);
  }
  int status = 0;
  if (pid < 0 || waitpid(pid, &status, 0) != pid) return Outcome::kCrashed;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 0) return Outcome::kInspected;
  if (WIFEXITED(status) && WEXITSTATUS(status) == 3) return Outcome::kRefused;
  return Outcome::kCrashed;
}

TEST(CorpusInspectTest, InspectEveryCorpusObjectInspectsOrRefusesClearlyNeverCrashes) {
  if (!shared_available()) GTEST_SKIP() << "PQBPF_HAVE_SHARED is OFF";
  const std::string dir = corpus_dir();
  const Table manifest = read_tsv(dir + "/MANIFEST.tsv");
  ASSERT_GT(manifest.size(), 50u);
  std::map<std::string, std::string> libbpf_open;  // file -> NOTES libbpf_1_1_open
  for (const auto& row : read_tsv(dir + "/NOTES.tsv")) {
    if (row.size() > 8) libbpf_open[row[0]] = row[8];
  }

  int inspected = 0;
  int refused = 0;
  int crashed = 0;
  for (const auto& row : manifest) {
    ASSERT_GE(row.size(), 7u);
    const std::string& file = row[0];
    const std::string path = dir + "/" + file;
    SCOPED_TRACE(file);
    const Outcome outcome = outcome_in_child(path);
    if (outcome == Outcome::kCrashed) {
      ++crashed;
      ADD_FAILURE() << file << ": crashed";
      continue;
    }
    auto r = inspect_object_file(path);
    ASSERT_EQ(r.ok(), outcome == Outcome::kInspected);
    if (!r.ok()) {
      ++refused;
      const std::string& m = r.error().message;
      EXPECT_EQ(r.error().code, ErrorCode::kParse);
      EXPECT_EQ(m.rfind(path + ": ", 0), 0u) << m;
      EXPECT_EQ(m.find('\n'), std::string::npos) << m;
      // Only the corpus's deliberately corrupt files may be refused.
      EXPECT_NE(file.find("invalid__"), std::string::npos) << "refused: " << m;
      std::cout << "  refused   " << m << '\n';
      continue;
    }
    ++inspected;
    const ObjectInfo& info = *r;
    std::vector<std::string> sections;
    for (const auto& s : info.code_sections) sections.push_back(s.name);
    const std::vector<std::string> expected =
        row[6] == "-" ? std::vector<std::string>{} : split(row[6], ',');
    EXPECT_EQ(sections, expected);
    EXPECT_EQ(std::string(endianness_name(info.endianness)), row[3]);
    EXPECT_EQ(info.has_btf ? "yes" : "no", row[4]);
    EXPECT_EQ(info.license, row[5] == "-" ? "" : row[5]);
    for (const auto& p : info.programs) {
      EXPECT_NE(std::find(sections.begin(), sections.end(), p.section), sections.end()) << p.name;
      EXPECT_EQ(p.insn_sha3_256.size(), 64u);
    }
    const std::string& notes = libbpf_open[file];
    if (info.reader == "libbpf" && notes.rfind("ok: ", 0) == 0) {
      EXPECT_EQ(std::to_string(info.programs.size()) + " program(s)",
                notes.substr(4, notes.find(':', 4) - 4));
    }
    if (info.reader == "libbpf") {
      EXPECT_EQ(notes.rfind("ok", 0), 0u) << "libbpf opened what NOTES says it refused";
    }
    std::cout << "  inspected " << file << ": " << info.programs.size() << " program(s), "
              << info.maps.size() << " map(s), reader " << info.reader << '\n';
  }
  std::cout << "corpus: " << inspected << " inspected, " << refused
            << " refused with a clear error, " << crashed << " crashed" << std::endl;
  EXPECT_EQ(crashed, 0);
  EXPECT_EQ(inspected + refused + crashed, static_cast<int>(manifest.size()));
}

}  // namespace
}  // namespace pqbpf::bpf
