// _native.Log: the library's AttestationLog (in memory, or the hash-chained
// file with signed checkpoints). log_signed() verifies the SignedBPFProgram
// first so the record names a signer only when its signature verified and
// its DID is bound to the key; a claimed DID is never recorded as fact.
#include <memory>

#include "native.h"

#include "pqbpf/core/key_purpose.h"
#include "pqbpf/crypto/sha3.h"
#include "pqbpf/log/attestation_log.h"
#include "pqbpf/log/log_signer.h"

namespace pqbpf::python {
namespace {

struct PyLog {
  explicit PyLog(log::AttestationLog l) : log(std::make_unique<log::AttestationLog>(std::move(l))) {}
  std::unique_ptr<log::AttestationLog> log;
};

ReasonCode reason_from_name(const std::string& name) {
  for (int i = 0; i <= static_cast<int>(kLastReasonCode); ++i) {
    auto code = static_cast<ReasonCode>(i);
    if (reason_code_name(code) == name) return code;
  }
  raise_python_error("InvalidInputError", "invalid_argument", "unknown reason code '" + name + "'");
}

Decision decision_from_name(const std::string& name) {
  if (name == "allow") return Decision::kAllow;
  if (name == "deny") return Decision::kDeny;
  raise_python_error("InvalidInputError", "invalid_argument",
                     "decision: expected 'allow' or 'deny', got '" + name + "'");
}

py::dict record_to_python(const log::LogRecord& r) {
  py::dict d;
  d["seq"] = r.seq;
  d["timestamp"] = r.time;
  d["program_name"] = r.program ? py::cast(*r.program) : py::none();
  d["program_types"] = r.program_types;
  d["bytecode_hash"] = r.object_sha3_256 ? py::cast(*r.object_sha3_256) : py::none();
  d["signer_did"] = r.signer ? py::cast(*r.signer) : py::none();
  d["decision"] = r.decision;
  d["reason_code"] = r.reason;
  d["reason"] = r.reason_text;
  d["actor"] = r.actor.name ? py::cast(*r.actor.name) : py::none();
  d["action"] = r.action;
  return d;
}

}  // namespace

void register_log(py::module_& m) {
  py::class_<PyLog, std::shared_ptr<PyLog>>(m, "Log")
      .def(py::init([](std::size_t capacity) {
        if (capacity == 0) {
          raise_python_error("InvalidInputError", "invalid_argument", "max_entries must be at least 1");
        }
        return std::make_shared<PyLog>(log::AttestationLog(capacity));
      }), py::arg("capacity"))
      .def_static("open", [](const std::string& path, py::handle identity, const std::string& durability,
                             std::uint64_t checkpoint_every, std::optional<std::string> witness_path) {
        const Identity& id = identity_of(identity);
        auto dur = log::parse_durability(durability);
        if (!dur.ok()) raise_library_error(dur.error());
        if (checkpoint_every == 0) {
          raise_python_error("InvalidInputError", "invalid_argument", "checkpoint_every must be at least 1");
        }
        log::LogOptions options;
        options.durability = *dur;
        options.checkpoint_every = checkpoint_every;
        options.witness_path = std::move(witness_path);
        Result<log::AttestationLog> opened = make_error(ErrorCode::kInternal, "");
        {
          py::gil_scoped_release release;
          auto signer = log::LogSigner::create(id.private_key(), id.public_key());
          if (Status purpose = check_key_purpose(id, KeyPurpose::kSignLog); !purpose.ok()) {
            opened = purpose.error();
          } else if (!signer.ok()) {
            opened = signer.error();
          } else {
            opened = log::AttestationLog::open(path, std::move(*signer), options);
          }
        }
        if (!opened.ok()) raise_library_error(opened.error());
        return std::make_shared<PyLog>(std::move(*opened));
      }, py::arg("path"), py::arg("identity"), py::arg("durability"), py::arg("checkpoint_every"),
         py::arg("witness_path"))
      .def("log_signed", [](PyLog& self, py::handle signed_program, const std::string& decision,
                            const std::string& reason_code, const std::string& reason_text,
                            std::optional<std::string> actor_name) {
        SignedParts parts = signed_parts_from_python(signed_program);
        log::AttemptRecord attempt;
        attempt.action = "check";
        attempt.decision = decision_from_name(decision);
        attempt.reason = reason_from_name(reason_code);
        attempt.reason_text = reason_text;
        attempt.program = parts.claimed_metadata.name;
        Result<log::AppendResult> appended = make_error(ErrorCode::kInternal, "");
        std::string time_before;
        std::optional<log::LogRecord> readback;
        {
          py::gil_scoped_release release;
          attempt.actor = log::Actor::current_process();
          attempt.actor.name = std::move(actor_name);
          // Recording needs the signature and the hash, never the object's
          // programs: stop before the object reaches a parser (issue 11.3).
          VerifyOptions no_parse;
          no_parse.before_parse = [](const Did&, const Manifest&) -> std::optional<PreParseRefusal> {
            return PreParseRefusal{ReasonCode::kAllowed, "recorded without parsing the object"};
          };
          VerificationResult v = verify_signed(parts, no_parse);
          attempt.program_types.emplace_back(program_type_name(parts.claimed_metadata.program_type));
          if (!parts.bytecode.empty()) {
            attempt.object_sha3_256 = crypto::to_hex(crypto::sha3_256(std::span<const std::uint8_t>(parts.bytecode)));
          }
          // As the gate records it: a signer only when the DID binding, the
          // signature, the size and the hash all held (and every field the
          // caller sees equals the signed one).
          if ((v.valid || v.refused_before_parse) && v.signer_did) attempt.signer = v.signer_did->str();
          time_before = log::now_rfc3339();
          appended = self.log->log(attempt);
          if (appended.ok() && !self.log->persistent()) {
            auto last = self.log->entries(1);
            if (last.ok() && !last->empty() && last->back().seq == appended->seq) readback = last->back();
          }
        }
        if (!appended.ok()) {
          raise_python_error("BPFAttestationError", "log_error", appended.error().message);
        }
        if (readback) return record_to_python(*readback);
        // File mode: the entry as written; its time is taken just before the append.
        py::dict d;
        d["seq"] = appended->seq;
        d["timestamp"] = time_before;
        d["program_name"] = *attempt.program;
        d["program_types"] = attempt.program_types;
        d["bytecode_hash"] = attempt.object_sha3_256 ? py::cast(*attempt.object_sha3_256) : py::none();
        d["signer_did"] = attempt.signer ? py::cast(*attempt.signer) : py::none();
        d["decision"] = decision;
        d["reason_code"] = reason_code;
        d["reason"] = reason_text;
        d["actor"] = attempt.actor.name ? py::cast(*attempt.actor.name) : py::none();
        d["action"] = attempt.action;
        return d;
      }, py::arg("signed"), py::arg("decision"), py::arg("reason_code"), py::arg("reason_text"),
         py::arg("actor"))
      .def("entries", [](const PyLog& self, std::size_t limit, std::optional<std::string> decision,
                         std::optional<std::string> signer) {
        std::optional<Decision> dec;
        if (decision) dec = decision_from_name(*decision);
        Result<std::vector<log::LogRecord>> records = make_error(ErrorCode::kInternal, "");
        {
          py::gil_scoped_release release;
          records = self.log->entries(limit, dec, std::move(signer));
        }
        if (!records.ok()) raise_python_error("BPFAttestationError", "log_error", records.error().message);
        py::list out;
        for (auto it = records->rbegin(); it != records->rend(); ++it) out.append(record_to_python(*it));
        return out;
      }, py::arg("limit"), py::arg("decision"), py::arg("signer"))
      .def_property_readonly("persistent", [](const PyLog& self) { return self.log->persistent(); })
      .def("close", [](PyLog& self) {
        Status st = ok_status();
        {
          py::gil_scoped_release release;
          st = self.log->close();
        }
        if (!st.ok()) raise_python_error("BPFAttestationError", "log_error", st.error().message);
      });
}

}  // namespace pqbpf::python
