// make_seeds: writes the committed seed corpora of the fuzz targets with the
// project's own code (real envelopes, key files, .pub files, a signed audit
// log, valid ML-DSA triples), so fuzzing starts from inputs that pass every
// check. Deterministic keys (fixed seeds) keep the files stable and match the
// fixed keys inside the targets (log_verify_fuzzer.cc: 32 x 0x4c).
//
// Usage (normal build): cmake --build build-fuzzg --target fuzz_make_seeds
//                       build-fuzzg/fuzz/replay/fuzz_make_seeds fuzz/corpus
// Policy and ELF seeds are written by hand / compiled from fuzz/seeds/.
#include <array>
#include <chrono>
#include <cstdint>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/core/envelope.h"
#include "pqbpf/core/identity.h"
#include "pqbpf/core/jcs.h"
#include "pqbpf/core/key_file.h"
#include "pqbpf/core/manifest.h"
#include "pqbpf/core/public_key_file.h"
#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/log/log_writer.h"
#ifdef PQBPF_SEEDS_HAVE_ATTEST  // set by fuzz/replay/CMakeLists.txt when attest is built
#include "pqbpf/attest/program.h"
#include "pqbpf/attest/signer.h"
#endif

namespace fs = std::filesystem;
namespace mldsa = pqbpf::crypto::mldsa;
using namespace pqbpf;

namespace {

fs::path g_out;

void write(const std::string& target, const std::string& name, std::string_view bytes) {
  fs::create_directories(g_out / target);
  std::ofstream out(g_out / target / name, std::ios::binary | std::ios::trunc);
  out.write(bytes.data(), static_cast<std::streamsize>(bytes.size()));
  std::printf("%s/%s (%zu bytes)\n", target.c_str(), name.c_str(), bytes.size());
}

std::string_view as_text(std::span<const std::uint8_t> b) {
  return {reinterpret_cast<const char*>(b.data()), b.size()};
}

template <typename T>
T must(Result<T> r, const char* what) {
  if (!r.ok()) {
    std::fprintf(stderr, "%s: %s\n", what, r.error().message.c_str());
    std::exit(1);
  }
  return std::move(r).value();
}

std::array<std::uint8_t, 32> seed_of(std::uint8_t byte) {
  std::array<std::uint8_t, 32> s;
  s.fill(byte);
  return s;
}

void envelopes_and_manifests(const Identity& id) {
  const std::string object = "\x7f" "ELF pretend object bytes for the embedded case";
  const std::string hash = crypto::to_hex(crypto::sha3_256(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(object.data()), object.size())));
  ManifestFields v1;
  v1.format = ManifestFormat::kV1;
  v1.metadata.name = "trace_open";
  v1.metadata.program_type = BPFProgramType::kKprobe;
  v1.metadata.attach_point = "do_sys_openat2";
  v1.metadata.author = "fuzz \xc3\xa9quipe";
  v1.metadata.version = "1.0.0";
  v1.metadata.kernel_min = "5.15";
  v1.sha3_256 = hash;
  v1.size = object.size();
  v1.signer = id.did().str();
  v1.signed_at = "2026-11-29T12:00:00Z";
  ManifestFields v2 = v1;
  v2.format = ManifestFormat::kV2;
  v2.metadata.program_type = BPFProgramType::kUnspec;
  v2.programs = {ManifestProgram{"probe", "kprobe/do_sys_openat2", "kprobe", "do_sys_openat2", 12,
                                 std::string(64, 'b')},
                 ManifestProgram{"drop", "xdp", "xdp", "", 2, std::string(64, 'c')}};
  v2.maps = {ManifestMap{"counts", "hash", 4, 8, 1024}};
  v2.license = "GPL";
  // Format 3: each program's kernel type and what it calls and references.
  ManifestFields v3 = v2;
  v3.format = ManifestFormat::kV3;
  v3.programs[0].type = "kretprobe";
  v3.programs[0].section = "kretprobe/do_sys_openat2";
  v3.programs[0].kernel_type = "kprobe";
  v3.programs[0].helpers = {"bpf_map_lookup_elem", "bpf_probe_read_kernel", "unknown#4242"};
  v3.programs[0].kfuncs = {"bpf_rcu_read_lock"};
  v3.programs[0].maps = {"counts", "object.rodata"};
  v3.programs[0].calls_known = true;
  v3.programs[1].kernel_type = "xdp";
  v3.programs[1].helpers = {"bpf_redirect_map"};
  v3.programs[1].calls_known = false;

