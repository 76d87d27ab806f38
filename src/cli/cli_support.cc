// Exit-code mapping and output helpers shared by every command.
#include "cli_support.h"

#include <cstdio>
#include <iostream>

namespace pqbpf::cli {

int exit_code_for(const Error& error) {
  return error.code == ErrorCode::kRejected ? kExitRejected : kExitUsage;
}

int report_error(const Error& error, bool json) {
  std::cerr << "pqc-bpf: error: " << error.message << "\n";
  if (json) {
    print_json({{"ok", false},
                {"error",
                 {{"code", std::string(error_code_name(error.code))}, {"message", error.message}}}});
  }
  return exit_code_for(error);
}

void print_json(const nlohmann::json& doc) {
  // Replace invalid UTF-8 rather than throwing: output must never crash.
  std::cout << doc.dump(2, ' ', false, nlohmann::json::error_handler_t::replace) << "\n";
}

}  // namespace pqbpf::cli
