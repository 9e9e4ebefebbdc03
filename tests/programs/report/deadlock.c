/*
 * a sends twice to b before it receives; b receives once, then sends twice to a. A send waits
 * for its receive (isomc_send is two transitions, and its wait is enabled once a receive
 * matched it), so after one message from a to b, a waits at its second send and b at its
 * first: a deadlock, with a message on the chart and each blocked actor at its wait.
 * Expected verdict: deadlock.
 */
#include "isomc.h"

static void a(void *arg) {
  (void)arg;
  int64_t v = 1, got = 0;
  isomc_send(isomc_mailbox("to-b"), &v, sizeof v);
  isomc_send(isomc_mailbox("to-b"), &v, sizeof v);
  isomc_recv(isomc_mailbox("to-a"), &got, sizeof got);
  isomc_recv(isomc_mailbox("to-a"), &got, sizeof got);
}

static void b(void *arg) {
  (void)arg;
  int64_t v = 2, got = 0;
  isomc_recv(isomc_mailbox("to-b"), &got, sizeof got);
  isomc_send(isomc_mailbox("to-a"), &v, sizeof v);
  isomc_send(isomc_mailbox("to-a"), &v, sizeof v);
  isomc_recv(isomc_mailbox("to-b"), &got, sizeof got);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", a, 0);
  isomc_actor_create("b", b, 0);
  isomc_run();
  return 0;
}
