/*
 * main calls exit(0) without joining thread-1, having waited for thread-2's post and joined
 * thread-2: main_return_race.c with exit() for the return. The first execution a depth-first
 * search takes runs thread-1 to its end first, and the exit is the normal end; only the order
 * with main's exit before thread-1's end cuts it, which a search finds only if exit() probes
 * thread-1's end as main's return does (docs/pthreads.md, "exit() from any thread").
 * Expected: the `exit` violation "actor main called exit(0), leaving thread-1 unfinished".
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

static sem_t s;

static void *idle(void *arg) { return arg; }

static void *poster(void *arg) {
  sem_post(&s);
  return arg;
}

int main(void) {
  pthread_t t1, t2;
  sem_init(&s, 0, 0);
  pthread_create(&t1, NULL, idle, NULL);
  pthread_create(&t2, NULL, poster, NULL);
  sem_wait(&s);
  pthread_join(t2, NULL);
  exit(0);
}
