// Passphrase sources (see passphrase.h): file, environment, terminal prompt.
// The terminal path follows what ssh-keygen and gpg do: talk to /dev/tty (not
// stdin, which may be a pipe carrying data), turn echo off, and restore the
// terminal's settings on every way out.
#include "pqbpf/core/passphrase.h"

#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <termios.h>
#include <unistd.h>

#include <cerrno>
#include <csignal>
#include <cstdlib>
#include <cstring>

#include "key_file_io.h"

namespace pqbpf {
namespace {

using crypto::SecureBytes;

// Length of the first line of `data` (up to, not including, "\n" or "\r\n").
std::size_t first_line_length(std::span<const std::uint8_t> data) {
  std::size_t n = 0;
  while (n < data.size() && data[n] != '\n') ++n;
  if (n > 0 && data[n - 1] == '\r') --n;
  return n;
}

Result<SecureBytes> checked(SecureBytes pass, const std::string& where) {
  if (pass.empty()) {
    return make_error(ErrorCode::kInvalidArgument, where + ": the passphrase is empty");
  }
  if (pass.size() > kMaxPassphraseSize) {
    return make_error(ErrorCode::kLimitExceeded,
                      where + ": the passphrase is longer than " +
                          std::to_string(kMaxPassphraseSize) + " bytes");
  }
  return pass;
}

Result<SecureBytes> from_file(const std::string& path) {
  internal::SecretFileOptions options;
  options.max_size = 64 * 1024;
  options.refused_mode_bits = 066;  // others must not read (or replace) the passphrase
  options.require_own_file = true;  // nor may its owner, if that is someone else
  PQBPF_ASSIGN_OR_RETURN(SecureBytes contents, internal::read_secret_file(path, options));
  const std::size_t len = first_line_length(contents.span());
  return checked(SecureBytes(contents.span().first(len)), path);
}

Result<SecureBytes> from_environment(const std::string& name) {
  const char* value = name.empty() ? nullptr : std::getenv(name.c_str());
  if (value == nullptr) {
    return make_error(ErrorCode::kNotFound,
                      "environment variable " + name + " is not set; export it or use another passphrase source");
  }
  const std::size_t length = std::strlen(value);
  SecureBytes pass(std::span(reinterpret_cast<const std::uint8_t*>(value), length));
  // Once read, the passphrase leaves the environment: child processes we
  // start (and /proc/self/environ readers, for the strings we own) must not
  // see it. The bytes are wiped in place first, since unsetenv only drops
  // the pointer. Safe: we are single-threaded here and nothing else holds
  // `value`.
  crypto::secure_wipe(const_cast<char*>(value), length);
  ::unsetenv(name.c_str());
  return checked(std::move(pass), "environment variable " + name);
}

// While echo is off, signals that would end or stop the process are caught
// (without SA_RESTART, so the read returns EINTR), the terminal is restored,
// the previous handlers are put back, and the signal is raised again: Ctrl-C
// at the prompt still interrupts, and never leaves the terminal silent.
volatile std::sig_atomic_t g_caught_signal = 0;
extern "C" void note_signal(int signo) { g_caught_signal = signo; }

class SignalGuard {
 public:
  SignalGuard() {
    g_caught_signal = 0;
    struct sigaction sa {};
    sa.sa_handler = note_signal;
    sigemptyset(&sa.sa_mask);
    sa.sa_flags = 0;
    for (std::size_t i = 0; i < kCount; ++i) ::sigaction(kSignals[i], &sa, &saved_[i]);
  }
  ~SignalGuard() {
    for (std::size_t i = 0; i < kCount; ++i) ::sigaction(kSignals[i], &saved_[i], nullptr);
  }
  SignalGuard(const SignalGuard&) = delete;
  SignalGuard& operator=(const SignalGuard&) = delete;
  static int caught() { return g_caught_signal; }

 private:
  static constexpr int kSignals[] = {SIGINT, SIGTERM, SIGHUP, SIGQUIT, SIGTSTP, SIGTTIN, SIGTTOU};
  static constexpr std::size_t kCount = sizeof(kSignals) / sizeof(kSignals[0]);
  struct sigaction saved_[kCount] {};
};

class Terminal {
 public:
  ~Terminal() {
    if (echo_off_) ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    if (fd_ >= 0) ::close(fd_);
  }

  Status open() {
    fd_ = ::open("/dev/tty", O_RDWR | O_NOCTTY | O_CLOEXEC);
    if (fd_ < 0) {
      return make_error(ErrorCode::kInvalidArgument,
                        "no terminal to ask for the passphrase; use --passphrase-file or "
                        "--passphrase-env");
    }
    return ok_status();
  }

