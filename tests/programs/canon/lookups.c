/*
 * Two actors each look up a mailbox of its own between two yields, in whichever order the
 * interleaving gives, and keep its handle. The registry of mailboxes must hold the same bytes
 * whichever was looked up first (registry.zig), and so must the handles.
 *
 * Expected: ok, 9 distinct states: each actor is before its first yield, between its yields
 * (its mailbox looked up: the lookup belongs to the first yield's transition) or finished,
 * 3 x 3, whatever the order of the lookups that led there.
 */
#include "isomc.h"

static isomc_mailbox_t found[2];

static void looker(void *arg) {
  int me = (int)(intptr_t)arg;
  isomc_yield();
  found[me] = isomc_mailbox(me == 0 ? "first mailbox" : "the second one");
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", looker, (void *)0);
  isomc_actor_create("b", looker, (void *)1);
  isomc_run();
  isomc_assert(found[0] != found[1]);
  isomc_assert(found[0] == isomc_mailbox("first mailbox"));
  return 0;
}
