/*
 * indexer(N), a classic benchmark of dynamic partial-order reduction (Flanagan and Godefroid,
 * POPL 2005; the SV-COMP version in Nidhugg's benchmarks), ported to isomc: N threads insert
 * 4 values each into a 128-slot hash table with linear probing. A slot is claimed by a
 * compare-and-swap made of a per-slot isomc mutex around a load and a store, as in Nidhugg's
 * version (which uses pthread mutexes).
 *
 * Usage: indexer [N]   (N from 1 to 32, default 12)
 * Shows: threads only interfere when two of them want the same slot. Values are m*11 + tid
 * for m = 1..4, so collisions start at N = 12 (thread 11's first value is thread 0's second).
 * Expected verdict: ok. Executions: with --reduction=odpor one per order of the colliding
 * critical sections, as Nidhugg's optimal DPOR reports: indexer(12) = 8, indexer(13) = 64,
 * indexer(15) = 4,096; N <= 11 gives 1.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "isomc.h"

#define SIZE 128
#define MAX 4
#define LOOP 10
#define MAX_THREADS 32

static int64_t table[SIZE];
static isomc_mutex_t cas_mutex[SIZE];
static int ids[MAX_THREADS];

static int cas(int h, int64_t expected, int64_t desired) {
  int done = 0;
  isomc_mutex_lock(cas_mutex[h]);
  if (isomc_load(&table[h]) == expected) {
    isomc_store(&table[h], desired);
    done = 1;
  }
  isomc_mutex_unlock(cas_mutex[h]);
  return done;
}

static void inserter(void *arg) {
  int tid = *(int *)arg;
  int m = 0;
  for (int i = 0; i < LOOP; i++) {
    if (m >= MAX) return;
    int w = (++m) * 11 + tid;
    int h = (w * 7) % SIZE;
    while (cas(h, 0, w) == 0) h = (h + 1) % SIZE;
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  int n = argc > 1 ? atoi(argv[1]) : 12;
  if (n < 1 || n > MAX_THREADS) {
    fprintf(stderr, "usage: indexer [N]   (1 <= N <= %d)\n", MAX_THREADS);
    return 2;
  }
  for (int i = 0; i < SIZE; i++) cas_mutex[i] = isomc_mutex_create();
  for (int t = 0; t < n; t++) {
    char name[32];
    snprintf(name, sizeof name, "inserter-%d", t);
    ids[t] = t;
    isomc_actor_create(name, inserter, &ids[t]);
  }
  return isomc_run();
}
