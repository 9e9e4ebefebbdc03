/*
 * Condition variable wake-ups: two waiters "w1" and "w2" lock m, note their arrival rank, post
 * a semaphore `ready` and wait on c. Actor "b" acquires `ready` twice, so when it then gets m
 * both waiters are in c's queue, and then:
 *   mode "signal": signals c twice, each time in its own critical section, setting `signals`
 *     to 1 then 2 before signalling. A waiter that returns while signals == 1 must be the one
 *     that arrived first: cond_signal wakes the longest waiter (FIFO).
 *   mode "broadcast": one broadcast under m wakes both.
 *
 * Executions (reduction none). Waiter i: L R W K U (lock, sem release, cond_wait's two
 * transitions, unlock); "b": A1 A2 (acquires) then its critical sections.
 * Phase 1, up to b's lock: the waiters' blocks [L R W] are mutually exclusive (m is held from
 * L to W): 2 orders, giving a sequence x1..x6 = L R W L' R' W'. A1 needs one release, so it
 * goes after x2 at the earliest; A2 after x5 and after A1. With "after xk" slots: A2 after x5
 * and A1 after x2..x5 (4 ways), or A2 after x6 and A1 after x2..x6 (5 ways): 9. b's lock needs
 * m free, so it comes after x6 and A2: forced. 2 x 9 = 18 prefixes. Let "a" be the first
 * waiter, "z" the second.
 * Phase 2, mode "signal": L S1 U (a is signalled; its K needs m), then K_a and b's second
 * lock are both enabled:
 *   K_a first: a holds m, so U_a, then b's L S2 U and K_z U_z: 1 execution;
 *   b's L first: S2 U, then K_a U_a K_z U_z or K_z U_z K_a U_a: 2 executions.
 *   3 executions per prefix: 18 x 3 = 54, verdict ok.
 * Phase 2, mode "broadcast": L B U, then K_a U_a K_z U_z or K_z U_z K_a U_a: 2 per prefix,
 * 18 x 2 = 36, verdict ok.
 */
#include <string.h>
#include "isomc.h"

static isomc_mutex_t m;
static isomc_cond_t c;
static isomc_sem_t ready;
static int broadcast;
static int arrivals;
static int signals;

static void waiter(void *arg) {
  (void)arg;
  isomc_mutex_lock(m);
  int rank = arrivals++;
  isomc_sem_release(ready);
  isomc_cond_wait(c, m);
  if (signals == 1) isomc_assert_msg(rank == 0, "the first signal must wake the first waiter");
  isomc_mutex_unlock(m);
}

static void waker(void *arg) {
  (void)arg;
  isomc_sem_acquire(ready);
  isomc_sem_acquire(ready);
  if (broadcast) {
    isomc_mutex_lock(m);
    signals = 2;
    isomc_cond_broadcast(c);
    isomc_mutex_unlock(m);
    return;
  }
  for (int i = 1; i <= 2; i++) {
    isomc_mutex_lock(m);
    signals = i;
    isomc_cond_signal(c);
    isomc_mutex_unlock(m);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  broadcast = argc > 1 && strcmp(argv[1], "broadcast") == 0;
  m = isomc_mutex_create();
  c = isomc_cond_create();
  ready = isomc_sem_create(0);
  isomc_actor_create("w1", waiter, 0);
  isomc_actor_create("w2", waiter, 0);
  isomc_actor_create("b", waker, 0);
  isomc_run();
  return 0;
}
