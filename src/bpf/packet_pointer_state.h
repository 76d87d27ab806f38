// What a register or a stack slot may hold, for the direct packet write
// analysis (packet_writes.cc; internal): a set of pointer kinds, joined by
// union, so "may be a packet pointer on some path" survives every join.
// The empty set is anything else (a scalar, a map value, a socket...).
#pragma once

#include <array>
#include <cstdint>

namespace pqbpf::bpf::internal::packet_state {

enum Kind : std::uint8_t {
  kCtx = 1,         // the context pointer itself (r1 at entry)
  kCtxMoved = 2,    // the context plus some offset: which field it reads is unknown
  kPacket = 4,      // a pointer into packet data (or data_meta)
  kOwnStack = 8,    // this function's frame pointer + `stack_off`
  kOtherStack = 16  // a stack pointer of unknown offset or of another frame
};

struct Value {
  std::uint8_t kinds = 0;
  std::int16_t stack_off = 0;  // meaningful with kOwnStack only
  friend bool operator==(const Value& a, const Value& b) {
    return a.kinds == b.kinds && ((a.kinds & kOwnStack) == 0 || a.stack_off == b.stack_off);
  }
};

// Set union; two different own-stack offsets become "some stack pointer".
inline Value joined(Value a, const Value& b) {
  if ((a.kinds & kOwnStack) && (b.kinds & kOwnStack) && a.stack_off != b.stack_off) {
    a.kinds = static_cast<std::uint8_t>((a.kinds | b.kinds | kOtherStack) & ~kOwnStack);
    return a;
  }
  if (!(a.kinds & kOwnStack)) a.stack_off = b.stack_off;
  a.kinds |= b.kinds;
  return a;
}

inline bool join_into(Value& into, const Value& v) {
  const Value next = joined(into, v);
  if (next == into) return false;
  into = next;
  return true;
}

// What pointer arithmetic leaves: the ctx no longer points at field 0 and a
// stack pointer's offset is lost (callers keep it for add/sub of a constant).
inline Value moved(Value v) {
  if (v.kinds & kCtx) v.kinds = static_cast<std::uint8_t>((v.kinds & ~kCtx) | kCtxMoved);
  if (v.kinds & kOwnStack) v.kinds = static_cast<std::uint8_t>((v.kinds & ~kOwnStack) | kOtherStack);
  return v;
}

// A value seen from another frame (a callee's argument, a returned value):
// its own-stack pointers point into a frame that is not the reader's.
inline Value foreign(Value v) {
  if (v.kinds & kOwnStack) v.kinds = static_cast<std::uint8_t>((v.kinds & ~kOwnStack) | kOtherStack);
  return v;
}

constexpr int kRegs = 11;
constexpr int kFp = 10;
constexpr int kStackSize = 512;  // MAX_BPF_STACK
constexpr int kSlots = kStackSize / 8;

struct State {
  std::array<Value, kRegs> regs{};
  std::array<Value, kSlots> slots{};
};

inline bool join_state(State& into, const State& s) {
  bool changed = false;
  for (int r = 0; r < kRegs; ++r) changed |= join_into(into.regs[r], s.regs[r]);
  for (int i = 0; i < kSlots; ++i) changed |= join_into(into.slots[i], s.slots[i]);
  return changed;
}

inline State entry_state(const std::array<Value, 5>& args) {
  State s;
  for (int r = 1; r <= 5; ++r) s.regs[r] = args[r - 1];
  s.regs[kFp] = Value{kOwnStack, 0};
  return s;
}

}  // namespace pqbpf::bpf::internal::packet_state
