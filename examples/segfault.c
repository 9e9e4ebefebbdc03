/*
 * A segfault on one interleaving only. A server keeps its current configuration behind a
 * shared pointer. A worker checks that a configuration is loaded, then reads the pointer again
 * to use it (check-then-act on a shared variable). Meanwhile an admin reloads the
 * configuration: it unpublishes the old one (stores NULL), frees it, and publishes the new one.
 * If the worker's second read falls between the admin's two stores, it gets NULL, although its
 * check just said a configuration was there, and dereferences it. Every other interleaving
 * runs fine, which is why such a bug survives testing.
 *
 * The pointer is shared through isomc_load/isomc_store so that each access is a step the
 * checker interleaves (an int64_t holds it). The fix: read the pointer once, and keep the old
 * configuration alive while someone may use it.
 *
 * Shows: a crash (SIGSEGV) found by the checker, replayable under gdb.
 * Expected verdict: violation, crash (isomc check exits 1).
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include "isomc.h"

struct config {
  int timeout_ms;
  int retries;
};

static int64_t current; /* struct config *, or 0 while none is published */

static struct config *new_config(int timeout_ms, int retries) {
  struct config *c = malloc(sizeof *c);
  if (c == NULL) abort();
  c->timeout_ms = timeout_ms;
  c->retries = retries;
  return c;
}

static void worker(void *arg) {
  (void)arg;
  if (isomc_load(&current) != 0) {
    /* BUG: the pointer is read again; it may have changed since the check. */
    struct config *c = (struct config *)(intptr_t)isomc_load(&current);
    printf("worker: timeout %d ms, %d retries\n", c->timeout_ms, c->retries);
  }
}

static void admin(void *arg) {
  (void)arg;
  struct config *old = (struct config *)(intptr_t)isomc_load(&current);
  isomc_store(&current, 0);
  free(old);
  isomc_store(&current, (int64_t)(intptr_t)new_config(500, 5));
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  current = (int64_t)(intptr_t)new_config(1000, 3);
  isomc_actor_create("worker", worker, NULL);
  isomc_actor_create("admin", admin, NULL);
  isomc_run();
  free((struct config *)(intptr_t)current);
  return 0;
}
