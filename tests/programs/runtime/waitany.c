/*
 * isomc_waitany: "r" posts a receive on mailbox "m1" and one on "m2", then calls waitany on
 * both twice, then once more with both entries NULL. "s" sends on m1 then on m2 with isend
 * (it does not wait). Checked: the returned index is a matched comm, its entry is set to NULL
 * and the other is left alone, the right data arrived, and the third waitany returns -1.
 *
 * Executions (reduction none): r = R1 R2 X Y (X, Y the two waitany), s = I1 I2. X is enabled
 * once a comm is matched; comm 1 needs I1, comm 2 needs I2, which comes after I1, so X needs
 * I1. X offers one choice per matched comm.
 *   - I1 and I2 both before X: they go into the 3 gaps before X (before R1, R1-R2, R2-X),
 *     C(3 + 1, 2) = 6 ways, and X has 2 choices (either comm): 12 executions; Y is forced.
 *   - I1 before X, I2 after: 3 places for I1, X has 1 choice (comm 1), then I2 and Y
 *     (Y waits for comm 2): 3 executions.
 * 15 executions, verdict ok. The third waitany has no comm left: no transition.
 */
#include <stddef.h>
#include "isomc.h"

static isomc_mailbox_t m1, m2;

static void receiver(void *arg) {
  (void)arg;
  char a = 0, b = 0;
  isomc_comm_t comms[2];
  comms[0] = isomc_irecv(m1, &a, 1);
  comms[1] = isomc_irecv(m2, &b, 1);
  int first = isomc_waitany(comms, 2);
  isomc_assert(first == 0 || first == 1);
  isomc_assert(comms[first] == NULL && comms[1 - first] != NULL);
  isomc_assert(first == 0 ? a == 'a' : b == 'b');
  int second = isomc_waitany(comms, 2);
  isomc_assert(second == 1 - first);
  isomc_assert(comms[0] == NULL && comms[1] == NULL);
  isomc_assert(a == 'a' && b == 'b');
  isomc_assert(isomc_waitany(comms, 2) == -1);
}

static void sender(void *arg) {
  (void)arg;
  isomc_isend(m1, "a", 1);
  isomc_isend(m2, "b", 1);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  m1 = isomc_mailbox("m1");
  m2 = isomc_mailbox("m2");
  isomc_actor_create("r", receiver, 0);
  isomc_actor_create("s", sender, 0);
  isomc_run();
  return 0;
}
