/*
 * Ping-pong forever: two players hit a ball back and forth over two mailboxes with isomc_send
 * and isomc_recv, as examples/pingpong.c does, but without end; the ball counts its hits
 * modulo 4, and each player checks that it got the ball from the other with the count it
 * expects (odd hits come from ping, even ones from pong).
 *
 * Expected: ok, 32 distinct states. Call holder the player whose receive of the ball is
 * matched and whose send is not; the other sent it the ball. The holder has not waited for its
 * receive (1), holds the ball (2), or has posted its send while the other has not posted its
 * receive (3); the other has not waited for its matched send (a), has and has not posted its
 * receive (b), or has (c), but not c in case 3 (it would have matched): 2 x 3 + 1 x 2 = 8
 * states per hit. The hits modulo 4 (which also say who holds the ball) give 4 x 8 = 32; every
 * copy of the ball (each player's, a queued send's) follows from the hit and the case.
 */
#include "isomc.h"

#define MOD 4

struct ball {
  int hits;
  int last_player;
};

static isomc_mailbox_t boxes[2];

static void hit(int me, struct ball *ball) {
  ball->hits = (ball->hits + 1) % MOD;
  ball->last_player = me;
  isomc_send(boxes[1 - me], ball, sizeof *ball);
}

static void play(void *arg) {
  int me = (int)(intptr_t)arg;
  struct ball ball = {0, 1}; /* as if pong had just hit it for the 4th time */
  for (;;) {
    if (me == 0) hit(me, &ball);
    isomc_recv(boxes[me], &ball, sizeof ball);
    isomc_assert_msg(ball.last_player == 1 - me, "the ball came back from myself");
    isomc_assert_msg(ball.hits % 2 == (me == 0 ? 0 : 1), "a hit was lost or repeated");
    if (me == 1) hit(me, &ball);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  boxes[0] = isomc_mailbox("ping");
  boxes[1] = isomc_mailbox("pong");
  isomc_actor_create("ping", play, (void *)0);
  isomc_actor_create("pong", play, (void *)1);
  isomc_run();
  return 0;
}
