/*
 * filesystem(N), a classic benchmark of dynamic partial-order reduction (Flanagan and
 * Godefroid, POPL 2005; the version in Nidhugg's benchmarks), ported to isomc: each of N
 * threads takes the lock of inode tid % 32 and, if the inode has no block yet, looks for a
 * free block from (2 * inode) % 26 on, taking each block's lock to test and claim it. Locks are
 * isomc mutexes (pthread mutexes in Nidhugg's version), inodes and blocks shared variables.
 *
 * Usage: filesystem [N]   (N from 1 to 32, default 16)
 * Shows: threads only interfere on the blocks their inodes start from: from N = 14 on, inode
 * 13 starts at block 0 like inode 0, 14 at block 2 like 1, 15 at 4 like 2.
 * Expected verdict: ok. Executions: with --reduction=odpor one per order of the competing
 * critical sections, as Nidhugg's optimal DPOR reports: filesystem(16) = 8; N <= 13 gives 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "isomc.h"

#define NUMBLOCKS 26
#define NUMINODE 32
#define LOOP 10
#define MAX_THREADS 32

static isomc_mutex_t locki[NUMINODE];
static int64_t inode[NUMINODE];
static isomc_mutex_t lockb[NUMBLOCKS];
static int64_t busy[NUMBLOCKS];
static int ids[MAX_THREADS];

static void thread_routine(void *arg) {
  int tid = *(int *)arg;
  int i = tid % NUMINODE;
  isomc_mutex_lock(locki[i]);
  if (isomc_load(&inode[i]) == 0) {
    int b = (i * 2) % NUMBLOCKS;
    for (int j = 0; j < LOOP; j++) {
      isomc_mutex_lock(lockb[b]);
      if (!isomc_load(&busy[b])) {
        isomc_store(&busy[b], 1);
        isomc_store(&inode[i], b + 1);
        isomc_mutex_unlock(lockb[b]);
        break;
      }
      isomc_mutex_unlock(lockb[b]);
      b = (b + 1) % NUMBLOCKS;
    }
  }
  isomc_mutex_unlock(locki[i]);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  int n = argc > 1 ? atoi(argv[1]) : 16;
  if (n < 1 || n > MAX_THREADS) {
    fprintf(stderr, "usage: filesystem [N]   (1 <= N <= %d)\n", MAX_THREADS);
    return 2;
  }
  for (int i = 0; i < NUMINODE; i++) locki[i] = isomc_mutex_create();
  for (int b = 0; b < NUMBLOCKS; b++) lockb[b] = isomc_mutex_create();
  for (int t = 0; t < n; t++) {
    char name[32];
    snprintf(name, sizeof name, "thread-%d", t);
    ids[t] = t;
    isomc_actor_create(name, thread_routine, &ids[t]);
  }
  return isomc_run();
}
