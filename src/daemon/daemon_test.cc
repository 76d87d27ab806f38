// pqc-bpf-gated end to end, in process, against the real kernel: what is
// allowed is loaded (and the record names its kernel id), what is denied
// never reaches the kernel, memfds must be sealed, the policy reloads.
#include <bpf/bpf.h>
#include <fcntl.h>
#include <sched.h>
#include <sys/mount.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <cstring>

#include "attach_test_util.h"
#include "daemon_test_util.h"
#include "pqbpf/daemon/protocol.h"

namespace pqbpf::testing {
namespace {

using gate::ClientLoadRequest;

bool bpftool_finds(std::uint32_t id) {
  const std::string cmd = "bpftool prog show id " + std::to_string(id) + " >/dev/null 2>&1";
  return std::system(cmd.c_str()) == 0;
}

bool in_kernel(std::uint32_t id) {
  const auto ids = loader::kernel_program_ids();
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

class DaemonTest : public GateFixture {};

TEST_F(DaemonTest, SignedSampleIsLoadedAndItsRecordNamesTheKernelId) {
  start();
  const SignedSample xdp = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  gate::LoadReply reply = load(xdp);
  ASSERT_TRUE(reply.loaded()) << reply.json;
  ASSERT_EQ(reply.programs.size(), 1u);
  const std::uint32_t id = reply.programs[0].id;
  EXPECT_GE(reply.programs[0].fd, 0);
  EXPECT_TRUE(in_kernel(id));
  EXPECT_TRUE(bpftool_finds(id)) << "bpftool prog show id " << id;

  // A plain load (descriptors only) is one record, written after the load
  // and durable before the reply: the decision with the kernel's ids.
  const auto recs = records();
  ASSERT_EQ(recs.size(), 1u);
  EXPECT_EQ(recs[0].action, "load");
  EXPECT_EQ(recs[0].decision, "allow");
  EXPECT_EQ(recs[0].reason, "allowed");
  EXPECT_NE(recs[0].reason_text.find("id " + std::to_string(id) + " tag " + reply.programs[0].tag),
            std::string::npos)
      << recs[0].reason_text;
  ASSERT_EQ(recs[0].kernel_programs.size(), 1u);
  EXPECT_EQ(recs[0].kernel_programs[0].id, id);
  EXPECT_EQ(recs[0].kernel_programs[0].tag, reply.programs[0].tag);
  EXPECT_EQ(recs[0].kernel_programs[0].name, "xdp_pass_count");
  EXPECT_TRUE(recs[0].signer.has_value());
  // The actor is this process, as the kernel and /proc name it.
  EXPECT_EQ(recs[0].actor.pid, ::getpid());
  EXPECT_EQ(recs[0].actor.uid, ::getuid());
  EXPECT_EQ(recs[0].actor.exe, std::filesystem::read_symlink("/proc/self/exe").string());
  EXPECT_TRUE(recs[0].actor.cgroup.has_value());
  EXPECT_EQ(*reply.load_log_seq, recs[0].seq);
  EXPECT_EQ(*reply.log_seq, recs[0].seq);

  reply.fds.clear();  // closing our descriptors unloads it
  EXPECT_FALSE(in_kernel(id));
}

// The per-signer key cache holds the keys of allowed requests only, and a
// signer's next envelope is verified with the cached (expanded) key.
TEST_F(DaemonTest, KeyCacheRemembersAllowedSignersOnly) {
  start();
  const SignedSample good = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  const SignedSample rogue = signed_sample(9, "xdp_pass", BPFProgramType::kXdp);
  BPFProgramMetadata m = metadata(BPFProgramType::kXdp);
  m.version = "2.0.0";  // another envelope of the same signer
  auto program = BPFProgram::from_bytes(m, object_bytes("xdp_pass"), object_path("xdp_pass"));
  ASSERT_TRUE(program.ok());
  const SignedSample good2{sign_ok(signer(7), *program, fixed_time_options()).to_json(), object_bytes("xdp_pass")};
  auto client = connect();
  auto cache = [&] { return nlohmann::json::parse(*client.status())["key_cache"]; };
  EXPECT_FALSE(load(rogue).loaded());
  EXPECT_EQ(cache()["entries"], 0) << "a denied signer's key is not kept";
  for (const SignedSample* s : {&good, &good2}) {
    gate::LoadReply reply = load(*s);
    ASSERT_TRUE(reply.loaded()) << reply.json;
  }
  const auto c = cache();
  EXPECT_EQ(c["entries"], 1);
  EXPECT_EQ(c["hits"], 1) << c.dump();
  EXPECT_EQ(c["misses"], 2) << c.dump();
  EXPECT_EQ(records().size(), 3u);
}

// The same envelope and object again: the verification is not repeated, but
// the signer screening and the decision are, under the policy in force; a
// different object with the same envelope is a different key (and fails).
TEST_F(DaemonTest, VerificationCacheIsKeyedByBothInputsAndRejudgedByTheCurrentPolicy) {
  start();
  const SignedSample good = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  auto client = connect();
  auto verified = [&] { return nlohmann::json::parse(*client.status())["key_cache"]["verified"]; };
  for (int i = 0; i < 2; ++i) {
    gate::LoadReply reply = load(good);
    ASSERT_TRUE(reply.loaded()) << reply.json;
  }
  EXPECT_EQ(verified()["hits"], 1) << verified().dump();
  EXPECT_EQ(verified()["entries"], 1);

  SignedSample tampered = good;
  tampered.object[tampered.object.size() / 2] ^= 0x01;
  gate::LoadReply bad = load(tampered);
  EXPECT_FALSE(bad.loaded());
  EXPECT_EQ(bad.reason, "hash_mismatch") << bad.json;

  // A policy that no longer trusts the signer: the cached result is refused.
  const Did other = Did::from_public_key(key_pair(9).public_key);
  write_policy("rules:\n  - program_types: [xdp]\n    allowed_signers: [" + other.str() + "]\n");
  ASSERT_TRUE(server_->reload_policy().ok());
  gate::LoadReply refused = load(good);
  EXPECT_FALSE(refused.loaded());
  EXPECT_TRUE(refused.denied()) << refused.json;
  EXPECT_EQ(refused.reason, "untrusted_signer") << refused.json;
  EXPECT_EQ(verified()["hits"], 2) << "the refusal came from the cached result, rejudged";
  const auto recs = records();
  ASSERT_FALSE(recs.empty());
  EXPECT_EQ(recs.back().decision, "deny");
  EXPECT_EQ(recs.back().reason, "untrusted_signer");
  EXPECT_EQ(loader::kernel_program_ids(), before_);
}

TEST_F(DaemonTest, PinnedLoadLivesUnderThePinRootUntilUnpinned) {
  start();
  const SignedSample xdp = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  gate::LoadReply reply = load(xdp, {.return_fds = false, .pin_path = "team/xdp"});
  ASSERT_TRUE(reply.loaded()) << reply.json;
  EXPECT_TRUE(reply.fds.empty());
  EXPECT_EQ(reply.programs[0].pin, pin_root() + "/team/xdp/xdp_pass_count");
  EXPECT_TRUE(in_kernel(reply.programs[0].id)) << "the pin holds it";
  // A pin outlives the daemon: the decision was durable before the kernel
  // saw anything, and a second record names what was pinned.
  const auto recs = records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[0].action, "gate_decide");
  EXPECT_EQ(recs[0].decision, "allow");
  EXPECT_TRUE(recs[0].kernel_programs.empty()) << "the decision precedes any kernel action";
  EXPECT_EQ(recs[1].action, "load");
  ASSERT_EQ(recs[1].kernel_programs.size(), 1u);
  EXPECT_EQ(recs[1].kernel_programs[0].id, reply.programs[0].id);
  EXPECT_EQ(*reply.log_seq, recs[0].seq);
  EXPECT_EQ(*reply.load_log_seq, recs[1].seq);
  std::filesystem::remove_all(pin_root() + "/team");
  EXPECT_FALSE(in_kernel(reply.programs[0].id));
}

// The pin path is checked before anything else the loader does: with attach
// asked and a target this machine lacks (the samples' attach_point names no
// interface), the error is still the pin path's, so neither the object nor
// the target was touched.
TEST_F(DaemonTest, PinOutsideTheRootIsRefusedBeforeAnythingIsLoaded) {
  start();
  const SignedSample xdp = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  gate::LoadReply reply = load(xdp, {.return_fds = false, .attach = true, .pin_path = "/tmp/x"});
  EXPECT_FALSE(reply.loaded());
  ASSERT_TRUE(reply.error.has_value()) << reply.json;
  EXPECT_EQ(reply.error->code, ErrorCode::kPermission) << reply.error->message;
  EXPECT_EQ(loader::kernel_program_ids(), before_);
  // The failed load is recorded after the allow, and says why.
  const auto recs = records();
  ASSERT_EQ(recs.size(), 2u);
  EXPECT_EQ(recs[1].decision, "deny");
  EXPECT_TRUE(recs[1].kernel_programs.empty());
  EXPECT_NE(recs[1].reason_text.find("outside the pin root"), std::string::npos) << recs[1].reason_text;
  EXPECT_NE(recs[1].reason_text.find("nothing was loaded"), std::string::npos) << recs[1].reason_text;
}

TEST_F(DaemonTest, DenialsNeverReachTheKernelAndAreLoggedWithTheirReason) {
  start();
  const SignedSample good = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  const SignedSample rogue = signed_sample(9, "xdp_pass", BPFProgramType::kXdp);
  SignedSample tampered = good;
  tampered.object[tampered.object.size() / 2] ^= 0x01;
  const SignedSample oversize = signed_sample(7, "socket_filter", BPFProgramType::kSocketFilter);
  const SignedSample wrong_type = signed_sample(7, "tracepoint_exec", BPFProgramType::kTracepoint);
  // Unsigned: the bare object where the envelope belongs.
  SignedSample unsigned_object{std::string(good.object.begin(), good.object.end()), good.object};

  struct Case {
    const char* what;
    const SignedSample* sample;
    const char* reason;
  } cases[] = {{"rogue signer", &rogue, "untrusted_signer"},
               {"unsigned", &unsigned_object, "malformed_envelope"},
               {"tampered", &tampered, "hash_mismatch"},
               {"oversize", &oversize, "size_exceeded"},
               {"wrong type", &wrong_type, "no_rule"}};
  for (const Case& c : cases) {
    gate::LoadReply reply = load(*c.sample);
    EXPECT_TRUE(reply.ok) << c.what << ": " << reply.json;
    EXPECT_TRUE(reply.denied()) << c.what << ": " << reply.json;
    EXPECT_EQ(reply.reason, c.reason) << c.what << ": " << reply.sentence;
    EXPECT_TRUE(reply.fds.empty());
    EXPECT_EQ(loader::kernel_program_ids(), before_) << c.what << " reached the kernel";
  }
  const auto recs = records();
  ASSERT_EQ(recs.size(), std::size(cases));
  for (std::size_t i = 0; i < std::size(cases); ++i) {
    EXPECT_EQ(recs[i].decision, "deny") << cases[i].what;
    EXPECT_EQ(recs[i].reason, cases[i].reason) << cases[i].what;
  }
}

TEST_F(DaemonTest, UnsealedMemfdIsRefusedSoLaterWritesCannotChangeTheLoad) {
  start();
  const SignedSample xdp = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  auto env = gate::make_sealed_memfd(as_bytes(xdp.envelope), "env");
  auto obj = gate::make_sealed_memfd(xdp.object, "obj", /*seal=*/false);
  ASSERT_TRUE(env.ok() && obj.ok());
  daemon::Request r;
  r.op = daemon::Op::kLoad;
  r.flags = daemon::kFlagReturnFds;
  r.envelope_memfd = r.object_memfd = true;
  auto client = connect();
  auto reply = client.exchange(daemon::encode_request(r), {env->get(), obj->get()});
  ASSERT_TRUE(reply.ok()) << reply.error().message;
  EXPECT_FALSE(reply->ok);
  ASSERT_TRUE(reply->error);
  EXPECT_NE(reply->error->message.find("not sealed"), std::string::npos) << reply->error->message;
  EXPECT_EQ(loader::kernel_program_ids(), before_);

  // A sealed memfd: the client can no longer write, nor map it writable.
  auto sealed = gate::make_sealed_memfd(xdp.object, "obj");
  ASSERT_TRUE(sealed.ok());
  const std::uint8_t byte = 0;
  EXPECT_EQ(::pwrite(sealed->get(), &byte, 1, 100), -1);
  EXPECT_EQ(errno, EPERM);
  EXPECT_EQ(::mmap(nullptr, 4096, PROT_WRITE, MAP_SHARED, sealed->get(), 0), MAP_FAILED);
}

TEST_F(DaemonTest, EveryTransportLoadsAndTooLargeForInlineGoesAsMemfds) {
  start();
  const SignedSample xdp = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  for (gate::Transport t : {gate::Transport::kAuto, gate::Transport::kInline, gate::Transport::kMemfd}) {
    gate::LoadReply reply = load(xdp, {.transport = t});
    EXPECT_TRUE(reply.loaded()) << reply.json;
  }
  // An envelope larger than one message: kInline cannot send it, kAuto sends
  // it as a memfd and the daemon judges it (a malformed envelope, denied).
  const std::vector<std::uint8_t> big(daemon::kMaxInlineRequest + 1, '{');
  auto client = connect();
  auto inline_reply = client.load({.envelope = big, .transport = gate::Transport::kInline});
  ASSERT_FALSE(inline_reply.ok());
  EXPECT_EQ(inline_reply.error().code, ErrorCode::kLimitExceeded);
  auto auto_reply = client.load({.envelope = big});
  ASSERT_TRUE(auto_reply.ok()) << auto_reply.error().message;
  EXPECT_TRUE(auto_reply->denied()) << auto_reply->json;
  EXPECT_EQ(loader::kernel_program_ids(), before_);
}

TEST_F(DaemonTest, SighupStyleReloadKeepsOldPolicyWhenTheNewOneIsBroken) {
  start();
  auto client = connect();
  auto before = client.status();
  ASSERT_TRUE(before.ok());
  const auto digest = nlohmann::json::parse(*before)["policy"]["sha3_256"].get<std::string>();

  write_policy("rules: [ {program_types: [nonsense]} ]\n");
  EXPECT_FALSE(server_->reload_policy().ok());
  auto after_bad = nlohmann::json::parse(*client.status());
  EXPECT_EQ(after_bad["policy"]["sha3_256"], digest);
  EXPECT_EQ(after_bad["counters"]["reload_failures"], 1);
  // The old policy still allows the trusted xdp sample.
  gate::LoadReply reply = load(signed_sample(7, "xdp_pass", BPFProgramType::kXdp));
  EXPECT_TRUE(reply.loaded()) << reply.json;
  reply.fds.clear();

  write_policy("rules: []\n");
  server_->request_reload();
  for (int i = 0; i < 100; ++i) {
    auto s = nlohmann::json::parse(*client.status());
    if (s["counters"]["reloads"] == 1) break;
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  auto after = nlohmann::json::parse(*client.status());
  EXPECT_NE(after["policy"]["sha3_256"], digest);
  gate::LoadReply denied = load(signed_sample(7, "xdp_pass", BPFProgramType::kXdp));
  EXPECT_TRUE(denied.denied()) << denied.json;
}

TEST_F(DaemonTest, PeerOutsideAllowedUidsIsRefusedBeforeAnything) {
  allowed_uids_ = "4242";  // this test runs as root (uid 0), which is not listed
  start();
  auto client = gate::GateClient::connect(socket_path(), std::chrono::seconds(10));
  ASSERT_TRUE(client.ok());
  const SignedSample xdp = signed_sample(7, "xdp_pass", BPFProgramType::kXdp);
  auto reply = client->load({.envelope = as_bytes(xdp.envelope), .object = std::span<const std::uint8_t>(xdp.object)});
  // The daemon answers the connection with the refusal and closes it.
  if (reply.ok()) {
    EXPECT_FALSE(reply->ok) << reply->json;
    ASSERT_TRUE(reply->error) << reply->json;
    EXPECT_EQ(reply->error->code, ErrorCode::kPermission);
    EXPECT_NE(reply->error->message.find("uid 0"), std::string::npos) << reply->error->message;
  }
  EXPECT_EQ(loader::kernel_program_ids(), before_);
  EXPECT_TRUE(records().empty()) << "a refused peer never reaches the gate";
}

// Tracepoint attach needs tracefs for the event id; this machine does not
// mount it, so mount one in a private mount namespace of this test process
// (before the server's threads exist).
bool ensure_tracefs(std::string& why) {
  if (std::filesystem::exists("/sys/kernel/tracing/events/sched")) return true;
  if (::unshare(CLONE_NEWNS) != 0 || ::mount(nullptr, "/", nullptr, MS_REC | MS_PRIVATE, nullptr) != 0 ||
      ::mount("tracefs", "/sys/kernel/tracing", "tracefs", 0, nullptr) != 0) {
    why = std::string("no tracefs and cannot mount one privately: ") + std::strerror(errno);
    return false;
  }
  return std::filesystem::exists("/sys/kernel/tracing/events/sched");
}

TEST_F(DaemonTest, AttachWhereTheSignedSectionSaysAndPinTheLink) {
  std::string why;
  if (!ensure_tracefs(why)) GTEST_SKIP() << why;
  write_policy("rules:\n  - program_types: [tracepoint]\n    allowed_signers: [" + trusted_.str() + "]\n");
  start();
  const SignedSample tp = signed_sample(7, "tracepoint_exec", BPFProgramType::kTracepoint);
  gate::LoadReply reply = load(tp, {.return_fds = false, .attach = true, .pin_path = "tp"});
  ASSERT_TRUE(reply.loaded()) << reply.json;
  ASSERT_EQ(reply.programs.size(), 1u);
  const std::uint32_t link_id = reply.programs[0].link_id;
  EXPECT_NE(link_id, 0u);
  EXPECT_EQ(reply.programs[0].section, "tracepoint/sched/sched_process_exec");
  EXPECT_TRUE(std::filesystem::exists(pin_root() + "/tp/link_count_exec"));
  const int fd = bpf_link_get_fd_by_id(link_id);
  EXPECT_GE(fd, 0) << "the link is in the kernel";
  if (fd >= 0) ::close(fd);
  // An xdp program whose manifest names no interface: refused before the kernel.
  write_policy(default_policy());
  ASSERT_TRUE(server_->reload_policy().ok());
  gate::LoadReply xdp = load(signed_sample(7, "xdp_pass", BPFProgramType::kXdp), {.attach = true});
  EXPECT_FALSE(xdp.loaded());
  ASSERT_TRUE(xdp.error) << xdp.json;
  // (the test samples' attach_point is "do_sys_openat2": no such interface)
  EXPECT_EQ(xdp.error->code, ErrorCode::kNotFound) << xdp.error->message;
  std::filesystem::remove_all(pin_root() + "/tp");
  // The kernel frees a detached link (and then its program) asynchronously.
  for (int i = 0; i < 100 && in_kernel(reply.programs[0].id); ++i) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  EXPECT_FALSE(in_kernel(reply.programs[0].id));
}

// xdp attaches where the signed manifest says (an interface of a private
// network namespace, which the server's threads inherit); the request has no
// way to name another target, and changing the signed one breaks the
// signature, so nothing is loaded.
TEST_F(DaemonTest, XdpAttachesToTheSignedInterfaceOnly) {
  testing::PrivateNetns netns;
  if (!netns.ok()) GTEST_SKIP() << netns.why();
  start();  // after unshare: the workers live in the private namespace
  BPFProgramMetadata m = metadata(BPFProgramType::kXdp);
  m.attach_point = netns.ifname();
  auto program = BPFProgram::from_bytes(m, object_bytes("xdp_pass"), object_path("xdp_pass"));
  ASSERT_TRUE(program.ok());
  const SignedSample xdp{sign_ok(signer(7), *program, fixed_time_options()).to_json(), object_bytes("xdp_pass")};
  {
    gate::LoadReply reply = load(xdp, {.attach = true});
    ASSERT_TRUE(reply.loaded()) << reply.json;
    ASSERT_EQ(reply.programs.size(), 1u);
    EXPECT_NE(reply.programs[0].link_id, 0u);
    const auto j = nlohmann::json::parse(reply.json);
    EXPECT_EQ(j["programs"][0]["attach_target"], netns.ifname()) << reply.json;
    const auto recs = records();
    ASSERT_EQ(recs.size(), 2u) << "an attached load: the decision first, then the load";
    EXPECT_EQ(recs[0].action, "gate_decide");
    EXPECT_NE(recs[1].reason_text.find(" on " + netns.ifname()), std::string::npos) << recs[1].reason_text;
  }
  // The same envelope with another interface in its manifest: bad signature.
  SignedSample moved = xdp;
  const std::string from = "\"attach_point\": \"" + netns.ifname() + "\"";
  const auto at = moved.envelope.find(from);
  ASSERT_NE(at, std::string::npos) << moved.envelope.substr(0, 400);
  moved.envelope.replace(at, from.size(), "\"attach_point\": \"pqv1\"");
  gate::LoadReply denied = load(moved, {.attach = true});
  EXPECT_FALSE(denied.loaded());
  EXPECT_TRUE(denied.denied()) << denied.json;
  EXPECT_EQ(denied.reason, "bad_signature") << denied.json;
  stop();  // the workers leave the namespace
}

TEST_F(DaemonTest, CleanStopClosesTheLogSoItVerifies) {
  start();
  gate::LoadReply reply = load(signed_sample(9, "xdp_pass", BPFProgramType::kXdp));
  EXPECT_TRUE(reply.denied());
  stop();
  EXPECT_TRUE(run_status_.ok()) << run_status_.error().message;
  EXPECT_FALSE(std::filesystem::exists(socket_path()));
  auto report = log::verify_log(log_path(), *log_public_);
  ASSERT_TRUE(report.ok()) << report.error().message;
  EXPECT_TRUE(report->closed);
  EXPECT_EQ(report->attempts, 1u);
}

TEST_F(DaemonTest, WitnessInTheStateDirRefusesALogCutBackBehindIt) {
  start();
  EXPECT_TRUE(load(signed_sample(9, "xdp_pass", BPFProgramType::kXdp)).denied());
  stop();
  ASSERT_TRUE(run_status_.ok()) << run_status_.error().message;
  // The witness lives in the daemon's state directory, not beside the log.
  EXPECT_TRUE(std::filesystem::exists(state_dir() + "/audit.log.witness"));
  EXPECT_FALSE(std::filesystem::exists(log_path() + ".witness"));

  // Cut the log back to its first record (a record boundary): the next
  // start must refuse it rather than re-seal it.
  std::string first_line;
  {
    std::ifstream in(log_path());
    ASSERT_TRUE(std::getline(in, first_line));
  }
  std::ofstream(log_path(), std::ios::trunc) << first_line << "\n";
  auto config = daemon::parse_config(config_text(), "test config");
  ASSERT_TRUE(config.ok()) << config.error().message;
  auto server = daemon::GateServer::create(std::move(config).value());
  ASSERT_FALSE(server.ok());
  EXPECT_NE(server.error().message.find("witness"), std::string::npos) << server.error().message;
}

}  // namespace
}  // namespace pqbpf::testing

namespace pqbpf::testing {
namespace {

TEST_F(DaemonTest, SocketIsBoundWithTheConfiguredModeAndTheUmaskIsRestored) {
  std::string text = config_text();
  const std::string from = "mode: \"0600\"";
  text.replace(text.find(from), from.size(), "mode: \"0640\"");
  auto config = daemon::parse_config(text, "test config");
  ASSERT_TRUE(config.ok()) << config.error().message;
  const mode_t umask_before = ::umask(0022);
  ::umask(umask_before);
  auto server = daemon::GateServer::create(std::move(config).value());
  ASSERT_TRUE(server.ok()) << server.error().message;
  struct stat st {};
  ASSERT_EQ(::lstat(socket_path().c_str(), &st), 0);
  EXPECT_TRUE(S_ISSOCK(st.st_mode));
  EXPECT_EQ(st.st_mode & 07777, 0640u);
  const mode_t umask_after = ::umask(umask_before);
  EXPECT_EQ(umask_after, umask_before);
}

TEST_F(DaemonTest, ClientThatDoesNotReadItsRepliesIsDisconnected) {
  start("always", 4, /*timeout_ms=*/60000);  // the idle timeout must not be what ends it
  auto client = connect();
  daemon::Request r;
  r.op = daemon::Op::kStatus;
  const std::vector<std::uint8_t> request = daemon::encode_request(r);
  // Status requests, never reading a reply, until the daemon has given up on
  // this connection (a send fails) or far more replies than fit its queue.
  bool refused = false;
  for (int sent = 0; sent < 20000 && !refused;) {
    if (::send(client.fd(), request.data(), request.size(), MSG_DONTWAIT | MSG_NOSIGNAL) >= 0) {
      ++sent;
    } else if (errno == EAGAIN) {
      std::this_thread::sleep_for(std::chrono::milliseconds(1));
    } else {
      refused = true;  // EPIPE / ECONNRESET: disconnected
    }
  }
  // Reading now: the replies that fit, then the end of the connection.
  timeval tv{3, 0};
  ::setsockopt(client.fd(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
  std::vector<char> buf(daemon::kMaxReplySize);
  ssize_t n;
  do {
    n = ::recv(client.fd(), buf.data(), buf.size(), 0);
  } while (n > 0);
  EXPECT_EQ(n, 0) << "still connected after its replies filled the queue: " << std::strerror(errno);
  // Others are still served.
  auto other = connect();
  EXPECT_TRUE(other.status().ok());
}

}  // namespace
}  // namespace pqbpf::testing
