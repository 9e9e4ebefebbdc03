/*
 * A producer and a consumer forever, over a bounded buffer of one slot guarded by a mutex,
 * with two condition variables to wait on (not full, not empty). Items are numbered modulo 3
 * and the consumer checks it gets them in order; a slot taken is cleared. The waiters of a
 * condition variable are part of the state: they must leave nothing behind once woken
 * (docs/state.md).
 *
 * Expected: ok, 60 distinct states. Each actor loops: lock (L); while the buffer is full
 * (empty), cond_wait: its first transition (W1, holding the mutex) and its wake-up (W2, waiting
 * for a signal, s once signalled, u before); put (take), then signal (S) and unlock (U), both
 * holding the mutex. Count by who holds the mutex, c being the items in the buffer:
 *   - the producer, at W1 (c = 1): the consumer at L or W2s (a consumer waiting on an empty
 *     buffer was signalled by the put since); at S (c = 1, its signal not given): L or W2u;
 *     at U: L or W2s. 6 states;
 *   - the consumer: the same, the roles swapped: 6;
 *   - nobody: a producer at W2 found the buffer full (u: nobody took since, c = 1; s: the
 *     consumer took, c = 0), a consumer at W2 found it empty (u: c = 0, s: c = 1). Both at L:
 *     c = 0 or 1 (2); one at L, the other at W2u or W2s (4); one at W2u, the other at W2s,
 *     with the same c (2); both u, or both s, would need c = 0 and 1: 8 states.
 * 20 states for each number of the next item (mod 3), which with the case fixes the consumer's
 * expectation and the slot: 3 x 20 = 60.
 */
#include "isomc.h"

#define K 3

static int slot = -1, full;
static isomc_mutex_t guard;
static isomc_cond_t not_full, not_empty;

static void producer(void *arg) {
  (void)arg;
  int item = 0;
  for (;;) {
    isomc_mutex_lock(guard);
    while (full) isomc_cond_wait(not_full, guard);
    slot = item;
    full = 1;
    isomc_cond_signal(not_empty);
    isomc_mutex_unlock(guard);
    item = (item + 1) % K;
  }
}

static void consumer(void *arg) {
  (void)arg;
  int expect = 0;
  for (;;) {
    isomc_mutex_lock(guard);
    while (!full) isomc_cond_wait(not_empty, guard);
    isomc_assert_msg(slot == expect, "an item was lost, repeated or taken out of order");
    slot = -1;
    full = 0;
    isomc_cond_signal(not_full);
    isomc_mutex_unlock(guard);
    expect = (expect + 1) % K;
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  guard = isomc_mutex_create();
  not_full = isomc_cond_create();
  not_empty = isomc_cond_create();
  isomc_actor_create("producer", producer, NULL);
  isomc_actor_create("consumer", consumer, NULL);
  isomc_run();
  return 0;
}
