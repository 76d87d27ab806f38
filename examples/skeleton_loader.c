/* skeleton_loader: an ordinary libbpf skeleton loader (bpftool gen skeleton
 * of the xdp_counter sample), with no knowledge of pqc-bpf. Under
 * `pqc-bpf run --envelopes DIR --policy P` it works unchanged when the
 * sample's envelope is in DIR and the policy allows it
 * (docs/TRANSPARENT_GATE.md).
 *
 *   skeleton_loader [N [SHIFT]]  open, load and destroy the skeleton N times
 *                                (1); with SHIFT, set the read-only
 *                                class_shift to it before each load
 *
 * The first time it also reads the program's kernel id and updates and
 * reads back its `total` map. Prints "loaded xdp_count id I" and
 * "loads: N"; exit 0, or 1 with libbpf's error.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "xdp_counter.skel.h"

static int quiet_print(enum libbpf_print_level level, const char* fmt, va_list args) {
  return level == LIBBPF_WARN ? vfprintf(stderr, fmt, args) : 0;
}

static int inspect(struct xdp_counter* skel) {
  struct bpf_prog_info info;
  __u32 len = sizeof(info);
  memset(&info, 0, sizeof(info));
  if (bpf_obj_get_info_by_fd(bpf_program__fd(skel->progs.xdp_count), &info, &len) != 0) return -errno;
  __u32 key = 0;
  __u64 value = 41, back = 0;
  if (bpf_map__update_elem(skel->maps.total, &key, sizeof(key), &value, sizeof(value), BPF_ANY) != 0 ||
      bpf_map__lookup_elem(skel->maps.total, &key, sizeof(key), &back, sizeof(back), 0) != 0) {
    return -errno;
  }
  if (back != value) return -EIO;
  printf("loaded xdp_count id %u\n", info.id);
  return 0;
}

int main(int argc, char** argv) {
  const long n = argc > 1 ? strtol(argv[1], NULL, 10) : 1;
  libbpf_set_print(quiet_print);
  for (long i = 0; i < n; ++i) {
    struct xdp_counter* skel = xdp_counter__open();
    if (skel != NULL && argc > 2) skel->rodata->class_shift = (__u32)strtoul(argv[2], NULL, 10);
    if (skel != NULL && xdp_counter__load(skel) != 0) {
      const int err = errno;
      xdp_counter__destroy(skel);
      skel = NULL;
      errno = err;
    }
    if (skel == NULL) {
      fprintf(stderr, "skeleton_loader: load %ld: %s\n", i, strerror(errno));
      return 1;
    }
    if (i == 0) {
      int err = inspect(skel);
      if (err != 0) {
        fprintf(stderr, "skeleton_loader: %s\n", strerror(-err));
        xdp_counter__destroy(skel);
        return 1;
      }
    }
    xdp_counter__destroy(skel);
  }
  printf("loads: %ld\n", n);
  return 0;
}
