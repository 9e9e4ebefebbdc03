/*
 * CLI fixture: N actors (argv[1], default 1) that each yield once. Expected verdict: ok; with
 * --reduction=none --no-visited, N! executions — 1 for one actor, 2 for two — which is what
 * the report's singulars are tested on ("1 execution", "its end reused 1 time").
 */
#include <stdlib.h>
#include "isomc.h"

static void once(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  int n = argc > 1 ? atoi(argv[1]) : 1;
  for (int i = 0; i < n; i++) isomc_actor_create(i == 0 ? "first" : "second", once, 0);
  isomc_run();
  return 0;
}
