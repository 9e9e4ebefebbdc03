/*
 * Each visible call on a line of its own, marked with the name the test knows it by, in two
 * functions, so that the source line and function of every step can be checked: an actor
 * sends, the other receives (both halves of each blocking call are at the one call), a
 * random choice, a lock and a store.
 * Expected verdict: ok (no reduction: 2 random values x the interleavings).
 */
#include "isomc.h"

static int64_t shared;

static void producer(void *arg) {
  isomc_mutex_t m = arg;
  isomc_mailbox_t box = isomc_mailbox("box");
  int64_t v = isomc_random(1, 2); /* @random */
  isomc_send(box, &v, sizeof v);  /* @send */
  isomc_mutex_lock(m);            /* @lock */
  isomc_store(&shared, v);        /* @store */
  isomc_mutex_unlock(m);          /* @unlock */
}

static void consumer(void *arg) {
  (void)arg;
  int64_t v = 0;
  isomc_recv(isomc_mailbox("box"), &v, sizeof v); /* @recv */
  isomc_yield();                                  /* @yield */
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_mutex_t m = isomc_mutex_create();
  isomc_actor_create("producer", producer, m);
  isomc_actor_create("consumer", consumer, 0);
  isomc_run();
  return 0;
}
