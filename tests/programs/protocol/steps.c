/*
 * Protocol fixture: a small program whose control-channel conversation is known exactly.
 * main creates mailbox "box" (an OBJECT frame) and two actors: "a" draws isomc_random(-1, 1)
 * then yields, "b" yields once. tests/protocol_test.ts plays the checker's side by hand.
 */
#include "isomc.h"

static void a(void *arg) {
  (void)arg;
  isomc_random(-1, 1);
  isomc_yield();
}

static void b(void *arg) {
  (void)arg;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_mailbox("box");
  isomc_actor_create("a", a, 0);
  isomc_actor_create("b", b, 0);
  isomc_run();
  return 0;
}
