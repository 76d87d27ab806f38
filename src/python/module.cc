// PYBIND11_MODULE for pqc_ebpf_attestation._native: one registration call
// per concept (each in its own file).
#include "native.h"

PYBIND11_MODULE(_native, m) {
  m.doc() = "C++ core of pqc_ebpf_attestation (use the package, not this module)";
  pqbpf::python::register_basics(m);
  pqbpf::python::register_identity(m);
  pqbpf::python::register_signing(m);
  pqbpf::python::register_policy(m);
  pqbpf::python::register_log(m);
  pqbpf::python::register_inspect(m);
  pqbpf::python::register_gate_client(m);
}
