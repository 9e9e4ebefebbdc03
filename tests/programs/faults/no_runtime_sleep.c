/*
 * Fault fixture: a program that never calls isomc_init and sleeps. Expected: with --timeout=1,
 * isomc check exits 2 saying it did not connect within 1 s, and the program is killed.
 */
#include <unistd.h>

int main(void) {
  sleep(60);
  return 0;
}
