// with_libbpf_quiet: each thread gets its own libbpf warnings, and calls on
// different threads run at the same time (the gate's workers load in
// parallel; a process-wide lock around every libbpf call serialised them).
#include "libbpf_quiet.h"

#include <bpf/libbpf.h>
#include <gtest/gtest.h>

#include <chrono>
#include <condition_variable>
#include <mutex>
#include <thread>
#include <vector>

namespace pqbpf::bpf::internal {
namespace {

// Garbage that libbpf refuses with a warning.
std::vector<std::string> open_garbage() {
  std::vector<unsigned char> junk(256, 0x5a);
  return with_libbpf_quiet([&] {
    bpf_object* obj = bpf_object__open_mem(junk.data(), junk.size(), nullptr);
    if (obj != nullptr) bpf_object__close(obj);
  });
}

TEST(LibbpfQuiet, CollectsTheCallingThreadsWarnings) {
  const auto lines = open_garbage();
  EXPECT_FALSE(lines.empty()) << "libbpf said nothing about 256 bytes of garbage";
  for (const auto& l : lines) EXPECT_EQ(l.rfind("libbpf: ", 0), std::string::npos) << l;
}

TEST(LibbpfQuiet, CallsOnTwoThreadsOverlapAndKeepTheirOwnLines) {
  std::mutex mu;
  std::condition_variable cv;
  int inside = 0;
  bool overlapped[2] = {false, false};
  std::vector<std::string> lines[2];
  auto body = [&](int i) {
    lines[i] = with_libbpf_quiet([&] {
      std::unique_lock lock(mu);
      ++inside;
      cv.notify_all();
      // Both threads must be inside at once; with a lock around every call
      // the second could never enter while the first waits here.
      overlapped[i] = cv.wait_for(lock, std::chrono::seconds(3), [&] { return inside == 2; });
    });
    if (i == 0) {
      auto more = open_garbage();
      lines[i].insert(lines[i].end(), more.begin(), more.end());
    }
  };
  std::thread a(body, 0), b(body, 1);
  a.join();
  b.join();
  EXPECT_TRUE(overlapped[0] && overlapped[1]) << "with_libbpf_quiet serialised two threads";
  EXPECT_FALSE(lines[0].empty()) << "thread 0's own warnings";
  EXPECT_TRUE(lines[1].empty()) << "thread 1 made no libbpf call, so it saw no warnings";
  // And afterwards, the hook of this thread still works.
  EXPECT_FALSE(open_garbage().empty());
}

}  // namespace
}  // namespace pqbpf::bpf::internal
