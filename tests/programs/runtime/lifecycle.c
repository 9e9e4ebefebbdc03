/*
 * What is and is not a transition. main creates "a" and "b"; each writes a flag in plain
 * memory before its first visible operation. "a": yield, then (local code) creates "c",
 * creates a mutex, a semaphore, a condition, a barrier, looks up a mailbox, asserts something
 * true, writes `shared` twice (1 then 2), then yields again. "b": yield, then checks what it
 * sees. "c": notes that it started, then yields.
 *
 * Checked in every execution:
 *   - actors created before isomc_run have all started (run to their first visible
 *     operation) before the first choice: when "a" or "b" moves first, both flags are set;
 *   - an actor created by an actor starts at the end of its creator's transition: whoever
 *     sees a_spawned == 1 also sees c_started == 1;
 *   - local code is atomic: nobody ever sees shared == 1;
 *   - isomc_self / isomc_actor_name name the running actor.
 * Executions (reduction none): a = Y1 Y2, b = Yb, c = Yc. Creating c, objects, the mailbox
 * lookup and isomc_assert are not transitions, nor are the actors' returns. Yc exists only
 * after Y1. Orders of Y1 Y2 Yc with Y1 first: 2; Yb goes into any of 4 places: 8 executions.
 */
#include <string.h>
#include "isomc.h"

static int a_started, b_started, c_started, a_spawned, shared;
static isomc_actor_t actor_a;

static void check_started(void) {
  isomc_assert_msg(a_started && b_started, "actors created before isomc_run start first");
  isomc_assert_msg(a_spawned == c_started, "a spawned actor starts with its creator's step");
  isomc_assert_msg(shared != 1, "local code between two transitions is atomic");
}

static void c_code(void *arg) {
  (void)arg;
  c_started = 1;
  isomc_assert(strcmp(isomc_actor_name(), "c") == 0);
  isomc_yield();
  check_started();
}

static void a_code(void *arg) {
  (void)arg;
  a_started = 1;
  isomc_assert(isomc_self() == actor_a);
  isomc_yield();
  check_started();
  isomc_actor_create("c", c_code, 0);
  a_spawned = 1;
  (void)isomc_mutex_create();
  (void)isomc_sem_create(1);
  (void)isomc_cond_create();
  (void)isomc_barrier_create(2);
  (void)isomc_mailbox("somewhere");
  isomc_assert(a_spawned);
  shared = 1;
  shared = 2;
  isomc_yield();
  check_started();
}

static void b_code(void *arg) {
  (void)arg;
  b_started = 1;
  isomc_assert(strcmp(isomc_actor_name(), "b") == 0);
  isomc_yield();
  check_started();
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_assert(isomc_self() == NULL && strcmp(isomc_actor_name(), "main") == 0);
  actor_a = isomc_actor_create("a", a_code, 0);
  isomc_actor_create("b", b_code, 0);
  isomc_run();
  isomc_assert(a_spawned && c_started);
  return 0;
}
