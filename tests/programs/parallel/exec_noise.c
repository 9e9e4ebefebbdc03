/*
 * A program that keeps in its memory what each exec sets anew (docs/state.md, "Copies of one
 * program"): the 16 bytes at AT_RANDOM, the stack protector's canary and the pointer guard
 * (glibc's setjmp mangles the saved registers with it), glibc's malloc tcache key (in a
 * freed block), an atexit entry (mangled too). Two copies of it driven to the same state must
 * hash alike; two actors store one value each, so the path decides the state.
 * Expected verdict: ok; under --reduction=none --visited, 4 states (both orders of the two
 * stores meet in one state): the initial one, after a, after b, after both.
 */
#include <setjmp.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include "isomc.h"

static unsigned char random_bytes[16];
static uintptr_t canary;
static jmp_buf saved;
static void *freed;
static int64_t x, y;

static void on_exit_handler(void) {}

static void a(void *arg) {
  (void)arg;
  isomc_store(&x, 1);
}

static void b(void *arg) {
  (void)arg;
  isomc_store(&y, 1);
}

int main(int argc, char **argv) {
  memcpy(random_bytes, (const void *)getauxval(AT_RANDOM), sizeof random_bytes);
  __asm__ volatile("mov %%fs:0x28, %0" : "=r"(canary));
  atexit(on_exit_handler);
  freed = malloc(24);
  free(freed);
  if (setjmp(saved) != 0) return 1;
  isomc_init(&argc, argv);
  isomc_actor_create("a", a, 0);
  isomc_actor_create("b", b, 0);
  isomc_run();
  return 0;
}
