/*
 * A token passed round a ring of 3 actors forever, over mailboxes, with isomc_send and
 * isomc_recv: node i receives the token on mailbox i and hands it on to mailbox i+1 (mod 3);
 * node 0 holds it first. The program never ends, but its behaviour is periodic, so its states
 * are finitely many: --reduction=none --visited explores each once and ends "ok". That needs
 * the runtime's memory to be canonical (docs/state.md): the requests of every lap at the same
 * addresses, with the same ids, the payload copies zeroed, and so on.
 *
 * token_at_0 (an isomc_prop) is 1 while node 0 holds the token: from the return of its receive
 * to the return of its send. G F token_at_0 holds.
 *
 * Expected: ok, 72 distinct states. Why: each send and receive is a post then a wait (4
 * transitions a lap per node). Call holder the node whose receive of the token is matched and
 * whose send of it is not; the previous node p has sent it to the holder h, the next node n
 * sent it to p before. Then:
 *   - h has not waited for its receive (1), or holds the token, its send not posted (2), or has
 *     posted its send while n has not posted its receive (3);
 *   - p has not waited for its matched send (a), or has and has not posted its next receive
 *     (b), or has posted it (c): 3 ways;
 *   - n likewise: still waiting for its send to p (a), before (b) or after (c) posting its
 *     receive; but in case 3 n has not posted (its receive would match h's send): a or b.
 * 2 x 3 x 3 + 1 x 3 x 2 = 24 states per holder, 72 for the 3 holders (the initial state is
 * h = 0 in case 2, p and n in case b). token_at_0 and every buffer follow from these.
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
  for (;;) {
    if (me == 0) {
      isomc_send(next, &out, sizeof out);
      token_at_0 = 0;
      isomc_recv(mine, &in, sizeof in);
      isomc_assert(in == prev);
      token_at_0 = 1;
    } else {
      isomc_recv(mine, &in, sizeof in);
      isomc_assert(in == prev);
      isomc_send(next, &out, sizeof out);
    }
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
