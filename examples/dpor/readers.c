/*
 * readers(N), a classic benchmark of dynamic partial-order reduction (adapted from RCMC, in
 * Nidhugg's benchmarks), ported to isomc's shared variables: one writer stores x, N readers
 * each load x once.
 *
 * Usage: readers [N]   (N from 1 to 64, default 8)
 * Shows: the readers are independent of each other; only which of them read before the store
 * matters. Expected verdict: ok. Executions: with --reduction=odpor one per subset of readers
 * that read before the store, 2^N (readers(8) = 256, readers(13) = 8,192), as Nidhugg's
 * optimal DPOR reports; without reduction (N+1)! interleavings.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "isomc.h"

#define MAX_N 64

static int64_t x;

static void writer(void *arg) {
  (void)arg;
  isomc_store(&x, 42);
}

static void reader(void *arg) {
  (void)arg;
  (void)isomc_load(&x);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  int n = argc > 1 ? atoi(argv[1]) : 8;
  if (n < 1 || n > MAX_N) {
    fprintf(stderr, "usage: readers [N]   (1 <= N <= %d)\n", MAX_N);
    return 2;
  }
  isomc_actor_create("writer", writer, NULL);
  for (int i = 1; i <= n; i++) {
    char name[32];
    snprintf(name, sizeof name, "reader-%d", i);
    isomc_actor_create(name, reader, NULL);
  }
  return isomc_run();
}
