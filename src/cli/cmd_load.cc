// pqc-bpf load: asks the gate daemon (pqc-bpf-gated) to verify, decide,
// record and load an envelope's object. The files are read once here and
// sent inline (sealed memfds when too large for one message); the daemon
// decides and loads. Exit 0 loaded, 1 denied, 2 error (no daemon, unreadable
// input, the kernel refused).
#include <filesystem>
#include <iostream>

#include "cli_support.h"
#include "pqbpf/core/file_io.h"
#include "pqbpf/gate/client.h"

namespace pqbpf::cli {
namespace {

constexpr const char* kDefaultGate = "/run/pqc-bpf/gate.sock";

struct LoadOptions {
  std::string envelope;
  std::string object;
  std::string pin;
  std::string gate = kDefaultGate;
  bool attach = false;
  bool json = false;
};

// The detached object: --object, else the envelope path minus .sig.json when
// that file exists (as `verify` does); none means an embedded object.
Result<std::optional<std::vector<std::uint8_t>>> read_object(const LoadOptions& o) {
  std::string path = o.object;
  const std::string suffix = ".sig.json";
  if (path.empty() && o.envelope.size() > suffix.size() &&
      o.envelope.compare(o.envelope.size() - suffix.size(), suffix.size(), suffix) == 0) {
    const std::string guess = o.envelope.substr(0, o.envelope.size() - suffix.size());
    std::error_code ec;
    if (std::filesystem::exists(guess, ec)) path = guess;
  }
  if (path.empty()) return std::optional<std::vector<std::uint8_t>>();
  PQBPF_ASSIGN_OR_RETURN(auto bytes, read_file(path, kMaxObjectFileSize));
  return std::optional<std::vector<std::uint8_t>>(std::move(bytes));
}

int run_load(const LoadOptions& o) {
  auto envelope = read_file(o.envelope, kMaxEnvelopeFileSize);
  if (!envelope.ok()) return report_error(envelope.error(), o.json);
  auto object = read_object(o);
  if (!object.ok()) return report_error(object.error(), o.json);
  auto client = gate::GateClient::connect(o.gate);
  if (!client.ok()) return report_error(client.error(), o.json);

  gate::ClientLoadRequest request;
  request.envelope = *envelope;
  if (*object) request.object = std::span<const std::uint8_t>(**object);
  request.return_fds = o.pin.empty();  // without a pin, hold it while we run
  request.attach = o.attach;
  request.pin_path = o.pin;
  auto reply = client->load(request);
  if (!reply.ok()) return report_error(reply.error(), o.json);

  const int code = reply->loaded() ? kExitOk : reply->denied() ? kExitRejected : kExitUsage;
  if (o.json) {
    print_json(nlohmann::json::parse(reply->json, nullptr, false));
  }
  if (reply->denied()) {
    std::cerr << "pqc-bpf: error: " << o.envelope << ": denied (" << reply->reason << "): " << reply->sentence
              << "\n";
  } else if (!reply->loaded()) {
    const std::string why = reply->error ? reply->error->message : "the gate did not load it";
    std::cerr << "pqc-bpf: error: " << o.envelope << ": " << why << "\n";
  } else if (!o.json) {
    std::cout << "LOADED " << o.envelope << " (" << reply->reason << ")";
    if (reply->load_log_seq) std::cout << ", recorded as seq " << *reply->load_log_seq;
    std::cout << "\n";
    for (const auto& p : reply->programs) {
      std::cout << "  prog " << p.name << " id " << p.id << " tag " << p.tag;
      if (p.link_id != 0) std::cout << " link " << p.link_id;
      if (!p.pin.empty()) std::cout << " pinned " << p.pin;
      std::cout << "\n";
    }
    for (const auto& m : reply->maps) {
      std::cout << "  map " << m.name << " id " << m.id << (m.pin.empty() ? "" : " pinned " + m.pin) << "\n";
    }
    if (o.pin.empty()) {
      std::cout << "  not pinned: released when pqc-bpf exits (use --pin DIR to keep it)\n";
    }
  }
  return code;
}

}  // namespace

void add_load_command(CLI::App& app, CommandRun& run) {
  auto o = std::make_shared<LoadOptions>();
  auto* cmd = app.add_subcommand("load", "Load a signed object through the gate daemon (pqc-bpf-gated)");
  cmd->add_option("envelope", o->envelope, "Envelope file (.sig.json)")->required();
  cmd->add_option("--object", o->object, "Object file (default: next to the envelope, or embedded)");
  cmd->add_option("--pin", o->pin, "Pin directory under the daemon's bpffs pin root (relative or absolute)");
  cmd->add_option("--gate", o->gate, std::string("Gate socket (default ") + kDefaultGate + ")");
  cmd->add_flag("--attach", o->attach, "Attach where the signed manifest says (the section, or attach_point for xdp/tc/cgroup)");
  cmd->add_flag("--json", o->json, "Print the gate's reply as JSON");
  cmd->callback([o, &run] { run = [o] { return run_load(*o); }; });
}

}  // namespace pqbpf::cli
