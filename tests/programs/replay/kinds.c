/*
 * Replay logs in the checker's words: one execution that takes a step of almost every kind —
 * stores and loads on an array's element 0 and 1 and on a scalar, fetch_add, cas on an element
 * of another array, random, yield, trylock, lock, unlock, a signal nobody waits for, semaphore,
 * barrier, isend, irecv, wait, test and waitany. Main's assertion after isomc_run fails when
 * the receiver's waitany took its second comm, which it can only do once both are matched, so
 * the counterexample has a waitany with two matched comms and the second one taken. The
 * counterexample the checker prints and the log a replay of it writes must read the same, line
 * for line, with `flag[0]` (not `flag`) beside `flag[1]` and the comm the waitany took.
 */
#include <stdint.h>
#include "isomc.h"

static int64_t flag[2];
static int64_t turn;
static int64_t cells[3];
static isomc_mutex_t lock;
static isomc_sem_t ready;
static isomc_barrier_t meet;
static isomc_cond_t nobody;
static int picked = -1;

static void writer(void *arg) {
  (void)arg;
  isomc_store(&flag[0], 1);
  isomc_store(&flag[1], 2);
  isomc_fetch_add(&turn, 1);
  isomc_cas(&cells[2], 0, 5);
  (void)isomc_load(&flag[1]);
  (void)isomc_random(0, 2);
  isomc_yield();
  if (isomc_mutex_trylock(lock)) isomc_mutex_unlock(lock);
  isomc_mutex_lock(lock);
  isomc_cond_signal(nobody);
  isomc_mutex_unlock(lock);
  isomc_sem_release(ready);
  isomc_barrier_wait(meet);
}

static void receiver(void *arg) {
  (void)arg;
  isomc_mailbox_t box = isomc_mailbox("box");
  int64_t first = 0, second = 0;
  isomc_comm_t comms[2] = {isomc_irecv(box, &first, sizeof first), isomc_irecv(box, &second, sizeof second)};
  int got = isomc_waitany(comms, 2);
  picked = got;
  (void)isomc_wait(comms[1 - got]);
  isomc_sem_acquire(ready);
  isomc_barrier_wait(meet);
}

static void sender(void *arg) {
  (void)arg;
  isomc_mailbox_t box = isomc_mailbox("box");
  int64_t one = 1, two = 2;
  isomc_comm_t c = isomc_isend(box, &one, sizeof one);
  while (!isomc_test(c)) isomc_yield();
  isomc_send(box, &two, sizeof two);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  lock = isomc_mutex_create();
  ready = isomc_sem_create(0);
  meet = isomc_barrier_create(2);
  nobody = isomc_cond_create();
  isomc_actor_create("writer", writer, 0);
  isomc_actor_create("receiver", receiver, 0);
  isomc_actor_create("sender", sender, 0);
  isomc_run();
  isomc_assert_msg(picked != 1, "the receiver took its second comm");
  return 0;
}
