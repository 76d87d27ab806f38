// The helper capability table and the per-program facts the reader derives
// from it (issue 17): the table is the kernel's UAPI enum, every program of
// the capability sample lists exactly the helpers, kfuncs and maps its code
// and its subprograms use, and libbpf's internal maps have one fixed name.
#include <gtest/gtest.h>
#include <linux/bpf.h>

#include <filesystem>
#include <fstream>
#include <set>
#include <string>
#include <vector>

#include "pqbpf/bpf/capabilities.h"
#include "pqbpf/bpf/object_format.h"
#include "pqbpf/bpf/object_info.h"
#include "pqbpf/core/file_io.h"
#include "test_paths.h"

namespace pqbpf::bpf {
namespace {

std::string capability_object() {
  return testing::env_or("PQBPF_BINARY_DIR", ".") + "/src/bpf/capability_calls.bpf.o";
}

struct UapiHelper {
  int id;
  const char* name;
};

// The UAPI mapper puts the commas between entries itself.
#define PQBPF_UAPI_HELPER(x) {BPF_FUNC_##x, "bpf_" #x}
constexpr UapiHelper kUapi[] = {__BPF_FUNC_MAPPER(PQBPF_UAPI_HELPER)};
#undef PQBPF_UAPI_HELPER

TEST(HelperTableTest, EveryUapiHelperIsKnownWithItsIdAndName) {
  std::size_t checked = 0;
  for (const UapiHelper& u : kUapi) {
    if (u.id == 0) continue;  // BPF_FUNC_unspec is no helper
    const HelperInfo* h = find_helper(u.id);
    ASSERT_NE(h, nullptr) << u.name;
    EXPECT_EQ(h->name, u.name);
    EXPECT_NE(h->capability, Capability::kUnknown) << u.name;
    EXPECT_NE(h->capability, Capability::kKfunc) << u.name;
    ++checked;
  }
  EXPECT_EQ(checked, known_helpers().size());
}

std::pair<int, int> version(std::string_view v) {
  const auto dot = v.find('.');
  return {std::stoi(std::string(v.substr(0, dot))), std::stoi(std::string(v.substr(dot + 1)))};
}

TEST(HelperTableTest, IdsAreDenseAndSinceNeverDecreases) {
  std::pair<int, int> last{0, 0};
  std::int32_t expected_id = 1;
  for (const HelperInfo& h : known_helpers()) {
    EXPECT_EQ(h.id, expected_id++);
    const auto v = version(h.since);
    EXPECT_GE(v, last) << h.name << " since " << h.since;
    EXPECT_GE(v, std::make_pair(3, 19)) << h.name;
    last = v;
  }
}

TEST(HelperTableTest, FindByNameWithOrWithoutPrefix) {
  const HelperInfo* with = find_helper(std::string_view("bpf_probe_read_kernel"));
  const HelperInfo* without = find_helper(std::string_view("probe_read_kernel"));
  ASSERT_NE(with, nullptr);
  EXPECT_EQ(with, without);
  EXPECT_EQ(with->id, 113);
  EXPECT_EQ(with->capability, Capability::kKernelMemoryRead);
  EXPECT_EQ(with->since, "5.5");
  EXPECT_EQ(find_helper(std::string_view("bpf_no_such_helper")), nullptr);
  EXPECT_EQ(find_helper(std::string_view("")), nullptr);
}

TEST(HelperTableTest, UnknownIdIsItsOwnClass) {
  for (std::int64_t id : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{100000},
                          static_cast<std::int64_t>(known_helpers().size()) + 1}) {
    EXPECT_EQ(find_helper(id), nullptr) << id;
    EXPECT_EQ(helper_capability(id), Capability::kUnknown) << id;
    EXPECT_EQ(helper_display_name(id), "unknown#" + std::to_string(id));
  }
}

TEST(HelperTableTest, ClassesOfTheIssuesExamples) {
  auto cls = [](const char* n) { return find_helper(std::string_view(n))->capability; };
  EXPECT_EQ(cls("probe_read_kernel"), Capability::kKernelMemoryRead);
  EXPECT_EQ(cls("probe_read_user"), Capability::kUserMemoryRead);
  EXPECT_EQ(cls("probe_write_user"), Capability::kUserMemoryWrite);
  EXPECT_EQ(cls("skb_store_bytes"), Capability::kPacketWrite);
  EXPECT_EQ(cls("redirect"), Capability::kRedirect);
  EXPECT_EQ(cls("send_signal"), Capability::kSignal);
  EXPECT_EQ(cls("override_return"), Capability::kOverrideReturn);
  EXPECT_EQ(cls("ringbuf_output"), Capability::kOutput);
  EXPECT_EQ(cls("perf_event_output"), Capability::kOutput);
  EXPECT_EQ(cls("sys_bpf"), Capability::kSyscall);
  EXPECT_EQ(cls("ktime_get_ns"), Capability::kTime);
  EXPECT_EQ(cls("get_prandom_u32"), Capability::kRandom);
}

std::set<Capability> implied(std::optional<BPFProgramType> type, std::string_view attach = "") {
  std::set<Capability> out;
  for (const auto& i : implied_capabilities(type, attach)) {
    EXPECT_FALSE(i.why.empty());
    out.insert(i.capability);
  }
  return out;
}

// What a kind of program can do with no helper at all.
TEST(HelperTableTest, ClassesImpliedByTheKindOfProgram) {
  using C = Capability;
  EXPECT_EQ(implied(BPFProgramType::kFentry, "trace_fentry"), (std::set<C>{C::kKernelMemoryRead}));
  EXPECT_EQ(implied(BPFProgramType::kTracing, "trace_raw_tp"), (std::set<C>{C::kKernelMemoryRead}));
  EXPECT_EQ(implied(BPFProgramType::kTracing, "modify_return"),
            (std::set<C>{C::kKernelMemoryRead, C::kOverrideReturn}));
  EXPECT_EQ(implied(BPFProgramType::kLsm, "lsm_mac"), (std::set<C>{C::kKernelMemoryRead, C::kOverrideReturn}));
  EXPECT_EQ(implied(BPFProgramType::kStructOps),
            (std::set<C>{C::kKernelMemoryRead, C::kOverrideReturn, C::kKernelWrite}));
  EXPECT_EQ(implied(BPFProgramType::kRawTracepointWritable), (std::set<C>{C::kKernelWrite}));
  for (auto t : {BPFProgramType::kKprobe, BPFProgramType::kUprobe, BPFProgramType::kTracepoint,
                 BPFProgramType::kRawTracepoint, BPFProgramType::kXdp, BPFProgramType::kSocketFilter}) {
    EXPECT_TRUE(implied(t).empty()) << program_type_name(t);
  }
  EXPECT_TRUE(implied(std::nullopt, "modify_return").empty());
}

TEST(HelperTableTest, CapabilityNamesRoundTrip) {
  std::set<std::string> names;
  for (Capability c : all_capabilities()) {
    const std::string_view n = capability_name(c);
    EXPECT_TRUE(names.insert(std::string(n)).second) << n;
    ASSERT_TRUE(parse_capability(n).has_value()) << n;
    EXPECT_EQ(*parse_capability(n), c);
  }
  EXPECT_FALSE(parse_capability("Kernel_Memory_Read").has_value());
  EXPECT_FALSE(parse_capability("").has_value());
}

std::vector<std::string> helper_names(const ProgramInfo& p) {
  std::vector<std::string> out;
  for (std::int32_t id : p.helper_ids) out.push_back(helper_display_name(id));
  return out;
}

using Strings = std::vector<std::string>;

TEST(ProgramCallsTest, CapabilitySampleListsHelpersKfuncsAndMapsPerProgram) {
  auto info = inspect_object_file(capability_object());
  ASSERT_TRUE(info.ok()) << info.error().message;
  struct Expected {
    const char* program;
    Strings helpers;  // sorted by id
    Strings kfuncs;
    std::vector<MapReference> maps;
  };
  const std::vector<Expected> expected = {
      // send_word (a .text subprogram) adds bpf_ringbuf_output and `events`.
      {"read_kernel",
       {"bpf_get_current_pid_tgid", "bpf_probe_read_kernel", "bpf_ringbuf_output"},
       {},
       {{"events", "ringbuf"}, {"object.rodata", "array"}}},
      {"write_user", {"bpf_probe_write_user"}, {}, {}},
      {"kill_caller", {"bpf_send_signal"}, {}, {}},
      {"override", {"bpf_override_return"}, {}, {}},
      {"use_kfunc", {}, {"bpf_rcu_read_lock"}, {}},
      {"rewrite_and_redirect", {"bpf_xdp_adjust_head", "bpf_redirect_map"}, {}, {{"ports", "devmap"}}},
      {"only_count", {"bpf_ktime_get_ns"}, {}, {}},
  };
  ASSERT_EQ(info->programs.size(), expected.size());
  for (std::size_t i = 0; i < expected.size(); ++i) {
    const ProgramInfo& p = info->programs[i];
    EXPECT_EQ(p.name, expected[i].program);
    EXPECT_TRUE(p.calls_known) << p.name;
    EXPECT_EQ(helper_names(p), expected[i].helpers) << p.name;
    EXPECT_EQ(p.kfuncs, expected[i].kfuncs) << p.name;
    EXPECT_EQ(p.map_refs, expected[i].maps) << p.name;
  }
}

// libbpf names internal maps after the object name; we give it one fixed
// name, so the file's name never shows (it used to: "<file>.rodata").
TEST(ProgramCallsTest, InternalMapsHaveOneFixedNameWhateverTheFileName) {
  auto bytes = read_file(capability_object(), kMaxObjectFileSize);
  ASSERT_TRUE(bytes.ok());
  for (const char* label : {"/srv/x/my_long_name.bpf.o", "capability_calls.bpf.o", "a"}) {
    auto info = inspect_object(*bytes, label);
    ASSERT_TRUE(info.ok()) << info.error().message;
    std::set<std::string> names;
    for (const auto& m : info->maps) names.insert(m.name);
    EXPECT_EQ(names, (std::set<std::string>{"events", "ports", "object.rodata"})) << label;
  }
}

TEST(ProgramCallsTest, JsonAndTableShowHelpersWithClassAndRelease) {
  auto info = inspect_object_file(capability_object());
  ASSERT_TRUE(info.ok());
  const nlohmann::json j = object_info_to_json(*info);
  const auto& p0 = j["programs"][0];
  EXPECT_EQ(p0["name"], "read_kernel");
  EXPECT_EQ(p0["calls_known"], true);
  ASSERT_EQ(p0["helpers"].size(), 3u);
  EXPECT_EQ(p0["helpers"][1], (nlohmann::json{{"id", 113},
                                              {"name", "bpf_probe_read_kernel"},
                                              {"class", "kernel_memory_read"},
                                              {"since", "5.5"}}));
  EXPECT_EQ(p0["capabilities"],
            (nlohmann::json{"kernel_memory_read", "output", "context_read"}));
  EXPECT_EQ(p0["maps"][1], (nlohmann::json{{"name", "object.rodata"}, {"type", "array"}}));
  EXPECT_EQ(j["programs"][4]["kfuncs"], (nlohmann::json::array({{{"name", "bpf_rcu_read_lock"},
                                                                 {"class", "kfunc"}}})));
  const std::string text = format_object_info_text(*info);
  EXPECT_NE(text.find("read_kernel           helper  bpf_probe_read_kernel     kernel_memory_read  5.5"),
            std::string::npos)
      << text;
  EXPECT_NE(text.find("use_kfunc             kfunc   bpf_rcu_read_lock         kfunc"), std::string::npos);
}

}  // namespace
}  // namespace pqbpf::bpf
