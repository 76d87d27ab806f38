// An owned libbpf object (internal): closed with bpf_object__close when the
// pointer goes, so every early return releases it.
#pragma once

#include <bpf/libbpf.h>

#include <memory>

namespace pqbpf::bpf::internal {

struct BpfObjectCloser {
  void operator()(bpf_object* object) const { bpf_object__close(object); }
};

using BpfObjectPtr = std::unique_ptr<bpf_object, BpfObjectCloser>;

}  // namespace pqbpf::bpf::internal
