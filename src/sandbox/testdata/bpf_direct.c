/* bpf_direct: a workload that calls bpf(2) itself, for the sandbox tests.
 *
 *   bpf_direct load        BPF_PROG_LOAD of a two-instruction socket filter
 *                          (r0 = 0; exit) named "pqbpf_direct"; closes the fd
 *   bpf_direct load-hicmd  the same with bit 32 of the cmd argument set (the
 *                          kernel reads only the low 32 bits: still a load)
 *   bpf_direct load-x32    the same through the x32 syscall number (__NR_bpf with
 *                          bit 30 set), which seccomp sees whether or not the
 *                          kernel has the x32 ABI
 *   bpf_direct map         BPF_MAP_CREATE of a one-entry array; closes the fd
 *   bpf_direct fork-load   a child process does `load`
 *   bpf_direct thread-load a second thread does `load`
 *   bpf_direct loop-load N `load` N times (the last result counts)
 *   bpf_direct load-count N  BPF_PROG_LOAD claiming N instructions (N zeroed
 *                          instructions are there to read)
 *   bpf_direct load-size S   `load` with an attribute of S bytes (zero tail)
 *   bpf_direct second-listener
 *                          tries to install a seccomp filter with a listener of
 *                          its own (exit 20 on EBUSY, 0 if it got one)
 *   bpf_direct orphan-load GO OUT
 *                          exits at once, leaving a child that waits until the
 *                          file GO exists, then does `load` and writes its
 *                          output line to the file OUT
 *
 * Prints one line "<what>: ok" or "<what>: <errno name>" and exits 0 when the
 * call succeeded, 10 on EPERM, 11 on ENOSYS, 12 on any other error, 2 on usage.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <linux/bpf.h>
#include <linux/filter.h>
#include <linux/seccomp.h>
#include <sys/prctl.h>
#include <pthread.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <unistd.h>

static int result_code(const char* what, long rc) {
  if (rc >= 0) {
    close((int)rc); /* never leave a program or map behind */
    printf("%s: ok\n", what);
    return 0;
  }
  int e = errno;
  printf("%s: %s\n", what, e == EPERM ? "EPERM" : e == ENOSYS ? "ENOSYS" : strerror(e));
  return e == EPERM ? 10 : e == ENOSYS ? 11 : 12;
}

static int prog_load_nr(long nr, unsigned long cmd) {
  struct bpf_insn insns[2];
  memset(insns, 0, sizeof(insns));
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K; /* r0 = 0 */
  insns[0].dst_reg = 0;
  insns[0].imm = 0;
  insns[1].code = BPF_JMP | BPF_EXIT; /* exit */
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insn_cnt = 2;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.license = (uint64_t)(uintptr_t) "GPL";
  strncpy(attr.prog_name, "pqbpf_direct", sizeof(attr.prog_name) - 1);
  return result_code("prog_load", syscall(nr, cmd, &attr, sizeof(attr)));
}

static int prog_load(unsigned long cmd) { return prog_load_nr(__NR_bpf, cmd); }

static int prog_load_sized(unsigned n_insns, size_t attr_size) {
  struct bpf_insn* insns = calloc(n_insns ? n_insns : 1, sizeof(struct bpf_insn));
  unsigned char* buf = calloc(1, attr_size > sizeof(union bpf_attr) ? attr_size : sizeof(union bpf_attr));
  if (insns == NULL || buf == NULL) return 12;
  insns[0].code = BPF_ALU64 | BPF_MOV | BPF_K;
  if (n_insns > 1) insns[1].code = BPF_JMP | BPF_EXIT;
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.prog_type = BPF_PROG_TYPE_SOCKET_FILTER;
  attr.insn_cnt = n_insns;
  attr.insns = (uint64_t)(uintptr_t)insns;
  attr.license = (uint64_t)(uintptr_t) "GPL";
  strncpy(attr.prog_name, "pqbpf_sized", sizeof(attr.prog_name) - 1);
  memcpy(buf, &attr, sizeof(attr) < attr_size ? sizeof(attr) : attr_size);
  int code = result_code("prog_load", syscall(__NR_bpf, BPF_PROG_LOAD, buf, attr_size));
  free(buf);
  free(insns);
  return code;
}

static int map_create(void) {
  union bpf_attr attr;
  memset(&attr, 0, sizeof(attr));
  attr.map_type = BPF_MAP_TYPE_ARRAY;
  attr.key_size = 4;
  attr.value_size = 8;
  attr.max_entries = 1;
  return result_code("map_create", syscall(__NR_bpf, BPF_MAP_CREATE, &attr, sizeof(attr)));
}

static void* thread_main(void* arg) {
  *(int*)arg = prog_load(BPF_PROG_LOAD);
  return NULL;
}

int main(int argc, char** argv) {
  setvbuf(stdout, NULL, _IONBF, 0);
  if (argc < 2) return 2;
  const char* mode = argv[1];
  if (strcmp(mode, "load") == 0) return prog_load(BPF_PROG_LOAD);
  if (strcmp(mode, "load-hicmd") == 0) return prog_load((1ul << 32) | BPF_PROG_LOAD);
#if defined(__x86_64__)
  if (strcmp(mode, "load-x32") == 0) return prog_load_nr(0x40000000L | __NR_bpf, BPF_PROG_LOAD);
#endif
  if (strcmp(mode, "map") == 0) return map_create();
  if (strcmp(mode, "fork-load") == 0) {
    pid_t pid = fork();
    if (pid < 0) return 12;
    if (pid == 0) _exit(prog_load(BPF_PROG_LOAD));
    int status = 0;
    if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status)) return 12;
    return WEXITSTATUS(status);
  }
  if (strcmp(mode, "thread-load") == 0) {
    pthread_t t;
    int code = 12;
    if (pthread_create(&t, NULL, thread_main, &code) != 0) return 12;
    pthread_join(t, NULL);
    return code;
  }
  if (strcmp(mode, "loop-load") == 0 && argc == 3) {
    int n = atoi(argv[2]), code = 2;
    for (int i = 0; i < n; ++i) code = prog_load(BPF_PROG_LOAD);
    return code;
  }
  if (strcmp(mode, "load-count") == 0 && argc == 3) {
    return prog_load_sized((unsigned)strtoul(argv[2], NULL, 10), sizeof(union bpf_attr));
  }
  if (strcmp(mode, "load-size") == 0 && argc == 3) {
    return prog_load_sized(2, (size_t)strtoul(argv[2], NULL, 10));
  }
  if (strcmp(mode, "second-listener") == 0) {
    struct sock_filter allow = BPF_STMT(BPF_RET | BPF_K, SECCOMP_RET_ALLOW);
    struct sock_fprog prog = {1, &allow};
    if (prctl(PR_SET_NO_NEW_PRIVS, 1, 0, 0, 0) != 0) return 12;
    long fd = syscall(__NR_seccomp, SECCOMP_SET_MODE_FILTER, SECCOMP_FILTER_FLAG_NEW_LISTENER, &prog);
    printf("second listener: %s\n", fd >= 0 ? "ok" : strerror(errno));
    return fd >= 0 ? 0 : errno == EBUSY ? 20 : 12;
  }
  if (strcmp(mode, "orphan-load") == 0 && argc == 4) {
    pid_t pid = fork();
    if (pid != 0) return pid < 0 ? 12 : 0;
    for (int i = 0; i < 3000 && access(argv[2], F_OK) != 0; ++i) usleep(10000);
    int fd = open(argv[3], O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
    if (fd < 0 || dup2(fd, 1) < 0) _exit(12);
    _exit(prog_load(BPF_PROG_LOAD));
  }
  return 2;
}
