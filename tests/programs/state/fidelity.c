/*
 * Restore fidelity: each actor keeps a private history in memory of every kind — a growing
 * realloc'd buffer, malloc'd blocks freed in turn, an mmap'd region of 1 MiB remapped at each
 * round, stdio — and checks at every step that its memory still matches what its own history
 * says it should be. A restore that got one page or one mapping wrong trips an assertion.
 * Expected verdict: ok, with the same number of executions under every --restore.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include "isomc.h"

#define ROUNDS 2
#define MAPPED (1 << 20)

static uint64_t checksum(const unsigned char *p, size_t n) {
  uint64_t h = 1469598103934665603ULL;
  for (size_t i = 0; i < n; i++) h = (h ^ p[i]) * 1099511628211ULL;
  return h;
}

static void worker(void *arg) {
  int id = (int)(intptr_t)arg;
  unsigned char *grow = NULL;
  size_t grow_len = 0;
  unsigned char *mapped = NULL;
  char *block = NULL;
  uint64_t expected_grow = 0, expected_map = 0;
  for (int round = 1; round <= ROUNDS; round++) {
    int pick = id == 0 ? isomc_random(0, 1) : 0;
    /* realloc'd buffer: grows by 50000 bytes a round, newest part filled with a pattern */
    grow = realloc(grow, grow_len + 50000);
    isomc_assert(grow != NULL);
    memset(grow + grow_len, 'a' + id * 5 + round + pick, 50000);
    grow_len += 50000;
    expected_grow = checksum(grow, grow_len);
    /* a fresh 1 MiB mapping each round, the old one unmapped */
    if (mapped != NULL) isomc_assert(munmap(mapped, MAPPED) == 0);
    mapped = mmap(NULL, MAPPED, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    isomc_assert(mapped != MAP_FAILED);
    for (size_t i = 0; i < MAPPED; i += 4096) mapped[i] = (unsigned char)(round * 7 + id + pick);
    expected_map = checksum(mapped, MAPPED);
    /* a small block, replaced each round */
    free(block);
    block = malloc(100 + (size_t)round);
    snprintf(block, 100 + (size_t)round, "actor %d round %d", id, round);
    printf("%s\n", block);

    isomc_yield(); /* other actors run, states are restored around here */

    isomc_assert_msg(checksum(grow, grow_len) == expected_grow, "realloc'd memory changed");
    isomc_assert_msg(checksum(mapped, MAPPED) == expected_map, "mmap'd memory changed");
    char want[128];
    snprintf(want, sizeof want, "actor %d round %d", id, round);
    isomc_assert_msg(strcmp(block, want) == 0, "malloc'd block changed");
  }
  free(grow);
  free(block);
  munmap(mapped, MAPPED);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_actor_create("w0", worker, (void *)0);
  isomc_actor_create("w1", worker, (void *)1);
  isomc_run();
  return 0;
}
