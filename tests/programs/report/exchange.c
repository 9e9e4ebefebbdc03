/*
 * Two actors exchange two messages each way, in turn, on a mailbox per direction; main's
 * assertion after isomc_run always fails, so every execution is a counterexample that holds
 * all 16 steps (4 posts and 4 waits per actor), for the tests of what a trace's steps matched.
 * Expected verdict: assertion in main.
 */
#include "isomc.h"

static void a(void *arg) {
  (void)arg;
  int64_t v = 1, got = 0;
  isomc_send(isomc_mailbox("to-b"), &v, sizeof v);
  isomc_recv(isomc_mailbox("to-a"), &got, sizeof got);
  isomc_send(isomc_mailbox("to-b"), &v, sizeof v);
  isomc_recv(isomc_mailbox("to-a"), &got, sizeof got);
}

static void b(void *arg) {
  (void)arg;
  int64_t v = 2, got = 0;
  isomc_recv(isomc_mailbox("to-b"), &got, sizeof got);
  isomc_send(isomc_mailbox("to-a"), &v, sizeof v);
  isomc_recv(isomc_mailbox("to-b"), &got, sizeof got);
  isomc_send(isomc_mailbox("to-a"), &v, sizeof v);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("a", a, 0);
  isomc_actor_create("b", b, 0);
  isomc_run();
  isomc_assert_msg(0, "the exchange is over");
  return 0;
}
