// pqc-bpf inspect: what a .bpf.o holds (programs, maps, license, BTF), read
// from its bytes with libbpf (never loaded), or with the ELF-level fallback.
#include <iostream>

#include "cli_support.h"
#include "pqbpf/bpf/object_format.h"
#include "pqbpf/bpf/object_info.h"

namespace pqbpf::cli {
namespace {

struct InspectOptions {
  std::string object;
  bool json = false;
};

int run_inspect(const InspectOptions& o) {
  auto info = bpf::inspect_object_file(o.object);
  if (!info.ok()) return report_error(info.error(), o.json);
  if (o.json) {
    nlohmann::json doc = bpf::object_info_to_json(*info);
    doc["file"] = o.object;
    print_json(doc);
  } else {
    std::cout << o.object << "\n" << bpf::format_object_info_text(*info);
  }
  return kExitOk;
}

}  // namespace

void add_inspect_command(CLI::App& app, CommandRun& run) {
  auto o = std::make_shared<InspectOptions>();
  auto* cmd = app.add_subcommand("inspect", "List the programs, maps and license of a .bpf.o");
  cmd->add_option("object", o->object, "Compiled BPF object (.bpf.o)")->required();
  cmd->add_flag("--json", o->json, "Print as JSON (stable keys, full hashes)");
  cmd->callback([o, &run] { run = [o] { return run_inspect(*o); }; });
}

}  // namespace pqbpf::cli
