// The bounded YAML reader: structure, positions, and every refusal.
#include "yaml_tree.h"

#include <string>

#include <gtest/gtest.h>

namespace pqbpf::policy {
namespace {

std::string nested_flow(std::size_t depth) {
  return std::string(depth, '[') + "x" + std::string(depth, ']');
}

std::string nested_block(std::size_t depth) {
  std::string text;
  for (std::size_t i = 0; i < depth; ++i) text += std::string(i * 2, ' ') + "- \n";
  return text.substr(0, text.size() - 1) + "x\n";
}

TEST(YamlTree, ParseMappingKeepsOrderPositionsAndQuoting) {
  auto tree = parse_yaml_tree("a: 1\nb: \"two\"\nc: [x, y]\n", "t.yaml");
  ASSERT_TRUE(tree.ok()) << tree.error().message;
  ASSERT_EQ(tree->kind, YamlNode::Kind::kMap);
  ASSERT_EQ(tree->entries.size(), 3u);
  EXPECT_EQ(tree->entries[0].first.value, "a");
  EXPECT_TRUE(tree->entries[0].second.plain);
  EXPECT_FALSE(tree->entries[1].second.plain);
  EXPECT_EQ(tree->entries[1].second.line, 2);
  EXPECT_EQ(tree->entries[1].second.column, 4);
  EXPECT_EQ(tree->entries[2].second.items.size(), 2u);
}

TEST(YamlTree, ParseEmptyOrCommentOnlyTextFails) {
  for (const char* text : {"", "   \n", "# only a comment\n"}) {
    auto tree = parse_yaml_tree(text, "t.yaml");
    ASSERT_FALSE(tree.ok());
    EXPECT_EQ(tree.error().message, "t.yaml: the policy file is empty");
  }
}

TEST(YamlTree, ParseInvalidYamlFailsWithLineAndColumn) {
  auto tree = parse_yaml_tree("a: 1\nb: [x, y\n", "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.error().code, ErrorCode::kParse);
  EXPECT_EQ(tree.error().message.rfind("t.yaml: line ", 0), 0u) << tree.error().message;
  EXPECT_NE(tree.error().message.find("invalid YAML"), std::string::npos);
}

TEST(YamlTree, ParseDuplicateKeyFailsAtSecondKey) {
  auto tree = parse_yaml_tree("a: 1\nb: 2\na: 3\n", "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.error().message, "t.yaml: line 3, column 1: duplicate key 'a'");
}

TEST(YamlTree, ParseNonStringKeyFails) {
  auto tree = parse_yaml_tree("? [a, b]\n: 1\n", "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_NE(tree.error().message.find("mapping keys must be strings"), std::string::npos);
}

TEST(YamlTree, ParseAnchorAliasOrTagFails) {
  for (const char* text : {"a: &x 1\nb: *x\n", "a: &x [1]\n", "a: !!str 1\n", "a: !custom x\n"}) {
    auto tree = parse_yaml_tree(text, "t.yaml");
    ASSERT_FALSE(tree.ok()) << text;
    EXPECT_EQ(tree.error().message.rfind("t.yaml: line 1, column ", 0), 0u) << tree.error().message;
  }
}

TEST(YamlTree, ParseSecondDocumentFails) {
  auto tree = parse_yaml_tree("a: 1\n---\nb: 2\n", "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_NE(tree.error().message.find("more than one YAML document"), std::string::npos);
}

TEST(YamlTree, ParseControlCharacterInStringFails) {
  auto tree = parse_yaml_tree("a: \"x\\ny\"\n", "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_NE(tree.error().message.find("control characters"), std::string::npos);
}

TEST(YamlTree, ParseFlowNestingAtDepthLimitSucceedsAndPastItFails) {
  EXPECT_TRUE(parse_yaml_tree(nested_flow(32), "t.yaml").ok());
  auto tree = parse_yaml_tree(nested_flow(33), "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(tree.error().message, "t.yaml: line 1, column 33: nesting deeper than 32 levels");
}

TEST(YamlTree, ParseBlockNestingAtDepthLimitSucceedsAndPastItFails) {
  auto ok = parse_yaml_tree(nested_block(32), "t.yaml");
  EXPECT_TRUE(ok.ok()) << ok.error().message;
  auto tree = parse_yaml_tree(nested_block(33), "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(tree.error().message.rfind("t.yaml: line 33, column ", 0), 0u) << tree.error().message;
}

TEST(YamlTree, ParseMegabyteOfOpenBracketsFailsQuicklyWithPosition) {
  auto tree = parse_yaml_tree(std::string(1u << 20, '['), "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.error().message, "t.yaml: line 1, column 33: nesting deeper than 32 levels");
}

TEST(YamlTree, BracketsInQuotesAndCommentsDoNotCountAsNesting) {
  const std::string many(40, '[');
  auto tree = parse_yaml_tree("# " + many + "\na: \"" + many + "\"\nb: '" + many + "'\nc: x#" + "\n", "t.yaml");
  ASSERT_TRUE(tree.ok()) << tree.error().message;
  EXPECT_EQ(tree->entries[1].second.value, many);
}

TEST(YamlTree, DeepFlowNestingAfterEscapedNewlineIsReportedOnItsLine) {
  auto tree = parse_yaml_tree("a: \"x\\\ny\"\nb: " + std::string(40, '['), "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.error().message, "t.yaml: line 3, column 36: nesting deeper than 32 levels");
}

TEST(YamlTree, ParseMixedBlockAndFlowNestingPastLimitFails) {
  auto tree = parse_yaml_tree(nested_block(20) .substr(0, nested_block(20).size() - 2) + nested_flow(13) + "\n", "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_NE(tree.error().message.find("nesting deeper than 32 levels"), std::string::npos) << tree.error().message;
}

TEST(YamlTree, ParseStringAtLengthLimitSucceedsAndPastItFails) {
  YamlLimits limits;
  limits.max_string = 16;
  EXPECT_TRUE(parse_yaml_tree("a: " + std::string(16, 'x'), "t.yaml", limits).ok());
  auto tree = parse_yaml_tree("a: " + std::string(17, 'x'), "t.yaml", limits);
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.error().code, ErrorCode::kLimitExceeded);
}

TEST(YamlTree, ParseNodeCountAtLimitSucceedsAndPastItFails) {
  YamlLimits limits;
  limits.max_nodes = 4;  // the list and three items
  EXPECT_TRUE(parse_yaml_tree("[a, b, c]", "t.yaml", limits).ok());
  auto tree = parse_yaml_tree("[a, b, c, d]", "t.yaml", limits);
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.error().code, ErrorCode::kLimitExceeded);
  EXPECT_EQ(tree.error().message, "t.yaml: line 1, column 11: more than 4 YAML nodes");
}

// Was a test that could not fail (it ended in SUCCEED()): yaml-cpp accepted
// the bytes and handed them on. Invalid UTF-8 is now refused, naming the line.
TEST(YamlTree, ParseInvalidUtf8FailsNamingTheLine) {
  const std::string text = "a: \"\xff\xfe\"\nb: \xc3\x28\n";
  auto tree = parse_yaml_tree(text, "t.yaml");
  ASSERT_FALSE(tree.ok());
  EXPECT_EQ(tree.error().code, ErrorCode::kParse);
  EXPECT_EQ(tree.error().message, "t.yaml: line 1: not valid UTF-8; policy files must be UTF-8");
  // The first bad line is named: a bare continuation byte on line 3, an
  // overlong '/' on line 2, a UTF-16 surrogate on line 4.
  auto third = parse_yaml_tree("a: 1\nb: \"\xc3\xa9\"\nc: \x80\n", "t.yaml");
  ASSERT_FALSE(third.ok());
  EXPECT_EQ(third.error().message, "t.yaml: line 3: not valid UTF-8; policy files must be UTF-8");
  auto overlong = parse_yaml_tree("a: 1\nb: \xc0\xaf\n", "t.yaml");
  ASSERT_FALSE(overlong.ok());
  EXPECT_EQ(overlong.error().message, "t.yaml: line 2: not valid UTF-8; policy files must be UTF-8");
  auto surrogate = parse_yaml_tree("a: 1\nb: 2\nc: 3\nd: \xed\xa0\x80\n", "t.yaml");
  ASSERT_FALSE(surrogate.ok());
  EXPECT_EQ(surrogate.error().message, "t.yaml: line 4: not valid UTF-8; policy files must be UTF-8");
  // Valid multi-byte UTF-8 is still accepted.
  EXPECT_TRUE(parse_yaml_tree("name: \"caf\xc3\xa9 \xe2\x82\xac \xf0\x9f\x94\x92\"\n", "t.yaml").ok());
}

}  // namespace
}  // namespace pqbpf::policy
