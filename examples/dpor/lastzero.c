/*
 * lastzero(N), a classic benchmark of dynamic partial-order reduction (from Concuerror, used in
 * the JACM 2017 paper on optimal DPOR and in Nidhugg's benchmarks), ported to isomc's shared
 * variables: a reader scans array[N], array[N-1], ... down to the first zero; writer j
 * (1 <= j <= N) stores array[j-1] + 1 into array[j].
 *
 * Usage: lastzero [N]   (N from 1 to 64, default 5)
 * Shows: how many interleavings are equivalent. The reader's loads race with the writers'
 * stores; most orders of the writers do not matter to what anybody reads.
 * Expected verdict: ok. Executions: with --reduction=odpor exactly one per equivalence class,
 * the number Nidhugg's optimal DPOR reports: lastzero(5) = 64, lastzero(10) = 3,328,
 * lastzero(15) = 147,456.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "isomc.h"

#define MAX_N 64

static int64_t array[MAX_N + 1];
static int n;
static int ids[MAX_N + 1];

static void reader(void *arg) {
  (void)arg;
  for (int i = n; isomc_load(&array[i]) != 0; i--) {
  }
}

static void writer(void *arg) {
  int j = *(int *)arg;
  isomc_store(&array[j], isomc_load(&array[j - 1]) + 1);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  n = argc > 1 ? atoi(argv[1]) : 5;
  if (n < 1 || n > MAX_N) {
    fprintf(stderr, "usage: lastzero [N]   (1 <= N <= %d)\n", MAX_N);
    return 2;
  }
  isomc_actor_create("reader", reader, NULL);
  for (int j = 1; j <= n; j++) {
    char name[32];
    snprintf(name, sizeof name, "writer-%d", j);
    ids[j] = j;
    isomc_actor_create(name, writer, &ids[j]);
  }
  return isomc_run();
}
