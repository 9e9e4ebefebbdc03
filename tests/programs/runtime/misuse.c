/*
 * API misuse: argv[1] names one misuse; each is a violation reported in the first execution
 * (the DFS tries actors in creation order, and in each mode that first path reaches the
 * misuse). The expected messages are in tests/runtime_test.ts.
 */
#include <stdint.h>
#include <string.h>
#include "isomc.h"

static const char *mode;
static isomc_mutex_t m;
static isomc_cond_t c;
static isomc_sem_t s;
static isomc_mailbox_t mb;

static int is(const char *name) { return strcmp(mode, name) == 0; }

static void first(void *arg) {
  (void)arg;
  if (is("relock")) {
    isomc_mutex_lock(m);
    isomc_mutex_lock(m);
  } else if (is("unlock_free")) {
    isomc_mutex_unlock(m);
  } else if (is("unlock_other")) {
    /* Holds m and blocks on s, which nobody releases before the other actor unlocks m. */
    isomc_mutex_lock(m);
    isomc_sem_acquire(s);
  } else if (is("random_range")) {
    isomc_random(3, 1);
  } else if (is("random_huge")) {
    isomc_random(INT32_MIN, INT32_MAX);
  } else if (is("wait_released") || is("test_released")) {
    char buf[4];
    isomc_comm_t comm = isomc_irecv(mb, buf, sizeof buf);
    isomc_wait(comm);
    if (is("wait_released")) isomc_wait(comm);
    else isomc_test(comm);
  } else if (is("wait_foreign")) {
    isomc_comm_t comm = isomc_isend(mb, "x", 2);
    isomc_wait(comm);
  } else if (is("cond_unlocked")) {
    isomc_cond_wait(c, m);
  } else if (is("null_mutex")) {
    isomc_mutex_lock(NULL);
  } else if (is("waitany_negative")) {
    isomc_waitany(NULL, -1);
  } else if (is("unaligned")) {
    static int64_t words[2];
    isomc_load((const int64_t *)((char *)words + 4));
  } else if (is("sem_negative")) {
    isomc_sem_create(-1);
  } else if (is("barrier_zero")) {
    isomc_barrier_create(0);
  } else if (is("bad_mailbox")) {
    static int not_a_mailbox;
    isomc_isend((isomc_mailbox_t)&not_a_mailbox, "x", 2);
  } else if (is("waitany_duplicate")) {
    char buf[4];
    isomc_comm_t comm = isomc_irecv(mb, buf, sizeof buf);
    isomc_comm_t comms[2] = {comm, comm};
    isomc_waitany(comms, 2);
  }
}

static isomc_comm_t foreign;

static void second(void *arg) {
  (void)arg;
  if (is("unlock_other")) {
    isomc_yield();
    isomc_mutex_unlock(m);
  } else if (is("wait_released") || is("test_released")) {
    isomc_send(mb, "ok", 3);
  } else if (is("wait_foreign")) {
    char buf[4];
    foreign = isomc_irecv(mb, buf, sizeof buf);
    isomc_yield();
  }
}

static void third(void *arg) {
  (void)arg;
  isomc_yield();
  isomc_wait(foreign);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  mode = argc > 1 ? argv[1] : "";
  m = isomc_mutex_create();
  c = isomc_cond_create();
  s = isomc_sem_create(0);
  mb = isomc_mailbox("mb");
  if (is("outside_actor")) isomc_yield();
  if (is("lock_outside_actor")) isomc_mutex_lock(m);
  if (is("barrier_outside_actor")) isomc_barrier_wait(isomc_barrier_create(1));
  isomc_actor_create("first", first, 0);
  isomc_actor_create("second", second, 0);
  if (is("wait_foreign")) isomc_actor_create("third", third, 0);
  if (is("no_run")) return 0;
  isomc_run();
  return 0;
}
