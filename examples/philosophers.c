/*
 * Dining philosophers, three of them, each taking the fork on the left before the one on the
 * right. When all three hold their left fork, each waits for a fork its neighbour will never
 * put down.
 *
 * Shows: a deadlock.
 * Expected verdict: violation, deadlock (isomc check exits 1).
 */
#include <stdio.h>
#include "isomc.h"

#define N 3

static isomc_mutex_t forks[N];
static int ids[N];

static void philosopher(void *arg) {
  int id = *(int *)arg;
  isomc_mutex_t left = forks[id];
  isomc_mutex_t right = forks[(id + 1) % N];
  isomc_mutex_lock(left);
  isomc_mutex_lock(right);
  printf("philosopher %d eats\n", id);
  isomc_mutex_unlock(right);
  isomc_mutex_unlock(left);
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  for (int i = 0; i < N; i++) forks[i] = isomc_mutex_create();
  for (int i = 0; i < N; i++) {
    char name[32];
    snprintf(name, sizeof name, "philosopher-%d", i);
    ids[i] = i;
    isomc_actor_create(name, philosopher, &ids[i]);
  }
  isomc_run();
  printf("everybody ate\n");
  return 0;
}
