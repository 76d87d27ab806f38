/* race_load: a workload that races its own BPF_PROG_LOAD, for the
 * transparent gate's test (docs/TRANSPARENT_GATE.md).
 *
 *   race_load N
 *
 * Loads the socket_filter sample's program (accept_all: r0 = *(u32 *)(r1 + 0);
 * exit) N times while a second thread keeps flipping the load's offset field
 * between 0 and 4 (r1 + 4: another __sk_buff field, a program nobody signed).
 * Whatever the supervisor copied is what it matched and loaded, so every
 * program that comes back must be the signed one: the same kernel tag each
 * time, never a second tag. Closes every fd at once.
 *
 * Prints "admitted A refused R tags T" and exits 0 when T <= 1 and A > 0,
 * 1 otherwise, 2 on usage or an unexpected error.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <linux/bpf.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <unistd.h>

static struct bpf_insn insns[2] = {
    {.code = BPF_LDX | BPF_MEM | BPF_W, .dst_reg = 0, .src_reg = 1, .off = 0, .imm = 0},
    {.code = BPF_JMP | BPF_EXIT},
};
static atomic_int stop;

static void* flipper(void* arg) {
  (void)arg;
  volatile uint8_t* off = (volatile uint8_t*)&insns[0] + 2;
  while (!atomic_load(&stop)) *off ^= 4;
  return NULL;
}

static long sys_bpf(int cmd, union bpf_attr* attr) {
  return syscall(__NR_bpf, cmd, attr, sizeof(*attr));
}

int main(int argc, char** argv) {
  if (argc != 2) {
    fprintf(stderr, "usage: race_load N\n");
    return 2;
  }
  const long n = strtol(argv[1], NULL, 10);
  pthread_t t;
  if (pthread_create(&t, NULL, flipper, NULL) != 0) return 2;
  long admitted = 0, refused = 0;
  unsigned char tags[2][BPF_TAG_SIZE];
  int ntags = 0;
  static const char license[] = "Dual BSD/GPL";
  for (long i = 0; i < n; ++i) {
    union bpf_attr attr;
    memset(&attr, 0, sizeof(attr));
    attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
    attr.insn_cnt = 2;
    attr.insns = (uint64_t)(uintptr_t)insns;
    attr.license = (uint64_t)(uintptr_t)license;
    strcpy(attr.prog_name, "accept_all");
    long fd = sys_bpf(BPF_PROG_LOAD, &attr);
    if (fd < 0) {
      if (errno != EPERM) {
        fprintf(stderr, "race_load: load %ld: %s\n", i, strerror(errno));
        atomic_store(&stop, 1);
        return 2;
      }
      ++refused;
      continue;
    }
    ++admitted;
    struct bpf_prog_info info;
    memset(&info, 0, sizeof(info));
    union bpf_attr get;
    memset(&get, 0, sizeof(get));
    get.info.bpf_fd = (uint32_t)fd;
    get.info.info_len = sizeof(info);
    get.info.info = (uint64_t)(uintptr_t)&info;
    long rc = sys_bpf(BPF_OBJ_GET_INFO_BY_FD, &get);
    close((int)fd);
    if (rc != 0) {
      fprintf(stderr, "race_load: info: %s\n", strerror(errno));
      atomic_store(&stop, 1);
      return 2;
    }
    int seen = 0;
    for (int k = 0; k < ntags; ++k) seen |= memcmp(tags[k], info.tag, BPF_TAG_SIZE) == 0;
    if (!seen) {
      if (ntags < 2) memcpy(tags[ntags], info.tag, BPF_TAG_SIZE);
      if (ntags < 2) ++ntags;
    }
  }
  atomic_store(&stop, 1);
  pthread_join(t, NULL);
  printf("admitted %ld refused %ld tags %d\n", admitted, refused, ntags);
  return ntags <= 1 && admitted > 0 ? 0 : 1;
}