  // Prints `prompt`, reads one line with echo off.
  Result<SecureBytes> ask(const std::string& prompt) {
    int caught = 0;
    auto line = [&] {
      SignalGuard guard;
      auto result = ask_quietly(prompt);
      caught = SignalGuard::caught();
      return result;
    }();
    if (caught != 0) {
      ::raise(caught);  // handlers are back: the process does what it would have done
      return make_error(ErrorCode::kInvalidArgument, "/dev/tty: interrupted");
    }
    return line;
  }

 private:
  // Echo goes off before the prompt is shown, so nothing typed after the
  // prompt appears is echoed or discarded by the TCSAFLUSH.
  Result<SecureBytes> ask_quietly(const std::string& prompt) {
    if (::tcgetattr(fd_, &saved_) != 0) {
      return make_error(ErrorCode::kIo, std::string("/dev/tty: cannot read terminal settings: ") +
                                            std::strerror(errno));
    }
    struct termios quiet = saved_;
    quiet.c_lflag &= ~static_cast<tcflag_t>(ECHO | ECHOE | ECHOK | ECHONL);
    quiet.c_lflag |= ICANON;
    if (::tcsetattr(fd_, TCSAFLUSH, &quiet) != 0) {
      return make_error(ErrorCode::kIo, std::string("/dev/tty: cannot turn echo off: ") +
                                            std::strerror(errno));
    }
    echo_off_ = true;
    write_text(prompt);
    SecureBytes line(kMaxPassphraseSize + 1);
    std::size_t used = 0;
    bool complete = false;
    while (used < line.size()) {
      // A signal may land before read() starts; polling with a short timeout
      // makes sure it is noticed rather than waiting for the next keystroke.
      if (SignalGuard::caught() != 0) break;
      struct pollfd p {fd_, POLLIN, 0};
      const int ready = ::poll(&p, 1, 100);
      if (ready == 0 || (ready < 0 && errno == EINTR)) continue;
      if (ready < 0) break;
      std::uint8_t c = 0;
      const ssize_t n = ::read(fd_, &c, 1);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) break;  // EOF (Ctrl-D) or an error
      if (c == '\n') {
        complete = true;
        break;
      }
      line.data()[used++] = c;
      c = 0;
    }
    ::tcsetattr(fd_, TCSAFLUSH, &saved_);
    echo_off_ = false;
    write_text("\n");
    if (!complete && used <= kMaxPassphraseSize) {
      return make_error(ErrorCode::kInvalidArgument, "/dev/tty: no passphrase entered");
    }
    if (used > 0 && line.data()[used - 1] == '\r') --used;
    return checked(SecureBytes(line.span().first(used)), "/dev/tty");
  }

  void write_text(const std::string& text) {
    const char* p = text.data();
    std::size_t left = text.size();
    while (left > 0) {
      const ssize_t n = ::write(fd_, p, left);
      if (n < 0 && errno == EINTR) continue;
      if (n <= 0) return;
      p += n;
      left -= static_cast<std::size_t>(n);
    }
  }

  int fd_ = -1;
  struct termios saved_ {};
  bool echo_off_ = false;
};

Result<SecureBytes> from_terminal(const std::string& prompt, bool confirm) {
  Terminal tty;
  PQBPF_RETURN_IF_ERROR(tty.open());
  PQBPF_ASSIGN_OR_RETURN(SecureBytes first, tty.ask(prompt.empty() ? "Passphrase: " : prompt));
  if (!confirm) return first;
  PQBPF_ASSIGN_OR_RETURN(SecureBytes second, tty.ask("Repeat passphrase: "));
  if (!crypto::constant_time_equal(first.span(), second.span())) {
    return make_error(ErrorCode::kInvalidArgument, "the two passphrases differ; try again");
  }
  return first;
}

}  // namespace

Result<SecureBytes> read_passphrase(const PassphraseSource& source) {
  switch (source.kind) {
    case PassphraseSource::Kind::kFile: return from_file(source.value);
    case PassphraseSource::Kind::kEnvironment: return from_environment(source.value);
    case PassphraseSource::Kind::kTerminal: return from_terminal(source.value, false);
  }
  return make_error(ErrorCode::kInternal, "unknown passphrase source");
}

Result<SecureBytes> read_new_passphrase(const PassphraseSource& source) {
  if (source.kind == PassphraseSource::Kind::kTerminal) return from_terminal(source.value, true);
  return read_passphrase(source);
}

}  // namespace pqbpf
