// mldsa_differential_tool: a line protocol over stdin/stdout that exposes our
// ML-DSA to tests/npm/differential.mjs, which compares it with
// @noble/post-quantum. One process serves a whole run, so the comparison costs
// a pipe round trip per operation instead of a process start.
//
// Requests (one per line, byte strings in lowercase hex, "-" for empty; <set>
// is a FIPS 204 name such as ML-DSA-65):
//   keygen <set> <seed>                     -> ok <pk> <sk>
//   sign <set> <sk> <msg> <ctx> det|hedged  -> ok <sig>
//   sign_rnd <set> <sk> <msg> <ctx> <rnd>   -> ok <sig>   (Sign_internal with M' formatted here)
//   verify <set> <pk> <msg> <ctx> <sig>     -> ok valid | ok invalid <error code>
//   mu <set> <pk> <msg> <ctx>               -> ok <mu>    (external mu, FIPS 204 Algorithm 7 line 6)
//   sign_mu <set> <sk> <mu> <rnd>           -> ok <sig>
//   verify_mu <set> <pk> <mu> <sig>         -> ok valid | ok invalid <error code>
//   quit
// Anything the tool cannot do answers "err <message>" (never a crash), so a
// refusal such as an over-long context is visible to the driver.
#include <algorithm>
#include <cstdint>
#include <iostream>
#include <sstream>
#include <string>
#include <vector>

#include "pqbpf/crypto/mldsa.h"
#include "pqbpf/crypto/sha3.h"

namespace {

using pqbpf::crypto::from_hex;
using pqbpf::crypto::to_hex;
namespace mldsa = pqbpf::crypto::mldsa;
using Bytes = std::vector<std::uint8_t>;

// Parses one hex argument ("-" is empty); false with a message on bad input.
bool parse_hex(const std::string& token, Bytes& out, std::string& error) {
  if (token == "-") {
    out.clear();
    return true;
  }
  auto r = from_hex(token);
  if (!r.ok()) {
    error = "bad hex argument: " + r.error().message;
    return false;
  }
  out = std::move(r).value();
  return true;
}

// Handles one request line and returns the response line.
std::string handle(const std::string& line) {
  std::istringstream in(line);
  std::vector<std::string> args;
  for (std::string t; in >> t;) args.push_back(t);
  if (args.size() < 2) return "err expected '<command> <set> ...'";
  const std::string& cmd = args[0];
  auto set = mldsa::parameter_set_from_name(args[1]);
  if (!set.ok()) return "err " + set.error().message;

  std::vector<Bytes> bytes(args.size());
  std::string error;
  for (std::size_t i = 2; i < args.size(); ++i) {
    if (cmd == "sign" && i == 5) break;  // the mode word is not hex
    if (!parse_hex(args[i], bytes[i], error)) return "err " + error;
  }

  if (cmd == "keygen" && args.size() == 3) {
    if (bytes[2].size() != mldsa::kSeedSize) return "err seed must be 32 bytes";
    const auto kp = mldsa::generate_key_pair(
        *set, std::span<const std::uint8_t, mldsa::kSeedSize>(bytes[2].data(), mldsa::kSeedSize));
    return "ok " + to_hex(kp.public_key.bytes()) + " " +
           to_hex(kp.private_key.expose_secret_encoding());
  }
  if (cmd == "sign" && args.size() == 6) {
    auto sk = mldsa::PrivateKey::parse(*set, bytes[2]);
    if (!sk.ok()) return "err " + sk.error().message;
    mldsa::SigningMode mode;
    if (args[5] == "det") {
      mode = mldsa::SigningMode::kDeterministic;
    } else if (args[5] == "hedged") {
      mode = mldsa::SigningMode::kHedged;
    } else {
      return "err mode must be det or hedged";
    }
    auto sig = mldsa::sign(*sk, bytes[3], bytes[4], mode);
    if (!sig.ok()) return "err " + sig.error().message;
    return "ok " + to_hex(*sig);
  }
  if (cmd == "sign_rnd" && args.size() == 6) {
    auto sk = mldsa::PrivateKey::parse(*set, bytes[2]);
    if (!sk.ok()) return "err " + sk.error().message;
    const Bytes& msg = bytes[3];
    const Bytes& ctx = bytes[4];
    if (ctx.size() > mldsa::kMaxContextSize) return "err context longer than 255 bytes";
    if (bytes[5].size() != mldsa::kRandomnessSize) return "err rnd must be 32 bytes";
    // FIPS 204 Algorithm 2, line 10: M' = IntegerToBytes(0, 1) || IntegerToBytes(|ctx|, 1) || ctx || M.
    Bytes formatted = {0, static_cast<std::uint8_t>(ctx.size())};
    formatted.insert(formatted.end(), ctx.begin(), ctx.end());
    formatted.insert(formatted.end(), msg.begin(), msg.end());
    const auto sig = mldsa::sign_internal(
        *sk, formatted,
        std::span<const std::uint8_t, mldsa::kRandomnessSize>(bytes[5].data(),
                                                               mldsa::kRandomnessSize));
    return "ok " + to_hex(sig);
  }
  if (cmd == "verify" && args.size() == 6) {
    auto pk = mldsa::PublicKey::parse(*set, bytes[2]);
    if (!pk.ok()) return "ok invalid " + std::string(pqbpf::error_code_name(pk.error().code));
    const pqbpf::Status st = mldsa::verify(*pk, bytes[3], bytes[4], bytes[5]);
    if (st.ok()) return "ok valid";
    return "ok invalid " + std::string(pqbpf::error_code_name(st.error().code));
  }
  if (cmd == "mu" && args.size() == 5) {
    auto pk = mldsa::PublicKey::parse(*set, bytes[2]);
    if (!pk.ok()) return "err " + pk.error().message;
    auto mu = mldsa::compute_mu(*pk, bytes[3], bytes[4]);
    if (!mu.ok()) return "err " + mu.error().message;
    return "ok " + to_hex(*mu);
  }
  if ((cmd == "sign_mu" || cmd == "verify_mu") && args.size() == 5) {
    if (bytes[3].size() != mldsa::kMuSize) return "err mu must be 64 bytes";
    mldsa::Mu mu;
    std::copy(bytes[3].begin(), bytes[3].end(), mu.begin());
    if (cmd == "sign_mu") {
      auto sk = mldsa::PrivateKey::parse(*set, bytes[2]);
      if (!sk.ok()) return "err " + sk.error().message;
      if (bytes[4].size() != mldsa::kRandomnessSize) return "err rnd must be 32 bytes";
      const auto sig = mldsa::sign_mu(
          *sk, mu,
          std::span<const std::uint8_t, mldsa::kRandomnessSize>(bytes[4].data(),
                                                                 mldsa::kRandomnessSize));
      return "ok " + to_hex(sig);
    }
    auto pk = mldsa::PublicKey::parse(*set, bytes[2]);
    if (!pk.ok()) return "ok invalid " + std::string(pqbpf::error_code_name(pk.error().code));
    const pqbpf::Status st = mldsa::verify_mu(*pk, mu, bytes[4]);
    if (st.ok()) return "ok valid";
    return "ok invalid " + std::string(pqbpf::error_code_name(st.error().code));
  }
  return "err unknown command or wrong argument count: " + cmd;
}

}  // namespace

int main() {
  std::ios::sync_with_stdio(false);
  for (std::string line; std::getline(std::cin, line);) {
    if (line == "quit") break;
    if (line.empty()) continue;
    std::cout << handle(line) << '\n' << std::flush;
  }
  return 0;
}
