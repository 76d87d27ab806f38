// SecureBytes: the one container for secret material (seeds, private keys,
// signing randomness, passphrases). It wipes itself on destruction and on
// every reallocation, compares in constant time and never prints.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

namespace pqbpf::crypto {

// Zeroes memory in a way the optimiser cannot remove.
void secure_wipe(void* data, std::size_t size);

// Constant-time equality of two equal-length buffers; false if lengths differ
// (lengths are not secret).
bool constant_time_equal(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b);

class SecureBytes {
 public:
  SecureBytes() = default;
  explicit SecureBytes(std::size_t size) : bytes_(size) {}
  explicit SecureBytes(std::span<const std::uint8_t> data) : bytes_(data.begin(), data.end()) {}
  SecureBytes(const SecureBytes& other) : bytes_(other.bytes_) {}
  SecureBytes& operator=(const SecureBytes& other) {
    if (this != &other) {
      wipe();
      bytes_ = other.bytes_;
    }
    return *this;
  }
  SecureBytes(SecureBytes&& other) noexcept : bytes_(std::move(other.bytes_)) {}
  SecureBytes& operator=(SecureBytes&& other) noexcept {
    if (this != &other) {
      wipe();
      bytes_ = std::move(other.bytes_);
    }
    return *this;
  }
  ~SecureBytes() { wipe(); }

  std::size_t size() const { return bytes_.size(); }
  bool empty() const { return bytes_.empty(); }
  std::uint8_t* data() { return bytes_.data(); }
  const std::uint8_t* data() const { return bytes_.data(); }
  std::span<std::uint8_t> span() { return bytes_; }
  std::span<const std::uint8_t> span() const { return bytes_; }

  // Wipes and releases the contents.
  void wipe() {
    if (!bytes_.empty()) secure_wipe(bytes_.data(), bytes_.size());
    bytes_.clear();
    bytes_.shrink_to_fit();
  }

  friend bool operator==(const SecureBytes& a, const SecureBytes& b) {
    return constant_time_equal(a.span(), b.span());
  }

 private:
  std::vector<std::uint8_t> bytes_;
};

}  // namespace pqbpf::crypto
