/*
 * A thread calls exit(0) once thread-1 has posted, without joining it; main has ended already
 * (pthread_exit). With thread-1's end before the exit, every other thread has ended: the
 * program's normal end. With the exit first, thread-1 is cut: a search finds that order only
 * if the exit probes thread-1's end (docs/pthreads.md, "exit() from any thread"). Expected: the
 * `exit` violation "actor thread-2 called exit(0), leaving thread-1 unfinished".
 */
#include <pthread.h>
#include <semaphore.h>
#include <stdlib.h>

static sem_t s;

static void *poster(void *arg) {
  sem_post(&s);
  return arg;
}

static void *exiter(void *arg) {
  (void)arg;
  sem_wait(&s);
  exit(0);
}

int main(void) {
  pthread_t t1, t2;
  sem_init(&s, 0, 0);
  pthread_create(&t1, NULL, poster, NULL);
  pthread_create(&t2, NULL, exiter, NULL);
  pthread_exit(NULL);
}
