/*
 * Fault fixture: a program that never calls isomc_init, so it never connects to the checker,
 * and exits at once. Expected: isomc check exits 2 with a hint about `isomc cc`/isomc_init.
 */
#include <stdio.h>

int main(void) {
  puts("hello without the runtime");
  return 0;
}
