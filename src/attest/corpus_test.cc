// Every object of the shared third-party corpus through sign and verify:
// each is signed and verifies (and a one-byte change is rejected), or signing
// refuses it with one line naming the file. Never a crash.
#include <cstdlib>
#include <fstream>
#include <sstream>

#include "attest_test_util.h"

namespace pqbpf {
namespace {

using namespace pqbpf::testing;

std::vector<std::string> corpus_files(const std::string& root) {
  std::vector<std::string> files;
  std::ifstream manifest(root + "/MANIFEST.tsv");
  std::string line;
  std::getline(manifest, line);  // header
  while (std::getline(manifest, line)) {
    const auto tab = line.find('\t');
    if (tab != std::string::npos && tab > 0) files.push_back(line.substr(0, tab));
  }
  return files;
}

TEST(Corpus, SignAndVerifyEveryCorpusObjectWorksOrRefusesWithOneLine) {
  const char* have = std::getenv("PQBPF_HAVE_SHARED");
  const char* shared = std::getenv("PQBPF_SHARED_DIR");
  if (have == nullptr || std::string(have) != "ON" || shared == nullptr) {
    GTEST_SKIP() << "PQBPF_SHARED_DIR with bpf-corpus/ not available";
  }
  const std::string root = std::string(shared) + "/bpf-corpus";
  const auto files = corpus_files(root);
  ASSERT_FALSE(files.empty());
  const auto s = signer(3);
  int signed_v2 = 0, refused = 0;
  for (const auto& name : files) {
    const std::string path = root + "/" + name;
    auto bytes = read_file(path, kMaxObjectFileSize);
    ASSERT_TRUE(bytes.ok()) << bytes.error().message;
    BPFProgramMetadata m;
    m.name = "corpus";
    auto program = BPFProgram::from_bytes(m, *bytes, path);
    ASSERT_TRUE(program.ok());
    auto v2 = s.sign(*program, fixed_time_options());
    if (v2.ok()) {
      ++signed_v2;
      const auto r = BPFVerifier::verify(*v2);
      EXPECT_TRUE(r.valid) << name << ": " << r.error;
      auto tampered = *bytes;
      tampered[tampered.size() / 2] ^= 0x20;
      EXPECT_FALSE(BPFVerifier::verify(v2->envelope, tampered).valid) << name;
    } else {
      ++refused;
      std::cout << "  refused: " << v2.error().message << "\n";
      EXPECT_EQ(v2.error().message.rfind(path + ": ", 0), 0u) << v2.error().message;
      EXPECT_EQ(v2.error().message.find('\n'), std::string::npos) << v2.error().message;
    }
    // Format 1 never needs the reader: it always signs and verifies.
    m.program_type = BPFProgramType::kKprobe;
    auto v1_program = BPFProgram::from_bytes(m, *bytes, path);
    ASSERT_TRUE(v1_program.ok());
    auto v1 = s.sign(*v1_program, fixed_time_options(ManifestFormat::kV1));
    ASSERT_TRUE(v1.ok()) << v1.error().message;
    EXPECT_TRUE(BPFVerifier::verify(*v1).valid) << name;
  }
  std::cout << "corpus: " << files.size() << " objects, " << signed_v2 << " signed in format 2, "
            << refused << " refused with a clear error, 0 crashed\n";
}

}  // namespace
}  // namespace pqbpf
