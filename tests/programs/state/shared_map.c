/*
 * Memory the program maps shared (MAP_SHARED) is program state like any other. argv[1] says
 * which program and which kind of mapping:
 *   lost  (default)  "writer" stores 1, "reader" loads it; main asserts the reader saw 1. The
 *                    reader-first execution fails: every strategy must find it (a restore that
 *                    left the shared page out would keep the 1 of an earlier execution).
 *   adds             two actors isomc_fetch_add(p, 1); main asserts *p == 2. Atomic: no
 *                    strategy may report a violation (one that does restores badly).
 * argv[2] the mapping: anon (MAP_SHARED|MAP_ANONYMOUS, default), memfd (memfd_create, its fd
 * closed once mapped), file (a file under the directory argv[3], MAP_SHARED: refused by the
 * stateful restores), sysv (a SysV shm segment: refused too), private (MAP_PRIVATE).
 */
#define _GNU_SOURCE
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/shm.h>
#include <unistd.h>
#include "isomc.h"

static int64_t *p;
static int64_t seen = -1;

static void writer(void *arg) {
  (void)arg;
  isomc_store(p, 1);
}

static void reader(void *arg) {
  (void)arg;
  seen = isomc_load(p);
}

static void adder(void *arg) {
  (void)arg;
  isomc_fetch_add(p, 1);
}

static int64_t *map(const char *kind, const char *dir) {
  void *m = MAP_FAILED;
  if (strcmp(kind, "private") == 0) {
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
  } else if (strcmp(kind, "memfd") == 0) {
    int fd = memfd_create("isomc-test", 0);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return NULL;
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
  } else if (strcmp(kind, "file") == 0) {
    char path[4096];
    snprintf(path, sizeof path, "%s/shared.bin", dir);
    int fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600);
    if (fd < 0 || ftruncate(fd, 4096) != 0) return NULL;
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
    close(fd);
  } else if (strcmp(kind, "sysv") == 0) {
    int id = shmget(IPC_PRIVATE, 4096, IPC_CREAT | 0600);
    if (id < 0) return NULL;
    m = shmat(id, NULL, 0);
    shmctl(id, IPC_RMID, NULL); /* gone when the last process detaches */
    if (m == (void *)-1) m = MAP_FAILED;
  } else {
    m = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
  }
  return m == MAP_FAILED ? NULL : m;
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  const char *what = argc > 1 ? argv[1] : "lost";
  p = map(argc > 2 ? argv[2] : "anon", argc > 3 ? argv[3] : "/tmp");
  isomc_assert_msg(p != NULL, "the mapping failed");
  if (strcmp(what, "adds") == 0) {
    isomc_actor_create("adder-1", adder, NULL);
    isomc_actor_create("adder-2", adder, NULL);
    isomc_run();
    isomc_assert_msg(*p == 2, "lost an update");
  } else {
    isomc_actor_create("writer", writer, NULL);
    isomc_actor_create("reader", reader, NULL);
    isomc_run();
    isomc_assert_msg(seen == 1, "the reader did not see the write");
  }
  return 0;
}
