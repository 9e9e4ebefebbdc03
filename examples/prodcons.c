/*
 * Producer/consumer over a bounded buffer: the producer puts ITEMS numbered items into a ring
 * buffer of CAPACITY slots, the consumer takes them out. Two counting semaphores do the
 * waiting: `slots` counts free slots (the producer waits when the buffer is full), `items`
 * counts filled ones (the consumer waits when it is empty); a mutex guards the buffer while an
 * item goes in or out. The consumer checks that it gets the items in the order they were
 * produced, and main that each one was consumed exactly once. With ITEMS > CAPACITY the buffer
 * wraps around, so both the full and the empty case are reached.
 *
 * Shows: isomc_sem_* and isomc_mutex_* used correctly; a program with no bug.
 * Expected verdict: ok, 1156 executions with --reduction=none (isomc check exits 0).
 *   The number is 34^(ITEMS - 1): each item after the first multiplies the interleavings of
 *   producer and consumer by 34 (an independent model of the runtime's semantics gives the
 *   same 34, 1156, 39304 for 2, 3 and 4 items).
 */
#include <stdio.h>
#include "isomc.h"

#define ITEMS 3
#define CAPACITY 2

static int buffer[CAPACITY];
static int head, tail; /* next slot to take from / to put into */
static int consumed[ITEMS + 1];

static isomc_sem_t slots, items;
static isomc_mutex_t guard;

static void producer(void *arg) {
  (void)arg;
  for (int item = 1; item <= ITEMS; item++) {
    isomc_sem_acquire(slots);
    isomc_mutex_lock(guard);
    buffer[tail] = item;
    tail = (tail + 1) % CAPACITY;
    isomc_mutex_unlock(guard);
    isomc_sem_release(items);
  }
}

static void consumer(void *arg) {
  (void)arg;
  for (int expected = 1; expected <= ITEMS; expected++) {
    isomc_sem_acquire(items);
    isomc_mutex_lock(guard);
    int item = buffer[head];
    head = (head + 1) % CAPACITY;
    isomc_mutex_unlock(guard);
    isomc_sem_release(slots);
    isomc_assert_msg(item == expected, "items consumed out of order");
    consumed[item]++;
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  slots = isomc_sem_create(CAPACITY);
  items = isomc_sem_create(0);
  guard = isomc_mutex_create();
  isomc_actor_create("producer", producer, NULL);
  isomc_actor_create("consumer", consumer, NULL);
  isomc_run();
  for (int item = 1; item <= ITEMS; item++) {
    isomc_assert_msg(consumed[item] == 1, "an item was not consumed exactly once");
  }
  printf("all %d items consumed once, in order\n", ITEMS);
  return 0;
}
