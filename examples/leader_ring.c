/*
 * Leader election on a ring: three nodes, each knowing only its own id and the mailbox of the
 * next node, must agree on a leader, the node with the largest id. Node 0 (say, the one that
 * noticed the old leader was gone) starts a token around the ring. On its first round the token
 * collects the largest id; the node that folds in the last id knows the result, and from there
 * the token goes on round the ring to tell the others, stopping once every node knows (2N - 2
 * hops in all). Each node checks on its way that the token is consistent; main checks at the end
 * that exactly one node is leader, that it has the largest id, and that all agree.
 *
 * A node hands the token on with isomc_isend and does not wait for it to be received: the data
 * is copied when the send is posted, and a communication never waited for is simply left behind
 * (docs/semantics.md). Waiting for each send would make every hop a rendezvous and multiply the
 * interleavings to explore (48,264 executions instead of 355 without reduction).
 *
 * Why not Chang-Roberts, where every node starts a candidacy at once? Without reduction it is
 * out of reach: three nodes give millions of interleavings. This one-initiator election keeps the
 * example checkable with --reduction=none.
 *
 * Shows: message passing with isomc_isend/isomc_recv, and a distributed algorithm with no bug.
 * Expected verdict: ok, 355 executions with --reduction=none (isomc check exits 0).
 */
#include <stdio.h>
#include "isomc.h"

#define N 3

static const int ids[N] = {17, 42, 8};

struct token {
  int best;     /* the largest id seen so far */
  int visited;  /* how many nodes' ids are folded into best */
  int informed; /* how many nodes know the result */
};

static isomc_mailbox_t inbox[N];
static int positions[N];
static int leader[N];    /* the leader each node settled on, 0 before it decides */
static int is_leader[N]; /* 1 for the node that found itself elected */

static void pass_on(int i, const struct token *t) {
  isomc_isend(inbox[(i + 1) % N], t, sizeof *t);
}

static void node(void *arg) {
  int i = *(int *)arg;
  int me = ids[i];
  struct token t;
  if (i == 0) {
    t = (struct token){me, 1, 0};
    pass_on(i, &t);
  }
  while (leader[i] == 0) {
    size_t size = isomc_recv(inbox[i], &t, sizeof t);
    isomc_assert(size == sizeof t);
    isomc_assert_msg(t.visited >= 1 && t.visited <= N && t.informed < N, "a corrupt token");
    if (t.visited < N) {
      if (me > t.best) t.best = me;
      t.visited++;
    } else {
      isomc_assert_msg(t.best >= me, "the announced leader is smaller than me");
    }
    if (t.visited == N) {
      leader[i] = t.best;
      is_leader[i] = t.best == me;
      t.informed++;
    }
    if (t.informed < N) pass_on(i, &t);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  for (int i = 0; i < N; i++) {
    char name[32];
    snprintf(name, sizeof name, "inbox-%d", i);
    inbox[i] = isomc_mailbox(name);
  }
  for (int i = 0; i < N; i++) {
    char name[32];
    snprintf(name, sizeof name, "node-%d", ids[i]);
    positions[i] = i;
    isomc_actor_create(name, node, &positions[i]);
  }
  isomc_run();

  int leaders = 0, largest = 0;
  for (int i = 0; i < N; i++) {
    leaders += is_leader[i];
    if (ids[i] > largest) largest = ids[i];
  }
  isomc_assert_msg(leaders == 1, "not exactly one leader");
  for (int i = 0; i < N; i++) {
    isomc_assert_msg(leader[i] == largest, "a node settled on a leader that is not the largest id");
    if (is_leader[i]) isomc_assert_msg(ids[i] == largest, "the leader is not the largest id");
  }
  printf("node-%d is the leader\n", largest);
  return 0;
}
