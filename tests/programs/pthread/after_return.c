/*
 * main returns without joining a thread that waits for a post nobody makes. Expected with
 * --join-on-exit (the thread runs on after main's return): a deadlock, thread-1 waiting, and a
 * trace file that records --join-on-exit, so that `isomc replay` runs the program the same way
 * (without it, main's return would have its probe of the thread to take: no deadlock there).
 */
#include <pthread.h>
#include <semaphore.h>

static sem_t never;

static void *wait_forever(void *arg) {
  sem_wait(&never);
  return arg;
}

int main(void) {
  pthread_t t;
  sem_init(&never, 0, 0);
  pthread_create(&t, NULL, wait_forever, NULL);
  return 0;
}
