/*
 * As stores.c, but before each store an actor allocates a block of a size of its own and
 * frees the previous one. The runtime's per-actor arenas make the heap's bytes depend only on
 * each actor's own progress, so the states are still exactly 4^3 = 64.
 */
#include <stdlib.h>
#include <string.h>
#include "isomc.h"

static int64_t vars[3];
static const size_t sizes[3] = {24, 200, 5000};

static void writer(void *arg) {
  int64_t *v = arg;
  size_t size = sizes[v - vars];
  char *previous = NULL;
  for (int i = 1; i <= 3; i++) {
    char *block = malloc(size * (size_t)i);
    memset(block, 'a' + i, size * (size_t)i);
    free(previous);
    previous = block;
    isomc_store(v, i);
  }
  free(previous);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", writer, &vars[0]);
  isomc_actor_create("b", writer, &vars[1]);
  isomc_actor_create("c", writer, &vars[2]);
  isomc_run();
  return 0;
}
