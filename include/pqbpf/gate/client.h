// GateClient: the C++ client of pqc-bpf-gated (docs/GATE_API.md), for
// loaders that want the program and map descriptors, and for `pqc-bpf load`.
//
//   auto gate = pqbpf::gate::GateClient::connect("/run/pqc-bpf/gate.sock");
//   auto reply = gate->load({.envelope = envelope_bytes, .return_fds = true});
//   if (reply.ok() && reply->loaded()) use(reply->programs[0].fd);
//
// Either way the daemon reads bytes the caller can no longer change: inline
// bytes are copied by the kernel when the message is sent, memfds are sealed
// (F_SEAL_WRITE|F_SEAL_SHRINK|F_SEAL_GROW|F_SEAL_SEAL). By default a request
// goes inline when it fits one message (kMaxInlineRequest), which saves the
// memfds' creation, sealing and reading (~60 us per load), else as memfds.
// Descriptors in the reply are owned by the LoadReply.
#pragma once

#include <chrono>
#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "pqbpf/core/reason.h"
#include "pqbpf/core/unique_fd.h"
#include "pqbpf/result.h"

namespace pqbpf::gate {

// How the envelope and object travel.
enum class Transport {
  kAuto,    // inline when the whole request fits kMaxInlineRequest, else memfds
  kInline,  // inline (kLimitExceeded when it does not fit)
  kMemfd,   // sealed memfds
};

struct ClientLoadRequest {
  std::span<const std::uint8_t> envelope;
  std::optional<std::span<const std::uint8_t>> object;  // detached object
  Transport transport = Transport::kAuto;
  bool return_fds = true;
  bool attach = false;
  std::string pin_path;  // "" = no pin; relative to the daemon's pin root or absolute inside it
};

struct ClientProgram {
  std::string name, section, tag;
  std::uint32_t id = 0;
  int fd = -1;      // owned by LoadReply::fds; -1 when not returned
  std::string pin;  // "" when not pinned
  std::uint32_t link_id = 0;
  int link_fd = -1;
};

struct ClientMap {
  std::string name;
  std::uint32_t id = 0;
  int fd = -1;
  std::string pin;
};

struct LoadReply {
  bool ok = false;                   // false: the daemon could not serve the request (see error)
  std::optional<Decision> decision;  // set when the gate decided
  std::string reason;                // reason code name
  std::string sentence;
  std::optional<std::uint64_t> log_seq;       // the decision's record (a plain fd load has one record: load_log_seq)
  std::optional<std::uint64_t> load_log_seq;  // the load's record (kernel ids)
  bool kernel_loaded = false;
  std::optional<Error> error;  // when !ok
  std::vector<ClientProgram> programs;
  std::vector<ClientMap> maps;
  std::string pin_dir;
  std::vector<UniqueFd> fds;
  std::string json;  // the reply as sent

  bool loaded() const { return ok && kernel_loaded; }
  bool denied() const { return decision && *decision == Decision::kDeny; }
};

class GateClient {
 public:
  static Result<GateClient> connect(const std::string& socket_path,
                                    std::chrono::milliseconds timeout = std::chrono::seconds(30));
  Result<LoadReply> load(const ClientLoadRequest& request);
  // The status document (JSON text of the reply's "status" object).
  Result<std::string> status();
  // Sends raw message bytes and descriptors, returns the reply: for tests
  // and for tools that speak the protocol themselves.
  Result<LoadReply> exchange(std::span<const std::uint8_t> message, const std::vector<int>& fds);

  int fd() const { return fd_.get(); }

 private:
  explicit GateClient(UniqueFd fd) : fd_(std::move(fd)) {}
  UniqueFd fd_;
};

// A sealed memfd holding `bytes` (what the client sends). Exposed for tests.
Result<UniqueFd> make_sealed_memfd(std::span<const std::uint8_t> bytes, const std::string& name,
                                           bool seal = true);

}  // namespace pqbpf::gate
