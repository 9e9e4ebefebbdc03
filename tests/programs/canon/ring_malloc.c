/*
 * The token ring of ring.c where the token is a message allocated with malloc by its sender
 * and freed by its receiver, which allocates its own to hand on: the pointer goes over the
 * mailboxes. The block goes back to the sender's arena when the receiver frees it, so the
 * arenas must come back to equal bytes whoever frees (docs/state.md).
 *
 * Expected: ok, 72 distinct states, as ring.c: whether a node's block is allocated follows
 * from where the token is (from the sender's malloc, before its send, to the receiver's free,
 * after its receive), so the states are those of ring.c. A node that has never allocated and
 * a node whose block was freed have the same arena (arena.zig gives freed blocks at the top
 * back), and handles are nulled once used.
 */
#include <stdlib.h>
#include "isomc.h"

#define N 3

struct token {
  int from;
};

static isomc_mailbox_t boxes[N];
static int token_at_0 = 1;

static void node(void *arg) {
  int me = (int)(intptr_t)arg;
  int prev = (me + N - 1) % N;
  isomc_mailbox_t mine = boxes[me], next = boxes[(me + 1) % N];
  struct token *in = NULL, *out = NULL;
  for (;;) {
    if (me == 0) {
      out = malloc(sizeof *out);
      out->from = me;
      isomc_send(next, &out, sizeof out);
      out = NULL;
      token_at_0 = 0;
      isomc_recv(mine, &in, sizeof in);
      isomc_assert(in->from == prev);
      free(in);
      in = NULL;
      token_at_0 = 1;
    } else {
      isomc_recv(mine, &in, sizeof in);
      isomc_assert(in->from == prev);
      free(in);
      in = NULL;
      out = malloc(sizeof *out);
      out->from = me;
      isomc_send(next, &out, sizeof out);
      out = NULL;
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
