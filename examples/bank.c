/*
 * A bank transfer with a missing lock. Two tellers move money at the same time: one moves 10
 * from alice to bob, the other 20 from bob to alice. transfer() reads both balances, then
 * writes both back (a read-modify-write). The bank has a lock for exactly this, but transfer()
 * does not take it. So a teller can read a balance that the other teller is about to overwrite,
 * and write back a stale value: one update is lost. The counterexample found with
 * --reduction=none:
 *
 *   teller-1 reads alice = 100 and bob = 100, writes alice = 90
 *   teller-2 reads bob = 100
 *   teller-1 writes bob = 110
 *   teller-2 reads alice = 90, writes bob = 80 (teller-1's 10 for bob are lost), alice = 110
 *
 * leaves 190 in the bank where there was 200. main checks that money was neither created nor
 * destroyed once both tellers are done.
 *
 * Shows: a data race on shared variables (isomc_load/isomc_store), found as a failed assertion.
 * Expected verdict: violation, assertion (isomc check exits 1).
 * Built with -DTAKE_THE_LOCK, transfer() holds the lock and the check is ok: 2 executions with
 * --reduction=none (the only choice left is which teller takes the lock first; the other one
 * cannot move until it is released).
 */
#include <stdio.h>
#include "isomc.h"

struct account {
  const char *owner;
  int64_t balance;
};

struct transfer {
  struct account *from, *to;
  int64_t amount;
};

static struct account alice = {"alice", 100};
static struct account bob = {"bob", 100};
static isomc_mutex_t bank_lock;

static void transfer(struct account *from, struct account *to, int64_t amount) {
#ifdef TAKE_THE_LOCK
  isomc_mutex_lock(bank_lock);
#endif
  /* BUG: without bank_lock, another teller can run between these reads and the writes. */
  int64_t from_balance = isomc_load(&from->balance);
  int64_t to_balance = isomc_load(&to->balance);
  isomc_store(&from->balance, from_balance - amount);
  isomc_store(&to->balance, to_balance + amount);
#ifdef TAKE_THE_LOCK
  isomc_mutex_unlock(bank_lock);
#endif
}

static void teller(void *arg) {
  struct transfer *t = arg;
  transfer(t->from, t->to, t->amount);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  bank_lock = isomc_mutex_create();
  static struct transfer first = {&alice, &bob, 10};
  static struct transfer second = {&bob, &alice, 20};
  isomc_actor_create("teller-1", teller, &first);
  isomc_actor_create("teller-2", teller, &second);
  isomc_run();
  printf("alice has %lld, bob has %lld\n", (long long)alice.balance, (long long)bob.balance);
  isomc_assert_msg(alice.balance + bob.balance == 200, "money was created or destroyed");
  return 0;
}