  int n = 0;
  for (const auto& fields : {v1, v2, v3}) {
    const Manifest m = must(Manifest::create(fields), "manifest");
    const std::string bytes = m.canonical_bytes();
    write("manifest", "canonical_v" + std::to_string(++n) + ".json", bytes);
    write("manifest", "pretty_v" + std::to_string(n) + ".json", m.to_json().dump(2));
    const auto msg = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(bytes.data()), bytes.size());
    auto sig = must(mldsa::sign(id.private_key(), msg, signature_context(), mldsa::SigningMode::kDeterministic), "sign");
    auto env = must(Envelope::create(m, id.public_key(), sig), "envelope");
    write("envelope", "v" + std::to_string(n) + ".sig.json", serialize_envelope(env));
    if (n == 2) {
      std::vector<std::uint8_t> obj(object.begin(), object.end());
      auto embedded = must(Envelope::create(m, id.public_key(), sig, obj), "embedded envelope");
      write("envelope", "v2_embedded.sig.json", serialize_envelope(embedded));
    }
  }
  // JCS corner cases: escapes, non-ASCII, nesting, integer edges, key order.
  write("manifest", "jcs_strings.json", R"({"b":"\u00e9\ud83d\ude00\t\"\\\u001f","a":[1,-9007199254740991,9007199254740991,0]})");
  write("manifest", "jcs_nested.json", R"({"z":{"y":{"x":[[],{},[{"\u20ac":null,"$":true,"":false}]]}}})");
}

void key_files(const Identity& id) {
  KeySaveOptions plain;
  auto text = must(serialize_key_file(id, plain), "plain key file");
  write("key_file", "plain.key", as_text(text.span()));
  KeySaveOptions sealed;
  sealed.kdf = KdfLimits::minimum();
  const std::string_view pass = "fuzz-passphrase";
  sealed.passphrase = crypto::SecureBytes(
      std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(pass.data()), pass.size()));
  auto sealed_text = must(serialize_key_file(id, sealed), "sealed key file");
  write("key_file", "sealed.key", as_text(sealed_text.span()));
  write("public_key_file", "signer.pub", must(serialize_public_key_file(id.public_identity()), "pub"));
}

