// Parsing the `lsm:` block of the daemon configuration (internal; the format
// is in include/pqbpf/daemon/lsm_config.h).
#pragma once

#include <yaml-cpp/yaml.h>

#include <string>

#include "pqbpf/daemon/lsm_config.h"
#include "pqbpf/result.h"

namespace pqbpf::daemon::internal {

// `label` is the file name for errors: "<label>: lsm.<key>: <what>".
Result<LsmConfig> parse_lsm_config(const YAML::Node& node, const std::string& label);

}  // namespace pqbpf::daemon::internal
