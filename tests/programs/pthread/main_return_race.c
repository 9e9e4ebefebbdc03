/*
 * main returns without joining thread-1, having waited for thread-2's post and joined
 * thread-2. The first execution a depth-first search takes runs thread-1 to its end first: main's
 * return then finds every thread ended, and the process exits normally. Only the order with
 * main's return before thread-1's end cuts it: a search finds it only if the probe at main's
 * return is dependent with thread-1's end (docs/pthreads.md, "main's return"). Expected: the
 * `exit` violation "actor main called exit(0), leaving thread-1 unfinished"; with
 * --join-on-exit, ok.
 */
#include <pthread.h>
#include <semaphore.h>

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
  return 0;
}
