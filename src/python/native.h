// Shared helpers of the pybind11 extension pqc_ebpf_attestation._native.
//
// The extension is a thin adapter: every decision is made by the C++
// library. These helpers turn library errors into the package's Python
// exception classes (which carry a stable `.reason` code) and convert the
// few value types that cross the boundary. Nothing here throws a C++
// exception into Python except through raise_python_error().
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include <pybind11/pybind11.h>
#include <pybind11/stl.h>

#include "pqbpf/attest/verifier.h"
#include "pqbpf/core/identity.h"
#include "pqbpf/core/metadata.h"
#include "pqbpf/policy/load_policy.h"
#include "pqbpf/result.h"

namespace pqbpf::python {

namespace py = pybind11;

// Raises pqc_ebpf_attestation.errors.<cls>(message, reason=reason). Call
// with the GIL held.
[[noreturn]] void raise_python_error(std::string_view cls, std::string_view reason,
                                     const std::string& message);
// A library error: kNotFound becomes `io_cls` (default
// BPFAttestationError), input errors InvalidInputError, the rest
// BPFAttestationError; `.reason` is the error code name ("parse_error",
// "io_error", "not_found", ...).
[[noreturn]] void raise_library_error(const Error& error,
                                      std::string_view io_cls = "BPFAttestationError");

// Python bytes-like -> owned bytes (copied, so the GIL can be released).
std::vector<std::uint8_t> bytes_of(py::handle object, const char* what);
py::bytes to_py_bytes(std::span<const std::uint8_t> data);
// str attribute (TypeError-free: a wrong type becomes InvalidInputError).
std::string str_attr(py::handle object, const char* name);
// A str, or the `.value` of an enum member.
std::string enum_value(py::handle object, const char* what);

// BPFProgramMetadata (the Python dataclass, or anything with its attributes).
BPFProgramMetadata metadata_from_python(py::handle metadata);
py::dict metadata_to_python(const BPFProgramMetadata& metadata);

// The parts of a Python SignedBPFProgram, copied out so verification can
// run without the GIL. `claims` are the fields a caller reads and may have
// replaced (dataclasses.replace); verify_signed() requires each to equal the
// signed manifest.
struct SignedParts {
  std::string manifest_json;
  std::vector<std::uint8_t> public_key;
  std::vector<std::uint8_t> signature;
  std::vector<std::uint8_t> bytecode;
  std::string claimed_signer_did;
  std::string claimed_algorithm;
  std::string claimed_signed_at;
  std::string claimed_bytecode_hash;
  BPFProgramMetadata claimed_metadata;
  std::string label;
};
SignedParts signed_parts_from_python(py::handle signed_program);

// Verifies the parts (no Python objects touched: call without the GIL).
VerificationResult verify_signed(const SignedParts& parts, const VerifyOptions& options = {});

// The library Identity inside a _native.Identity (InvalidInputError otherwise).
const Identity& identity_of(py::handle object);

py::dict verification_to_python(const VerificationResult& result);

// Screened verification then the policy decision (call without the GIL).
policy::PolicyDecision decide_signed(const policy::LoadPolicy& policy, const SignedParts& parts,
                                     VerificationResult* verification_out);

void register_basics(py::module_& m);
void register_identity(py::module_& m);
void register_signing(py::module_& m);
void register_policy(py::module_& m);
void register_log(py::module_& m);
void register_inspect(py::module_& m);
void register_gate_client(py::module_& m);

}  // namespace pqbpf::python
