/*
 * Mailboxes match in FIFO order, on both sides. Mode "sends": "s" posts two sends ("1" then
 * "2") before waiting for either; "r" receives twice and must get "1" then "2". Mode "recvs":
 * "r" posts two receives before waiting for either, "s" sends "1" then "2" (blocking sends);
 * the first receive must get "1".
 *
 * Executions (reduction none), mode "sends": s = I1 I2 W1 W2, r = R1 V1 R2 V2 (each recv is
 * irecv + wait). The oldest send matches the oldest receive, so I1 pairs with R1 and I2 with
 * R2; a wait is enabled once its pair is posted: W1 after R1, V1 after I1, W2 after R2, V2
 * after I2. Counting the paths through the grid (i, j) = (steps of s, steps of r) done, where
 * a step of s into i = 3 needs j >= 1, into i = 4 needs j >= 3, and a step of r into j = 2
 * needs i >= 1, into j = 4 needs i >= 2:
 *          i=0  1  2  3   4
 *   j=0:    1   1  1  0   0
 *   j=1:    1   2  3  3   0
 *   j=2:    0   2  5  8   0
 *   j=3:    0   2  7 15  15
 *   j=4:    0   0  7 22  37
 * 37 executions, verdict ok.
 * Mode "recvs": r = R1 R2 V1 V2, s = I1 W1 I2 W2 (each send is isend + wait); the constraints
 * are the same with the roles swapped (V1 after I1, V2 after I2, W1 after R1, W2 after R2):
 * 37 executions, verdict ok.
 */
#include <string.h>
#include "isomc.h"

static isomc_mailbox_t mb;
static int recvs_first;

static void sender(void *arg) {
  (void)arg;
  if (recvs_first) {
    isomc_send(mb, "1", 2);
    isomc_send(mb, "2", 2);
    return;
  }
  isomc_comm_t c1 = isomc_isend(mb, "1", 2);
  isomc_comm_t c2 = isomc_isend(mb, "2", 2);
  isomc_assert(isomc_wait(c1) == 2);
  isomc_assert(isomc_wait(c2) == 2);
}

static void receiver(void *arg) {
  (void)arg;
  char a[2], b[2];
  if (recvs_first) {
    isomc_comm_t c1 = isomc_irecv(mb, a, sizeof a);
    isomc_comm_t c2 = isomc_irecv(mb, b, sizeof b);
    isomc_wait(c1);
    isomc_wait(c2);
  } else {
    isomc_recv(mb, a, sizeof a);
    isomc_recv(mb, b, sizeof b);
  }
  isomc_assert_msg(a[0] == '1' && b[0] == '2', "messages are matched in FIFO order");
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  recvs_first = argc > 1 && strcmp(argv[1], "recvs") == 0;
  mb = isomc_mailbox("mb");
  isomc_actor_create("s", sender, 0);
  isomc_actor_create("r", receiver, 0);
  isomc_run();
  return 0;
}
