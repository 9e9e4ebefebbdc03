/*
 * Fault fixture: actor "big" fills a 2 MiB local array before its first visible operation, on
 * the default 1 MiB actor stack: the stack overflows before the program's first scheduling
 * point (the array starts a megabyte below the stack, far past its 64 KiB guard). Expected:
 * isomc check exits 2 saying that big overflowed its 1 MiB stack and how to raise it; with
 * ISOMC_STACK_SIZE=4194304 the program checks with no violation.
 */
#include <string.h>
#include "isomc.h"

static void big(void *arg) {
  (void)arg;
  volatile char buf[2 * 1024 * 1024];
  memset((char *)buf, 1, sizeof buf);
  isomc_yield();
  isomc_assert(buf[12345] == 1);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("big", big, 0);
  isomc_run();
  return 0;
}
