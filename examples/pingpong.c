/*
 * Ping-pong: two players hit a ball back and forth over two mailboxes, one per player. The
 * ball carries how many times it has been hit; a player who receives it checks that the other
 * player hit it last and that no hit was lost, then hits it back, until it has been hit HITS
 * times. isomc_send and isomc_recv are rendezvous: each is two transitions (post, then wait
 * for the match), so the checker also interleaves a player's post with the other's wait.
 *
 * Shows: message passing with isomc_send/isomc_recv, and a program with no bug.
 * Expected verdict: ok, 144 executions with --reduction=none (isomc check exits 0).
 *   Why 144: the HITS = 3 messages each cost a post and a wait on both sides. The first two
 *   posts come in either order (2); between two messages the sender's wait and next post
 *   interleave freely with the receiver's wait and next post (4!/(2!2!) = 6, twice); the two
 *   last waits come in either order (2): 2 * 6 * 6 * 2 = 144.
 */
#include <stdio.h>
#include "isomc.h"

#define HITS 3

struct ball {
  int hits;        /* times the ball has been hit so far */
  int last_player; /* who hit it last */
};

struct player {
  int id;
  const char *name;
  isomc_mailbox_t mine;  /* where this player receives the ball */
  isomc_mailbox_t other; /* where the other player receives it */
  int serves;
};

static struct player players[2];

static void hit(struct player *me, struct ball *ball) {
  ball->hits++;
  ball->last_player = me->id;
  isomc_send(me->other, ball, sizeof *ball);
}

static void play(void *arg) {
  struct player *me = arg;
  struct ball ball = {0, -1};
  int expect = 1; /* the hit this player should receive next */
  if (me->serves) {
    hit(me, &ball);
    expect = 2;
  }
  while (expect <= HITS) {
    size_t size = isomc_recv(me->mine, &ball, sizeof ball);
    isomc_assert(size == sizeof ball);
    isomc_assert_msg(ball.last_player != me->id, "the ball came back from myself");
    isomc_assert_msg(ball.hits == expect, "a hit was lost or repeated");
    if (ball.hits == HITS) break;
    hit(me, &ball);
    expect = ball.hits + 1;
  }
  printf("%s: done after %d hits\n", me->name, ball.hits);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_mailbox_t ping_box = isomc_mailbox("ping");
  isomc_mailbox_t pong_box = isomc_mailbox("pong");
  players[0] = (struct player){0, "ping", ping_box, pong_box, 1};
  players[1] = (struct player){1, "pong", pong_box, ping_box, 0};
  isomc_actor_create("ping", play, &players[0]);
  isomc_actor_create("pong", play, &players[1]);
  isomc_run();
  return 0;
}
