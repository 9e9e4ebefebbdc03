/*
 * Benchmark input: 8 MiB of live heap. Main fills 8 MiB of blocks before the actors start;
 * each actor then updates a few of those pages between its steps. Restores have little to
 * write back but the program's memory is large: what matters is that snapshots and restores
 * cost what changed, not what exists. MiB = argv[1] (default 8).
 */
#include <stdlib.h>
#include <string.h>
#include "isomc.h"

#define BLOCK (64 * 1024)
static unsigned char **blocks;
static int nblocks;

static void worker(void *arg) {
  int id = (int)(intptr_t)arg;
  for (int round = 0; round < 4; round++) {
    isomc_yield();
    unsigned char *b = blocks[(id * 7 + round * 13) % nblocks];
    b[(round * 4096 + id) % BLOCK] ^= 1;
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  int mib = argc > 1 ? atoi(argv[1]) : 8;
  nblocks = mib * 1024 * 1024 / BLOCK;
  blocks = malloc(sizeof *blocks * (size_t)nblocks);
  for (int i = 0; i < nblocks; i++) {
    blocks[i] = malloc(BLOCK);
    memset(blocks[i], i & 0xff, BLOCK);
  }
  isomc_actor_create("w0", worker, (void *)0);
  isomc_actor_create("w1", worker, (void *)1);
  isomc_actor_create("w2", worker, (void *)2);
  isomc_run();
  return 0;
}
