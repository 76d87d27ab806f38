// Result<T> and Status: the library's error model.
//
// The library never throws on bad input: every fallible call returns a
// [[nodiscard]] Result<T> (a value or an Error) or a Status (Result<void>).
// Shaped like C++23 std::expected so it can be swapped for it later.
#pragma once

#include <cassert>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace pqbpf {

// Broad classes of failure. The CLI maps them to exit codes: kRejected -> 1,
// everything else -> 2 (usage or input error).
enum class ErrorCode {
  kInvalidArgument,  // caller passed something unusable (bad length, bad name)
  kParse,            // input bytes are malformed (JSON, YAML, ELF, base64, ...)
  kIo,               // open/read/write/fsync/rename failed
  kLimitExceeded,    // input past a documented limit (size, depth, count)
  kRejected,         // a well-formed input that failed a check (bad signature, hash)
  kPermission,       // unsafe file mode, missing capability
  kAlreadyExists,    // refusing to overwrite without --force
  kNotFound,
  kUnsupported,      // valid but unknown to this version (format, algorithm)
  kCrypto,           // randomness unavailable, internal crypto failure
  kInternal,
};

inline std::string_view error_code_name(ErrorCode code) {
  switch (code) {
    case ErrorCode::kInvalidArgument: return "invalid_argument";
    case ErrorCode::kParse: return "parse_error";
    case ErrorCode::kIo: return "io_error";
    case ErrorCode::kLimitExceeded: return "limit_exceeded";
    case ErrorCode::kRejected: return "rejected";
    case ErrorCode::kPermission: return "permission";
    case ErrorCode::kAlreadyExists: return "already_exists";
    case ErrorCode::kNotFound: return "not_found";
    case ErrorCode::kUnsupported: return "unsupported";
    case ErrorCode::kCrypto: return "crypto_error";
    case ErrorCode::kInternal: return "internal";
  }
  return "internal";
}

struct Error {
  ErrorCode code = ErrorCode::kInternal;
  std::string message;  // one line, no trailing period, names the problem
};

inline Error make_error(ErrorCode code, std::string message) {
  return Error{code, std::move(message)};
}

template <typename T>
class [[nodiscard]] Result {
 public:
  Result(T value) : state_(std::in_place_index<0>, std::move(value)) {}  // NOLINT
  Result(Error error) : state_(std::in_place_index<1>, std::move(error)) {}  // NOLINT

  bool ok() const { return state_.index() == 0; }
  explicit operator bool() const { return ok(); }

  T& value() & {
    assert(ok());
    return std::get<0>(state_);
  }
  const T& value() const& {
    assert(ok());
    return std::get<0>(state_);
  }
  T&& value() && {
    assert(ok());
    return std::get<0>(std::move(state_));
  }
  T* operator->() { return &value(); }
  const T* operator->() const { return &value(); }
  T& operator*() & { return value(); }
  const T& operator*() const& { return value(); }

  const Error& error() const {
    assert(!ok());
    return std::get<1>(state_);
  }

 private:
  std::variant<T, Error> state_;
};

template <>
class [[nodiscard]] Result<void> {
 public:
  Result() = default;
  Result(Error error) : error_(std::move(error)), ok_(false) {}  // NOLINT

  static Result Ok() { return Result(); }
  bool ok() const { return ok_; }
  explicit operator bool() const { return ok_; }
  const Error& error() const {
    assert(!ok_);
    return error_;
  }

 private:
  Error error_;
  bool ok_ = true;
};

using Status = Result<void>;

inline Status ok_status() { return Status::Ok(); }

}  // namespace pqbpf

// Propagate an error from an expression returning Result<T>/Status.
#define PQBPF_RETURN_IF_ERROR(expr)             \
  do {                                          \
    auto pqbpf_status_ = (expr);                \
    if (!pqbpf_status_.ok()) return pqbpf_status_.error(); \
  } while (0)

#define PQBPF_CONCAT_INNER_(a, b) a##b
#define PQBPF_CONCAT_(a, b) PQBPF_CONCAT_INNER_(a, b)

// PQBPF_ASSIGN_OR_RETURN(auto x, parse(...));
#define PQBPF_ASSIGN_OR_RETURN(lhs, expr)                                  \
  auto PQBPF_CONCAT_(pqbpf_result_, __LINE__) = (expr);                    \
  if (!PQBPF_CONCAT_(pqbpf_result_, __LINE__).ok())                        \
    return PQBPF_CONCAT_(pqbpf_result_, __LINE__).error();                 \
  lhs = std::move(PQBPF_CONCAT_(pqbpf_result_, __LINE__)).value()
