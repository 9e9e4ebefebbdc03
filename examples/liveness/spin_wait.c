/*
 * spin_wait.c: a consumer spin-waits for a producer's flag (load it, yield, try again), then
 * takes the item. It is correct only if the producer gets to run: a scheduler that lets the
 * consumer spin forever without ever running the producer starves it.
 *
 * Formula:          F served    (the consumer eventually takes the item)
 * Expected verdict: violation, liveness without fairness (a lasso: the consumer's load and
 *                   yield forever, the producer never moving); ok with --fairness=weak (the
 *                   producer is enabled in every state of that cycle and never moves, so the
 *                   cycle is not weakly fair).
 *
 *   ./isomc cc -o spin_wait examples/liveness/spin_wait.c
 *   ./isomc check --ltl='F served' -- ./spin_wait                   # the starving lasso
 *   ./isomc check --ltl='F served' --fairness=weak -- ./spin_wait   # holds
 */
#include "isomc.h"

static int64_t ready, item;
static int served;

static void producer(void *arg) {
  (void)arg;
  isomc_store(&item, 42);
  isomc_store(&ready, 1);
}

static void consumer(void *arg) {
  (void)arg;
  while (isomc_load(&ready) == 0) isomc_yield();
  isomc_assert(isomc_load(&item) == 42);
  served = 1;
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_prop("served", &served);
  isomc_actor_create("producer", producer, 0);
  isomc_actor_create("consumer", consumer, 0);
  isomc_run();
  return 0;
}
