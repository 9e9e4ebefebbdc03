/*
 * Fault fixture: an actor dereferences NULL before its first visible operation, so the program
 * dies between the handshake and its first scheduling point. Expected: isomc check exits 2
 * saying the program crashed before its first scheduling point.
 */
#include <stddef.h>
#include "isomc.h"

static void crasher(void *arg) {
  volatile int *p = (volatile int *)arg;
  *p = 1;
  isomc_yield();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("crasher", crasher, NULL);
  isomc_run();
  return 0;
}
