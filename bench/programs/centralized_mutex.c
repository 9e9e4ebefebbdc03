/*
 * centralized_mutex.c: mutual exclusion granted by a coordinator over mailboxes, the scenario of
 * SimGrid's model-checking example mc-centralized-mutex, written for isomc's API so that the two
 * checkers can be compared on it (bench/README.md, "Side by side with SimGrid"). There is no bug:
 * the example exists to measure how much of the state space a reduction skips.
 *
 * The same actors and messages as SimGrid's: one coordinator and CLIENTS clients. Each client
 * asks CS times: it sends REQUEST (naming its own mailbox) to the coordinator's mailbox, waits
 * for GRANT on its own, spends a step inside, sends RELEASE, and spends a step before asking
 * again (SimGrid's sleep_for calls, which its checker sees as transitions independent of
 * everything: isomc_yield here). The coordinator grants at once when the section is idle,
 * queues the request otherwise, hands the section to the oldest queued client on a release,
 * and stops after CLIENTS * CS releases.
 *
 * A send is isend + wait and a receive irecv + wait, two transitions each, as in SimGrid (put
 * and get_unique). isomc_assert checks that at most one client is inside at a time.
 *
 * Usage: centralized_mutex [CLIENTS [CS]] (default 4 2, as SimGrid's example)
 *
 *   ./isomc cc -O2 -o centralized_mutex bench/programs/centralized_mutex.c
 *   ./isomc check -- ./centralized_mutex 3 2
 */
#include <stdlib.h>
#include <stdio.h>

#include "isomc.h"

enum kind { GRANT, REQUEST, RELEASE };

struct message {
  int kind;
  /* The client's index: its mailbox is client_box[client]. */
  int client;
};

#define MAX_CLIENTS 16

static int clients = 4, cs_per_client = 2;
static isomc_mailbox_t coordinator_box, client_box[MAX_CLIENTS];
/* How many clients are inside the critical section: never more than one. */
static int inside;

static void coordinator(void *arg) {
  (void)arg;
  int queue[MAX_CLIENTS], head = 0, queued = 0;
  int used = 0;
  int todo = clients * cs_per_client; /* the releases still expected */
  while (todo > 0) {
    struct message m;
    isomc_recv(coordinator_box, &m, sizeof m);
    if (m.kind == REQUEST) {
      if (used) {
        queue[(head + queued++) % MAX_CLIENTS] = m.client;
      } else {
        struct message grant = {GRANT, m.client};
        isomc_send(client_box[m.client], &grant, sizeof grant);
        used = 1;
      }
    } else {
      if (queued > 0) {
        int next = queue[head];
        head = (head + 1) % MAX_CLIENTS;
        queued--;
        struct message grant = {GRANT, next};
        isomc_send(client_box[next], &grant, sizeof grant);
      } else {
        used = 0;
      }
      todo--;
    }
  }
}

static void client(void *arg) {
  int me = (int)(intptr_t)arg;
  for (int i = 0; i < cs_per_client; i++) {
    struct message m = {REQUEST, me};
    isomc_send(coordinator_box, &m, sizeof m);
    isomc_recv(client_box[me], &m, sizeof m);
    isomc_assert(m.kind == GRANT && m.client == me);
    inside++;
    isomc_assert(inside == 1);
    isomc_yield(); /* SimGrid's sleep_for(1), inside the critical section */
    inside--;
    m.kind = RELEASE;
    isomc_send(coordinator_box, &m, sizeof m);
    isomc_yield(); /* SimGrid's sleep_for(pid) before asking again */
  }
}

static int count(const char *text, const char *what) {
  char *end;
  long v = strtol(text, &end, 10);
  if (*end != '\0' || v < 1 || v > MAX_CLIENTS) {
    fprintf(stderr, "centralized_mutex: %s must be 1..%d, not %s\n", what, MAX_CLIENTS, text);
    exit(2);
  }
  return (int)v;
}

int main(int argc, char **argv) {
  isomc_init(&argc, argv);
  if (argc > 3) {
    fprintf(stderr, "usage: centralized_mutex [CLIENTS [CS]]\n");
    return 2;
  }
  if (argc > 1) clients = count(argv[1], "CLIENTS");
  if (argc > 2) cs_per_client = count(argv[2], "CS");
  coordinator_box = isomc_mailbox("coordinator");
  isomc_actor_create("coordinator", coordinator, NULL);
  for (int i = 0; i < clients; i++) {
    char name[32];
    snprintf(name, sizeof name, "client-%d", i);
    client_box[i] = isomc_mailbox(name);
    isomc_actor_create(name, client, (void *)(intptr_t)i);
  }
  return isomc_run();
}
