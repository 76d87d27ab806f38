// base64_decode: strict (one accepted encoding per byte string), checked case
// by case and against libsodium's strict decoder on many generated texts.
#include "pqbpf/core/base64.h"

#include <gtest/gtest.h>
#include <sodium.h>

#include <random>

namespace pqbpf {
namespace {

std::vector<std::uint8_t> bytes_of(std::string_view s) { return {s.begin(), s.end()}; }

TEST(Base64Test, DecodesWhatItEncodes) {
  std::mt19937 rng(7);
  for (std::size_t len = 0; len < 300; ++len) {
    std::vector<std::uint8_t> data(len);
    for (auto& b : data) b = static_cast<std::uint8_t>(rng());
    auto back = base64_decode(base64_encode(data));
    ASSERT_TRUE(back.ok()) << len;
    EXPECT_EQ(*back, data) << len;
  }
}

TEST(Base64Test, KnownValues) {
  EXPECT_EQ(*base64_decode(""), bytes_of(""));
  EXPECT_EQ(*base64_decode("QQ=="), bytes_of("A"));
  EXPECT_EQ(*base64_decode("QUI="), bytes_of("AB"));
  EXPECT_EQ(*base64_decode("QUJD"), bytes_of("ABC"));
  EXPECT_EQ(*base64_decode("+/+/"), (std::vector<std::uint8_t>{0xfb, 0xff, 0xbf}));
}

TEST(Base64Test, RejectsEverythingButTheOneEncoding) {
  for (const char* bad : {"QQ", "QQ=", "QR==", "QUJ=", "QUN=", "Q===", "====", "QQ=A", "QUJ=QUJD",
                          " QUJD", "QUJD ", "QU JD", "QUJD\n", "  QUJD  ", "QUJD\n\n\n\n", "-_-_",
                          "QUJD====", "QU\tD", "QUJ\xc3\xa9"}) {
    EXPECT_FALSE(base64_decode(bad).ok()) << "accepted [" << bad << "]";
  }
  EXPECT_FALSE(base64_decode(std::string_view("QU\0D", 4)).ok()) << "accepted a NUL";
  // Each byte >= 0x80 in place of a digit (libsodium 1.0.18 takes them for '/').
  for (int c = 0x80; c <= 0xff; ++c) {
    const std::string text = std::string("WL3") + static_cast<char>(c);
    EXPECT_FALSE(base64_decode(text).ok()) << "accepted byte " << c;
  }
}

// libsodium's decoder (ORIGINAL, no ignored characters, whole input) is
// strict in the same way for ASCII text: both must accept exactly the same
// texts and agree on the bytes. (Not beyond ASCII: libsodium 1.0.18 reads
// every byte >= 0x80 as '/', which base64_decode refuses, above.)
TEST(Base64Test, AgreesWithLibsodiumOnGeneratedTexts) {
  ASSERT_GE(sodium_init(), 0);
  const std::string alphabet = "AQgw+/9Z=A=\n -_";
  std::mt19937 rng(12345);
  int accepted = 0;
  for (int i = 0; i < 200000; ++i) {
    std::string text(rng() % 13, 'A');
    for (char& c : text) {
      // Mostly valid digits, so that many texts are valid.
      c = rng() % 4 != 0 ? static_cast<char>("ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"[rng() % 64])
                         : alphabet[rng() % alphabet.size()];
    }
    if (rng() % 3 == 0 && text.size() >= 2) text[text.size() - 1] = '=';
    if (rng() % 5 == 0 && text.size() >= 2) text[text.size() - 2] = '=';
    std::vector<std::uint8_t> expected(text.size() + 1);  // never empty: libsodium wants a non-null buffer
    std::size_t len = 0;
    const char* end = nullptr;
    const bool sodium_ok = text.size() % 4 == 0 &&
                           sodium_base642bin(expected.data(), expected.size(), text.data(), text.size(), nullptr,
                                             &len, &end, sodium_base64_VARIANT_ORIGINAL) == 0 &&
                           end == text.data() + text.size();
    auto ours = base64_decode(text);
    ASSERT_EQ(ours.ok(), sodium_ok) << "[" << text << "]";
    if (sodium_ok) {
      expected.resize(len);
      ASSERT_EQ(*ours, expected) << "[" << text << "]";
      ++accepted;
    }
  }
  EXPECT_GT(accepted, 10000);  // the generator reaches the valid texts too
}

}  // namespace
}  // namespace pqbpf
