/*
 * coordinator.c: mutual exclusion through a coordinator, which starves a client (the scenario
 * of SimGrid's old bugged1_liveness example). Two clients loop forever: request the critical
 * section from the coordinator, wait for its grant, enter, leave, release. The coordinator
 * grants the section when it is free and queues a request that comes while it is taken, so
 * that a release hands the section to the next client in the queue. The bug: it queues client
 * 2's requests but drops client 1's, so client 1, which asked while client 2 was inside, waits
 * for a grant that never comes, while client 2 goes in and out forever.
 *
 * Formula:          G(request_1 -> F cs_1)    (whenever client 1 asks, it eventually enters)
 * Expected verdict: violation, liveness (a lasso: client 1 asks while client 2 is inside; its
 *                   request is dropped; then client 2's loop repeats forever). The same with
 *                   --fairness=weak: client 1 is blocked in that cycle, not starved by the
 *                   scheduler. coordinator_fixed.c queues every request.
 *
 *   ./isomc cc -o coordinator examples/liveness/coordinator.c
 *   ./isomc check --ltl='G(request_1 -> F cs_1)' -- ./coordinator
 */
#include "isomc.h"

enum { REQUEST, RELEASE, GRANT };

struct message {
  int kind;
  int client;
};

#define CLIENTS 2

static isomc_mailbox_t coordinator_box, client_box[CLIENTS + 1];
/* Propositions: client 1 has asked and not entered yet; client 1 is in its critical section. */
static int request_1, cs_1;

static void coordinator(void *arg) {
  (void)arg;
  int busy = 0, queue[CLIENTS], queued = 0;
  for (;;) {
    struct message m;
    isomc_recv(coordinator_box, &m, sizeof m);
    if (m.kind == REQUEST) {
      if (!busy) {
        busy = 1;
        struct message grant = {GRANT, m.client};
        isomc_send(client_box[m.client], &grant, sizeof grant);
      } else if (m.client != 1) { /* BUG: client 1's request is dropped while the section is taken */
        queue[queued++] = m.client;
      }
    } else if (queued > 0) {
      int next = queue[0];
      for (int i = 1; i < queued; i++) queue[i - 1] = queue[i];
      queue[--queued] = 0;
      struct message grant = {GRANT, next};
      isomc_send(client_box[next], &grant, sizeof grant);
    } else {
      busy = 0;
    }
  }
}

static void client(void *arg) {
  int me = (int)(intptr_t)arg;
  for (;;) {
    struct message m = {REQUEST, me};
    if (me == 1) request_1 = 1;
    isomc_send(coordinator_box, &m, sizeof m);
    isomc_recv(client_box[me], &m, sizeof m);
    isomc_assert(m.kind == GRANT && m.client == me);
    if (me == 1) request_1 = 0, cs_1 = 1;
    isomc_yield(); /* inside the critical section */
    if (me == 1) cs_1 = 0;
    m.kind = RELEASE;
    isomc_send(coordinator_box, &m, sizeof m);
  }
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  isomc_prop("request_1", &request_1);
  isomc_prop("cs_1", &cs_1);
  coordinator_box = isomc_mailbox("coordinator");
  client_box[1] = isomc_mailbox("client-1");
  client_box[2] = isomc_mailbox("client-2");
  isomc_actor_create("coordinator", coordinator, 0);
  isomc_actor_create("client-1", client, (void *)1);
  isomc_actor_create("client-2", client, (void *)2);
  isomc_run();
  return 0;
}
