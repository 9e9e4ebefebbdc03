/*
 * Run-ahead fixture: two actors, each storing three values into a shared int. Every step of
 * one conflicts with every step of the other: 20 executions with --reduction=none, 20 with
 * odpor. The tests drive a target by hand, against its forecast, to make it mispredict.
 * Expected verdict: ok.
 */
#include <stdint.h>
#include "isomc.h"

static int64_t shared;

static void writer(void *arg) {
  for (int i = 0; i < 3; i++) isomc_store(&shared, (int64_t)(intptr_t)arg * 10 + i);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", writer, (void *)1);
  isomc_actor_create("b", writer, (void *)2);
  isomc_run();
  return 0;
}
