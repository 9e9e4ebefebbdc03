/*
 * token_ring.c: a token passed round a ring of 3 actors forever, over mailboxes. Node i
 * receives the token on its mailbox and sends it on to the next node's; node 0 holds it first.
 * The program never ends, but its behaviour is periodic: once the runtime's own memory is
 * canonical (the requests, payloads and ids of each lap at the same places), its states are
 * finitely many and the liveness search explores each once.
 *
 * token_at_0 is 1 while node 0 holds the token (from its receive's return to its send's).
 *
 * Formula:          G F token_at_0    (the token comes back to node 0 again and again)
 * Expected verdict: ok, 72 program states (the count docs/state.md's canonical memory gives a
 *                   ring of 3; without fairness: only the holder and the nodes posting their
 *                   receives can move, so every cycle passes the token on)
 *
 *   ./isomc cc -o token_ring examples/liveness/token_ring.c
 *   ./isomc check --ltl='G F token_at_0' -- ./token_ring
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
