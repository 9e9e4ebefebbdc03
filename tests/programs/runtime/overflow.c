/*
 * Stack overflow in an actor. Each actor runs on its own stack with an inaccessible guard
 * region below it, so running off the end faults (a crash the checker reports) instead of
 * writing over whatever memory lies below (often the stack of the next actor).
 * Mode "deep": "deep" recurses without end, with small frames.
 * Mode "wide": "deep" recurses 18 levels with 16 KiB frames (about 290 KiB) on a stack of
 * 260 KiB (the test passes --isomc-stack-size=266240), so it overflows by about 30 KiB, and
 * the frame that crosses the end may start anywhere up to 16 KiB below it. "victim",
 * created next (its stack is usually the mapping right below), keeps a canary on its stack
 * across the overflow. With a one-page guard this ran to a normal end, or failed the
 * victim's canary check, depending on the stack size: the overflow jumped the guard into the
 * victim's stack. The runtime's guard region (64 KiB) catches any frame up to that size.
 * Expected in both modes: a crash (SIGSEGV), never a normal end.
 */
#include <string.h>
#include "isomc.h"

static int wide;

static int recurse(int depth) {
  volatile char frame[64];
  frame[0] = (char)depth;
  if (depth > 0 && depth % 100000 == 0) isomc_yield(); /* never reached before the fault */
  return recurse(depth + 1) + frame[0];
}

static int recurse_wide(int depth) {
  volatile char frame[16 * 1024];
  frame[0] = (char)depth;
  frame[sizeof frame - 1] = (char)depth;
  if (depth == 18) return frame[0];
  return recurse_wide(depth + 1) + frame[0] + frame[sizeof frame - 1];
}

static void deep(void *arg) {
  (void)arg;
  isomc_yield();
  if (wide) {
    recurse_wide(0);
  } else {
    recurse(0);
  }
  isomc_yield();
}

static void victim(void *arg) {
  (void)arg;
  volatile unsigned long canary[512];
  for (int i = 0; i < 512; i++) canary[i] = 0x5a5a5a5a5a5a5a5aUL;
  isomc_yield();
  isomc_yield();
  for (int i = 0; i < 512; i++) isomc_assert_msg(canary[i] == 0x5a5a5a5a5a5a5a5aUL, "victim's stack was overwritten");
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  wide = argc > 1 && strcmp(argv[1], "wide") == 0;
  isomc_actor_create("deep", deep, 0);
  isomc_actor_create("victim", victim, 0);
  isomc_run();
  return 0;
}