void audit_log() {
  const auto seed = seed_of(0x4c);
  auto pair = mldsa::generate_key_pair(mldsa::ParameterSet::kMlDsa65, std::span<const std::uint8_t, 32>(seed));
  auto signer = must(log::LogSigner::create(pair.private_key, pair.public_key), "log signer");
  const fs::path dir = fs::temp_directory_path() / "pqbpf-make-seeds-log";
  fs::remove_all(dir);
  fs::create_directories(dir);
  const std::string path = (dir / "audit.log").string();
  log::LogOptions options;
  options.durability = log::Durability::kNone;
  options.checkpoint_every = 3;
  options.rotate_bytes = 0;
  options.host = "fuzz-host";
  {
    auto writer = must(log::LogWriter::open(path, signer, options), "log writer");
    for (int i = 0; i < 5; ++i) {
      log::AttemptRecord a;
      a.decision = i % 2 ? Decision::kAllow : Decision::kDeny;
      a.reason = i % 2 ? ReasonCode::kAllowed : ReasonCode::kUntrustedSigner;
      a.reason_text = "attempt " + std::to_string(i);
      a.actor = log::Actor::named("fuzz");
      a.actor.uid = 0;
      a.actor.pid = 100 + i;
      a.program = "trace_open";
      a.program_types = {"kprobe", "xdp"};
      a.object_sha3_256 = std::string(64, 'a');
      a.envelope_sha3_256 = std::string(64, 'e');
      if (i % 2) a.signer = "did:pqaid:" + std::string(64, 'd');
      (void)must(writer->append(a), "append");
    }
    if (!writer->close().ok()) std::exit(1);
  }
  std::ifstream in(path, std::ios::binary);
  const std::string text((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  write("log_verify", "closed.log", text);
  write("log_reader", "closed.log", text);
  // An unterminated final fragment (a crash mid-write).
  write("log_reader", "torn.log", text + text.substr(0, 40));
  fs::remove_all(dir);
}

void mldsa_triples() {
  const std::string_view msg = "a message";
  const std::string_view ctx = "pqc-bpf/v1";
  int set_index = 0;
  for (auto set : {mldsa::ParameterSet::kMlDsa44, mldsa::ParameterSet::kMlDsa65, mldsa::ParameterSet::kMlDsa87}) {
    const auto seed = seed_of(static_cast<std::uint8_t>(0x10 + set_index));
    auto pair = mldsa::generate_key_pair(set, std::span<const std::uint8_t, 32>(seed));
    const auto m = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(msg.data()), msg.size());
    const auto c = std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(ctx.data()), ctx.size());
    auto sig = must(mldsa::sign(pair.private_key, m, c, mldsa::SigningMode::kDeterministic), "sign");
    // Layout of mldsa_verify_fuzzer.cc: [set][flags][ctx_len][delta] ctx pk sig msg.
    std::string input;
    input.push_back(static_cast<char>(set_index));
    input.push_back(0);
    input.push_back(static_cast<char>(ctx.size()));
    input.push_back(static_cast<char>(128));
    input += ctx;
    input += as_text(pair.public_key.bytes());
    input += as_text(sig);
    input += msg;
    write("mldsa_verify", "valid_" + std::string(mldsa::parameter_set_name(set)), input);
    // mldsa_mutate_fuzzer.cc: [set] then 4-byte edits.
    write("mldsa_mutate", "unchanged_" + std::to_string(set_index), std::string(1, static_cast<char>(set_index)));
    const char flip_hint[] = {static_cast<char>(set_index), 0, '\xff', '\xff', 1};
    write("mldsa_mutate", "flip_last_" + std::to_string(set_index), std::string(flip_hint, sizeof flip_hint));
    ++set_index;
  }
}

#ifdef PQBPF_SEEDS_HAVE_ATTEST
// Envelopes signed by the real signer over the elf seed object (run
// make_elf_seeds.sh first), embedded, formats 1, 2 and 3: the verifier target
// starts from envelopes that verify.
void verifier_envelopes(const Identity& id) {
  std::ifstream in(g_out / "elf" / "tiny_btf.bpf.o", std::ios::binary);
  const std::vector<std::uint8_t> object((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  if (object.empty()) {
    std::fprintf(stderr, "no elf/tiny_btf.bpf.o: run fuzz/seeds/make_elf_seeds.sh first\n");
    std::exit(1);
  }
  auto signer = must(BPFSigner::create(id), "signer");
  for (auto format : {ManifestFormat::kV1, ManifestFormat::kV2, ManifestFormat::kV3}) {
    BPFProgramMetadata meta;
    meta.name = "tiny";
    meta.program_type = format == ManifestFormat::kV1 ? BPFProgramType::kKprobe : BPFProgramType::kUnspec;
    auto program = must(BPFProgram::from_bytes(meta, object, "tiny_btf.bpf.o"), "program");
    SignOptions options;
    options.format = format;
    options.embed = true;
    options.signed_at = std::chrono::sys_seconds(std::chrono::seconds(1796000000));
    options.mode = mldsa::SigningMode::kDeterministic;
    auto signed_program = must(signer.sign(program, options), "sign object");
    write("verifier", "tiny_v" + std::to_string(static_cast<int>(format)) + ".sig.json",
          signed_program.to_json());
  }
}
#endif

}  // namespace

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: %s CORPUS_DIR\n", argv[0]);
    return 2;
  }
  g_out = argv[1];
  const auto seed = seed_of(0x53);
  const Identity id = must(Identity::from_seed(seed, "fuzz-signer", {"sign"}, "2026-11-29T12:00:00Z"), "identity");
  envelopes_and_manifests(id);
  key_files(id);
  audit_log();
  mldsa_triples();
#ifdef PQBPF_SEEDS_HAVE_ATTEST
  verifier_envelopes(id);
#endif
  return 0;
}
