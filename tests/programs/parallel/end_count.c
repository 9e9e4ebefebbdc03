/*
 * Main's end after isomc_run appends one line to the file argv[1] names: the lines count the
 * ends that ran. Three actors store to three variables, so the 3! = 6 executions all end in one
 * final state: with --every-end 6 ends run, without it 1 in a sequential search (the final
 * state's end is known after the first).
 * Expected verdict: ok.
 */
#include <fcntl.h>
#include <stdint.h>
#include <unistd.h>
#include "isomc.h"

static int64_t x, y, z;

static void sx(void *arg) {
  (void)arg;
  isomc_store(&x, 1);
}

static void sy(void *arg) {
  (void)arg;
  isomc_store(&y, 1);
}

static void sz(void *arg) {
  (void)arg;
  isomc_store(&z, 1);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("x", sx, 0);
  isomc_actor_create("y", sy, 0);
  isomc_actor_create("z", sz, 0);
  isomc_run();
  if (argc > 1) {
    int fd = open(argv[1], O_WRONLY | O_APPEND | O_CREAT, 0644);
    if (fd >= 0) {
      (void)write(fd, "end\n", 4);
      close(fd);
    }
  }
  return 0;
}
