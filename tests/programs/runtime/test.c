/*
 * isomc_test: "r" posts a receive, tests it once, and waits for it only if the test said it
 * was not matched yet; "s" sends (isend + wait). A test that returns 1 releases the comm.
 * "r" checks that the test's answer matches whether the send was posted (noted by "s" in
 * plain memory, in the same transition as its isend).
 *
 * Executions (reduction none): r = R T [V if T returned 0], s = I W; W needs R and I.
 *   - T returns 0 when T comes before I (hence R T I): then V and W, both needing only I,
 *     in 2 orders: 2 executions.
 *   - T returns 1 when I comes before T: orders of R, T, I, W with R < T, I < T, I < W,
 *     R < W: R I T W, R I W T, I R T W, I R W T: 4 executions.
 * 6 executions, verdict ok.
 */
#include "isomc.h"

static isomc_mailbox_t mb;
static int posted;

static void receiver(void *arg) {
  (void)arg;
  char buf[4];
  isomc_comm_t c = isomc_irecv(mb, buf, sizeof buf);
  int done = isomc_test(c);
  isomc_assert_msg(done == posted, "test returns 1 exactly when the comm is matched");
  if (!done) isomc_assert(isomc_wait(c) == 3);
  isomc_assert(buf[0] == 'h' && buf[1] == 'i');
}

static void sender(void *arg) {
  (void)arg;
  isomc_comm_t c = isomc_isend(mb, "hi", 3);
  posted = 1;
  isomc_wait(c);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  mb = isomc_mailbox("mb");
  isomc_actor_create("r", receiver, 0);
  isomc_actor_create("s", sender, 0);
  isomc_run();
  return 0;
}
