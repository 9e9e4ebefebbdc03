/*
 * The token ring of ring.c with isomc_isend/isomc_irecv/isomc_wait, and every node posting its
 * receive of the next token before it hands the current one on: a node has two live
 * communications at once, and the handles are kept in variables. Forever, so the runtime must
 * give the communications of every lap the same ids and addresses (docs/state.md).
 *
 * Expected: ok, 64 distinct states. A node's lap: V (wait for the token, then null the
 * handle), P (post the next receive), S (post the send), W (wait for the send); node 0 starts
 * holding the token, at P, the others post their first receive before the loop (a place of
 * its own, P0). Once every node has posted it (recurrent states): call holder the node whose
 * receive of the token is matched and whose send is not posted; the other two have sent the
 * token earlier and have their next receive posted, not matched:
 *   - the holder is at V (not waited), P, S, or still at W for its last send when the token
 *     came back (its pre-posted receive is what matched): 4;
 *   - each of the others is at W (has not waited for its matched send) or at V: 2 x 2.
 * The holder's send matches at once (the receive is there): 3 holders x 4 x 4 = 48.
 * Before (transient states): node 1 has not posted: node 0 at P, S or W (its send queued), node
 * 2 at P0 or V: 3 x 2 = 6; node 1 has, node 2 has not: node 0 at P or S with node 1 at V (2),
 * or node 0 at W (matched) or V with node 1 at V matched, P, S or W (its send queued): 2 x 4
 * = 8, 10 in all. 48 + 6 + 10 = 64. token_at_0 is 1 from node 0's V to the end of its W.
 */
#include "isomc.h"

#define N 3

static isomc_mailbox_t boxes[N];
static int token_at_0 = 1;

static void node(void *arg) {
  int me = (int)(intptr_t)arg;
  int prev = (me + N - 1) % N;
  isomc_mailbox_t mine = boxes[me], next = boxes[(me + 1) % N];
  int out = me, in = prev;
  isomc_comm_t r = NULL, s = NULL;
  if (me == 0) {
    for (;;) {
      r = isomc_irecv(mine, &in, sizeof in);
      s = isomc_isend(next, &out, sizeof out);
      isomc_wait(s);
      s = NULL;
      token_at_0 = 0;
      isomc_wait(r);
      r = NULL;
      isomc_assert(in == prev);
      token_at_0 = 1;
    }
  }
  r = isomc_irecv(mine, &in, sizeof in);
  for (;;) {
    isomc_wait(r);
    r = NULL;
    isomc_assert(in == prev);
    r = isomc_irecv(mine, &in, sizeof in);
    s = isomc_isend(next, &out, sizeof out);
    isomc_wait(s);
    s = NULL;
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_prop("token_at_0", &token_at_0);
  boxes[0] = isomc_mailbox("ring-0");
  boxes[1] = isomc_mailbox("ring-1");
  boxes[2] = isomc_mailbox("ring-2");
  for (int i = 0; i < N; i++) isomc_actor_create("node", node, (void *)(intptr_t)i);
  isomc_run();
  return 0;
}
