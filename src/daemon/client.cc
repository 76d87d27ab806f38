// The gate client (see include/pqbpf/gate/client.h).
#include "pqbpf/gate/client.h"

#include <fcntl.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <nlohmann/json.hpp>

#include "pqbpf/core/file_io.h"
#include "pqbpf/daemon/protocol.h"
#include "socket_io.h"

namespace pqbpf::gate {
namespace {

using nlohmann::json;

ErrorCode code_from_name(const std::string& name) {
  for (ErrorCode c :
       {ErrorCode::kInvalidArgument, ErrorCode::kParse, ErrorCode::kIo, ErrorCode::kLimitExceeded,
        ErrorCode::kRejected, ErrorCode::kPermission, ErrorCode::kAlreadyExists, ErrorCode::kNotFound,
        ErrorCode::kUnsupported, ErrorCode::kCrypto}) {
    if (error_code_name(c) == name) return c;
  }
  return ErrorCode::kInternal;
}

int fd_at(const json& j, const char* key, std::vector<UniqueFd>& fds) {
  if (!j.contains(key) || !j[key].is_number_unsigned()) return -1;
  const auto i = j[key].get<std::size_t>();
  return i < fds.size() ? fds[i].get() : -1;
}

std::string text_at(const json& j, const char* key) {
  return j.contains(key) && j[key].is_string() ? j[key].get<std::string>() : std::string();
}

Result<LoadReply> parse_reply(daemon::internal::Received received) {
  LoadReply r;
  r.fds = std::move(received.fds);
  r.json.assign(received.bytes.begin(), received.bytes.end());
  json j = json::parse(r.json, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object() || !j.contains("ok") || !j["ok"].is_boolean()) {
    return make_error(ErrorCode::kParse, "gate reply is not a protocol-1 reply");
  }
  r.ok = j["ok"].get<bool>();
  if (j.contains("error") && j["error"].is_object()) {
    r.error = Error{code_from_name(text_at(j["error"], "code")), text_at(j["error"], "message")};
  }
  if (j.contains("decision") && j["decision"].is_string()) {
    r.decision = j["decision"] == "allow" ? Decision::kAllow : Decision::kDeny;
  }
  r.reason = text_at(j, "reason");
  r.sentence = text_at(j, "sentence");
  if (j.contains("log_seq") && j["log_seq"].is_number_unsigned())
    r.log_seq = j["log_seq"].get<std::uint64_t>();
  if (j.contains("load_log_seq") && j["load_log_seq"].is_number_unsigned()) {
    r.load_log_seq = j["load_log_seq"].get<std::uint64_t>();
  }
  r.kernel_loaded = j.contains("loaded") && j["loaded"].is_boolean() && j["loaded"].get<bool>();
  r.pin_dir = text_at(j, "pin_dir");
  if (j.contains("programs") && j["programs"].is_array()) {
    for (const auto& p : j["programs"]) {
      ClientProgram cp;
      cp.name = text_at(p, "name");
      cp.section = text_at(p, "section");
      cp.tag = text_at(p, "tag");
      cp.id = p.value("id", 0u);
      cp.fd = fd_at(p, "fd", r.fds);
      cp.pin = text_at(p, "pin");
      cp.link_id = p.value("link_id", 0u);
      cp.link_fd = fd_at(p, "link_fd", r.fds);
      r.programs.push_back(std::move(cp));
    }
  }
  if (j.contains("maps") && j["maps"].is_array()) {
    for (const auto& m : j["maps"]) {
      r.maps.push_back(
          ClientMap{text_at(m, "name"), m.value("id", 0u), fd_at(m, "fd", r.fds), text_at(m, "pin")});
    }
  }
  return r;
}

}  // namespace

Result<UniqueFd> make_sealed_memfd(std::span<const std::uint8_t> bytes, const std::string& name, bool seal) {
  UniqueFd fd(::memfd_create(name.c_str(), MFD_CLOEXEC | MFD_ALLOW_SEALING));
  if (!fd.valid()) return make_error(ErrorCode::kIo, std::string("memfd_create: ") + std::strerror(errno));
  std::size_t done = 0;
  while (done < bytes.size()) {
    const ssize_t n = ::write(fd.get(), bytes.data() + done, bytes.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return make_error(ErrorCode::kIo, std::string("memfd write: ") + std::strerror(errno));
    done += static_cast<std::size_t>(n);
  }
  if (seal && ::fcntl(fd.get(), F_ADD_SEALS, F_SEAL_WRITE | F_SEAL_SHRINK | F_SEAL_GROW | F_SEAL_SEAL) != 0) {
    return make_error(ErrorCode::kIo, std::string("memfd seal: ") + std::strerror(errno));
  }
  return fd;
}

Result<GateClient> GateClient::connect(const std::string& socket_path, std::chrono::milliseconds timeout) {
  sockaddr_un addr{};
  PQBPF_RETURN_IF_ERROR(check_path_text(socket_path));
  if (socket_path.empty() || socket_path.size() >= sizeof(addr.sun_path)) {
    return make_error(ErrorCode::kInvalidArgument, socket_path + ": not a usable socket path");
  }
  UniqueFd fd(::socket(AF_UNIX, SOCK_SEQPACKET | SOCK_CLOEXEC, 0));
  if (!fd.valid()) return make_error(ErrorCode::kIo, std::string("socket: ") + std::strerror(errno));
  timeval tv{static_cast<time_t>(timeout.count() / 1000),
             static_cast<suseconds_t>((timeout.count() % 1000) * 1000)};
  ::setsockopt(fd.get(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  ::setsockopt(fd.get(), SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
  addr.sun_family = AF_UNIX;
  std::memcpy(addr.sun_path, socket_path.data(), socket_path.size());
  if (::connect(fd.get(), reinterpret_cast<sockaddr*>(&addr), sizeof(addr)) != 0) {
    const int err = errno;
    return make_error(
        err == EACCES ? ErrorCode::kPermission : ErrorCode::kIo,
        socket_path + ": cannot connect to the gate: " + std::strerror(err) + "; is pqc-bpf-gated running?");
  }
  return GateClient(std::move(fd));
}

Result<LoadReply> GateClient::exchange(std::span<const std::uint8_t> message, const std::vector<int>& fds) {
  PQBPF_RETURN_IF_ERROR(daemon::internal::send_message(
      fd_.get(), std::string_view(reinterpret_cast<const char*>(message.data()), message.size()), fds, true));
  PQBPF_ASSIGN_OR_RETURN(auto received,
                         daemon::internal::receive_message(fd_.get(), daemon::kMaxReplySize, true,
                                                                           daemon::kMaxReplyFds));
  if (received.refused) return *received.refused;
  if (received.closed) return make_error(ErrorCode::kIo, "the gate closed the connection without a reply");
  if (received.would_block) return make_error(ErrorCode::kIo, "no reply from the gate within the timeout");
  return parse_reply(std::move(received));
}

Result<LoadReply> GateClient::load(const ClientLoadRequest& request) {
  daemon::Request r;
  r.op = daemon::Op::kLoad;
  r.flags = static_cast<std::uint16_t>((request.return_fds ? daemon::kFlagReturnFds : 0) |
                                       (request.attach ? daemon::kFlagAttach : 0) |
                                       (request.pin_path.empty() ? 0 : daemon::kFlagPin));
  r.pin_path = request.pin_path;
  // The header and pin path are small; leave them room in one message.
  constexpr std::size_t kHeaderRoom = 8 * 1024;
  const std::size_t inline_bytes =
      request.envelope.size() + (request.object ? request.object->size() : 0) + request.pin_path.size();
  const bool use_memfd = request.transport == Transport::kMemfd ||
                         (request.transport == Transport::kAuto &&
                          inline_bytes + kHeaderRoom > daemon::kMaxInlineRequest);
  std::vector<UniqueFd> memfds;
  if (use_memfd) {
    PQBPF_ASSIGN_OR_RETURN(UniqueFd env, make_sealed_memfd(request.envelope, "pqbpf-envelope"));
    memfds.push_back(std::move(env));
    r.envelope_memfd = true;
    if (request.object) {
      PQBPF_ASSIGN_OR_RETURN(UniqueFd obj, make_sealed_memfd(*request.object, "pqbpf-object"));
      memfds.push_back(std::move(obj));
      r.object_memfd = true;
    }
  } else {
    r.envelope.assign(request.envelope.begin(), request.envelope.end());
    if (request.object) r.object.assign(request.object->begin(), request.object->end());
  }
  const std::vector<std::uint8_t> message = daemon::encode_request(r);
  if (message.size() > daemon::kMaxInlineRequest) {
    return make_error(ErrorCode::kLimitExceeded, "request too large to send inline; use memfds");
  }
  std::vector<int> raw;
  for (const auto& m : memfds) raw.push_back(m.get());
  return exchange(message, raw);
}

Result<std::string> GateClient::status() {
  daemon::Request r;
  r.op = daemon::Op::kStatus;
  PQBPF_ASSIGN_OR_RETURN(LoadReply reply, exchange(daemon::encode_request(r), {}));
  if (!reply.ok) return reply.error.value_or(make_error(ErrorCode::kInternal, "status failed"));
  json j = json::parse(reply.json, nullptr, false);
  return j["status"].dump(-1, ' ', false, json::error_handler_t::replace);
}

}  // namespace pqbpf::gate
