/*
 * A program whose executions never end: two actors pass a token round forever, each adding
 * one to a counter modulo 3. Exploring every interleaving is impossible (there are infinitely
 * many, all infinite), but the program has finitely many states: a stateful search with
 * --visited explores each once and terminates. The states: whose turn it is x counter value
 * x where each actor is in its loop.
 * Expected verdict: ok with --restore=memory (visited on); without it, a --max-depth cut.
 */
#include "isomc.h"

static int64_t turn, counter;

static void player(void *arg) {
  int64_t me = (int64_t)(intptr_t)arg;
  for (;;) {
    while (isomc_load(&turn) != me) isomc_yield();
    int64_t v = isomc_load(&counter);
    isomc_store(&counter, (v + 1) % 3);
    isomc_store(&turn, 1 - me);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("p0", player, (void *)0);
  isomc_actor_create("p1", player, (void *)1);
  isomc_run();
  return 0;
}
