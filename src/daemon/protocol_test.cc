// The request parser: round trips, and every malformed shape refused.
#include "pqbpf/daemon/protocol.h"

#include <gtest/gtest.h>

namespace pqbpf::daemon {
namespace {

Request load_request() {
  Request r;
  r.op = Op::kLoad;
  r.flags = kFlagReturnFds;
  r.envelope = {'{', '}'};
  r.object = {1, 2, 3};
  return r;
}

TEST(ProtocolTest, EncodedLoadParsesBack) {
  Request r = load_request();
  r.flags |= kFlagPin | kFlagAttach;
  r.pin_path = "team/xdp";
  const auto bytes = encode_request(r);
  auto parsed = parse_request(bytes, 0);
  ASSERT_TRUE(parsed.ok()) << parsed.error().message;
  EXPECT_EQ(parsed->envelope, r.envelope);
  EXPECT_EQ(parsed->object, r.object);
  EXPECT_TRUE(parsed->has_object);
  EXPECT_EQ(parsed->pin_path, "team/xdp");
  EXPECT_TRUE(parsed->attach() && parsed->pin() && parsed->return_fds());
}

TEST(ProtocolTest, StatusHasNoBody) {
  Request r;
  r.op = Op::kStatus;
  auto bytes = encode_request(r);
  EXPECT_TRUE(parse_request(bytes, 0).ok());
  EXPECT_FALSE(parse_request(bytes, 1).ok()) << "a status request carries no descriptors";
  bytes.push_back(0);
  EXPECT_FALSE(parse_request(bytes, 0).ok());
}

TEST(ProtocolTest, TruncatedGarbageAndLengthMismatchAreRefused) {
  const auto good = encode_request(load_request());
  for (std::size_t n = 0; n < good.size(); ++n) {
    EXPECT_FALSE(parse_request(std::span(good.data(), n), 0).ok()) << "truncated to " << n;
  }
  auto extra = good;
  extra.push_back(0);
  EXPECT_FALSE(parse_request(extra, 0).ok());
  std::vector<std::uint8_t> garbage(64, 0xff);
  EXPECT_EQ(parse_request(garbage, 0).error().code, ErrorCode::kParse);
  auto version = good;
  version[4] = 2;
  EXPECT_EQ(parse_request(version, 0).error().code, ErrorCode::kUnsupported);
  auto reserved = good;
  reserved[20] = 1;
  EXPECT_FALSE(parse_request(reserved, 0).ok());
  auto flags = good;
  flags[7] = 0x80;
  EXPECT_FALSE(parse_request(flags, 0).ok());
}

TEST(ProtocolTest, DescriptorCountMustMatchTheFlags) {
  Request r = load_request();
  r.envelope.clear();
  r.envelope_memfd = true;
  const auto bytes = encode_request(r);
  EXPECT_TRUE(parse_request(bytes, 1).ok());
  EXPECT_FALSE(parse_request(bytes, 0).ok());
  EXPECT_FALSE(parse_request(bytes, 2).ok());
  EXPECT_FALSE(parse_request(encode_request(load_request()), 1).ok());
}

TEST(ProtocolTest, LoadMustKeepTheProgramSomewhere) {
  Request r = load_request();
  r.flags = 0;
  EXPECT_FALSE(parse_request(encode_request(r), 0).ok());
}

TEST(ProtocolTest, UnsafePinPathsAreRefused) {
  for (const char* bad : {"..", "a/../b", "a//b", "a/", "/", "a b", "a/.x", "x\n", "a/./b"}) {
    Request r = load_request();
    r.flags |= kFlagPin;
    r.pin_path = bad;
    EXPECT_FALSE(parse_request(encode_request(r), 0).ok()) << bad;
  }
  Request r = load_request();
  r.flags |= kFlagPin;
  r.pin_path = std::string(300, 'a');
  EXPECT_FALSE(parse_request(encode_request(r), 0).ok());
}

TEST(ProtocolTest, OversizedInlineMessageIsRefused) {
  Request r = load_request();
  r.object.assign(kMaxInlineRequest, 0);
  EXPECT_EQ(parse_request(encode_request(r), 0).error().code, ErrorCode::kLimitExceeded);
}

}  // namespace
}  // namespace pqbpf::daemon
