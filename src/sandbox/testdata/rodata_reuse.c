/* rodata_reuse: a loader that tries to get a signed program loaded against
 * read-only data it can still change afterwards. It opens OBJECT with
 * libbpf, creates the `.rodata` map itself with the signed initial contents
 * but leaves it writable (no freeze; with "rw", also without
 * BPF_F_RDONLY_PROG), hands it to libbpf with bpf_map__reuse_fd (libbpf then
 * neither fills nor freezes it) and loads. A gate that checked the contents
 * at load time only would admit the program, and the loader could then
 * rewrite the "constants" the program was signed with.
 *
 *   rodata_reuse OBJECT [rw]
 *
 * Prints "loaded" and exits 0 when the load succeeded (then rewrites the
 * map to show that it could), or prints libbpf's error and exits 1.
 */
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static struct bpf_map* find_rodata(struct bpf_object* obj) {
  struct bpf_map* map;
  bpf_object__for_each_map(map, obj) {
    const char* name = bpf_map__name(map);
    size_t n = strlen(name);
    if (n >= 7 && strcmp(name + n - 7, ".rodata") == 0) return map;
  }
  return NULL;
}

int main(int argc, char** argv) {
  if (argc < 2) {
    fprintf(stderr, "usage: rodata_reuse OBJECT [rw]\n");
    return 2;
  }
  const int program_writable = argc > 2 && strcmp(argv[2], "rw") == 0;
  struct bpf_object* obj = bpf_object__open_file(argv[1], NULL);
  if (obj == NULL) {
    fprintf(stderr, "open %s: %s\n", argv[1], strerror(errno));
    return 1;
  }
  struct bpf_map* rodata = find_rodata(obj);
  if (rodata == NULL) {
    fprintf(stderr, "%s has no .rodata map\n", argv[1]);
    bpf_object__close(obj);
    return 1;
  }
  size_t size = 0;
  const void* initial = bpf_map__initial_value(rodata, &size);
  LIBBPF_OPTS(bpf_map_create_opts, opts, .map_flags = program_writable ? 0 : BPF_F_RDONLY_PROG);
  const int fd = bpf_map_create(BPF_MAP_TYPE_ARRAY, ".rodata", 4, (__u32)size, 1, &opts);
  const __u32 key = 0;
  if (fd < 0 || initial == NULL || bpf_map_update_elem(fd, &key, initial, BPF_ANY) != 0 ||
      bpf_map__reuse_fd(rodata, fd) != 0) {
    fprintf(stderr, "cannot prepare .rodata: %s\n", strerror(errno));
    bpf_object__close(obj);
    return 1;
  }
  const int err = bpf_object__load(obj);
  if (err != 0) {
    fprintf(stderr, "load: %s\n", strerror(-err));
    bpf_object__close(obj);
    return 1;
  }
  /* The "constants" change under the loaded program. */
  unsigned char* changed = calloc(1, size);
  if (changed != NULL) {
    memset(changed, 0x5a, size);
    bpf_map_update_elem(fd, &key, changed, BPF_ANY);
    free(changed);
  }
  printf("loaded\n");
  bpf_object__close(obj);
  return 0;
}
