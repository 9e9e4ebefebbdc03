/* Holds a pipe: --restore=memory refuses it with a clear error (exit 2). */
#include <unistd.h>
#include "isomc.h"

static int fds[2];

static void writer(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_assert(write(fds[1], "x", 1) == 1);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_assert(pipe(fds) == 0);
  isomc_actor_create("w", writer, NULL);
  isomc_actor_create("y", writer, NULL);
  isomc_run();
  return 0;
}
