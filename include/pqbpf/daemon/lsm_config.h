// The daemon's `lsm:` configuration block (docs/LSM.md, docs/DEPLOY.md):
//   lsm:
//     mode: off | audit | enforce   (default off)
//     require_lsm: false            (true: refuse to start without a working BPF LSM)
//     persist: false                (true: pin the LSM's links under pin_dir)
//     pin_dir: /sys/fs/bpf/pqc-bpf-lsm
//     digest_admission: false       (true: admit others' loads of gate-approved programs)
//     scope: []                     (cgroup v2 directories; empty: the whole host)
#pragma once

#include "pqbpf/lsm/gate_lsm.h"

namespace pqbpf::daemon {

struct LsmConfig {
  lsm::LsmOptions options;  // options.mode kOff: the LSM is not started
  bool require_lsm = false;
  LsmConfig() { options.pin_dir = "/sys/fs/bpf/pqc-bpf-lsm"; }
};

}  // namespace pqbpf::daemon
