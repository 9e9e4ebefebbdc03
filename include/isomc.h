/*
 * isomc.h — the API that programs checked by isomc are written against.
 *
 * A program is a set of actors: cooperative user-level contexts, each on its own stack, all in
 * the program's one OS process, scheduled by the runtime's kernel (the maestro). Every call
 * below marked [visible] is one visible transition: the point where the model checker chooses
 * which actor moves next. The code an actor runs between two visible transitions is atomic.
 * docs/semantics.md gives the exact meaning of each call and when its transition is enabled.
 *
 * Build a program with `./isomc cc -o app app.c`, check it with `./isomc check -- ./app`.
 * Run on its own, the program follows a deterministic default schedule; with
 * ISOMC_REPLAY=<trace file> it follows a counterexample recorded by the checker.
 */
#ifndef ISOMC_H
#define ISOMC_H

#include <stddef.h>
#include <stdint.h>

#ifdef __cplusplus
extern "C" {
#endif

/* Programs call the API through entry points of the runtime that clear the stack below the
 * caller before and after the call, so that what the runtime's frames leave there never makes
 * two equal states differ (docs/state.md). */
#if defined(__GNUC__) || defined(__clang__)
#define ISOMC_ENTRY(name) __asm__("isomc_entry_" #name)
#else
#define ISOMC_ENTRY(name)
#endif

/* Marks a program of this API: its pthread calls stay the C library's, and main is not an
 * actor (include/pthread.h marks pthread programs; this mark wins). Weak: every file that
 * includes this header defines it, and the link keeps one. */
extern const char isomc_api_program;
__attribute__((weak, used)) const char isomc_api_program = 1;

typedef struct isomc_actor *isomc_actor_t;
typedef struct isomc_mailbox *isomc_mailbox_t;
typedef struct isomc_comm *isomc_comm_t;
typedef struct isomc_mutex *isomc_mutex_t;
typedef struct isomc_sem *isomc_sem_t;
typedef struct isomc_cond *isomc_cond_t;
typedef struct isomc_barrier *isomc_barrier_t;

/* ---- Lifecycle (not transitions) -------------------------------------------------------- */

/* Starts the runtime. Removes the runtime's own options (--isomc-...) from argv. Connects to the
 * checker when the program runs under `isomc check`. Call it once, first thing in main. */
void isomc_init(int *argc, char **argv);

/* Creates an actor that runs code(arg). Callable before isomc_run and from actors. An actor
 * created before isomc_run starts before the first choice; one created by an actor starts at
 * the end of its creator's current transition. The name is copied. */
isomc_actor_t isomc_actor_create(const char *name, void (*code)(void *), void *arg)
    ISOMC_ENTRY(actor_create);

/* Runs the actors until every one of them has returned. Returns 0. */
int isomc_run(void);

/* The calling actor (NULL outside actors) and its name ("main" outside actors). */
isomc_actor_t isomc_self(void) ISOMC_ENTRY(self);
const char *isomc_actor_name(void) ISOMC_ENTRY(actor_name);

/* ---- Choices ---------------------------------------------------------------------------- */

/* [visible] A step with no effect: lets the checker interleave other actors here. */
void isomc_yield(void) ISOMC_ENTRY(yield);

/* [visible] A value in [min, max], inclusive. The checker explores every value; a program run
 * on its own gets min. min > max is a violation. */
int isomc_random(int min, int max) ISOMC_ENTRY(random);

/* ---- Properties -------------------------------------------------------------------------- */

/* Checked in place, not a transition: a false condition is an assertion violation. */
void isomc_assert_fail(const char *expr, const char *msg, const char *file, int line)
    __attribute__((noreturn));
#define isomc_assert(cond) \
  ((cond) ? (void)0 : isomc_assert_fail(#cond, (const char *)0, __FILE__, __LINE__))
#define isomc_assert_msg(cond, msg) \
  ((cond) ? (void)0 : isomc_assert_fail(#cond, (msg), __FILE__, __LINE__))

/* Registers an atomic proposition named `name` for liveness checking (isomc check --ltl): true
 * in a state when *addr != 0 there; the checker reads the int from the program's memory in
 * every state. Not a transition. Register before isomc_run (or in an actor created before it,
 * before its first visible operation): later is a misuse, and so are a name a formula cannot
 * hold (letters, digits, _ and ., starting with a letter or _; not X F G U R V W true false),
 * one registered twice, and a NULL or unaligned address. The int must outlive the run (a
 * global, or memory never freed). */
void isomc_prop(const char *name, const int *addr) ISOMC_ENTRY(prop);

/* Not a transition: the transition running passes a progress marker (SPIN's progress labels).
 * isomc check --non-progress finds the cycles of states none of which was reached through one:
 * livelocks, spin loops. */
void isomc_progress(void) ISOMC_ENTRY(progress);

/* ---- Mailboxes: rendezvous points, FIFO matching per mailbox ------------------------------ */

/* The mailbox of that name (created on first use; the same name gives the same mailbox). */
isomc_mailbox_t isomc_mailbox(const char *name) ISOMC_ENTRY(mailbox);

/* [visible, twice] isend then wait. The data is copied when the send is posted. */
void isomc_send(isomc_mailbox_t mb, const void *data, size_t size) ISOMC_ENTRY(send);
/* [visible, twice] irecv then wait. Returns the size received. A message larger than cap is a
 * violation. */
size_t isomc_recv(isomc_mailbox_t mb, void *buf, size_t cap) ISOMC_ENTRY(recv);

/* [visible] Post a send / a receive; matched in FIFO order with the other side. */
isomc_comm_t isomc_isend(isomc_mailbox_t mb, const void *data, size_t size) ISOMC_ENTRY(isend);
isomc_comm_t isomc_irecv(isomc_mailbox_t mb, void *buf, size_t cap) ISOMC_ENTRY(irecv);

/* [visible] Wait until the communication is matched; returns the size of the message. The
 * handle is released. */
size_t isomc_wait(isomc_comm_t comm) ISOMC_ENTRY(wait);
/* [visible] 1 if the communication is matched (the handle is then released), 0 otherwise. */
int isomc_test(isomc_comm_t comm) ISOMC_ENTRY(test);
/* [visible] Wait until one of the n communications is matched; returns its index and sets
 * comms[index] to NULL (its handle is released). NULL entries are skipped; with none left it
 * returns -1 at once, without a transition. The checker explores every matched one. */
int isomc_waitany(isomc_comm_t *comms, int n) ISOMC_ENTRY(waitany);

/* ---- Synchronisation -------------------------------------------------------------------- */

isomc_mutex_t isomc_mutex_create(void) ISOMC_ENTRY(mutex_create);
/* [visible] enabled when m is free */
void isomc_mutex_lock(isomc_mutex_t m) ISOMC_ENTRY(mutex_lock);
/* [visible] 1 if taken, 0 if m was held */
int isomc_mutex_trylock(isomc_mutex_t m) ISOMC_ENTRY(mutex_trylock);
/* [visible] only by the owner */
void isomc_mutex_unlock(isomc_mutex_t m) ISOMC_ENTRY(mutex_unlock);

isomc_sem_t isomc_sem_create(int initial) ISOMC_ENTRY(sem_create);
/* [visible] enabled when the value is > 0 */
void isomc_sem_acquire(isomc_sem_t s) ISOMC_ENTRY(sem_acquire);
/* [visible] */
void isomc_sem_release(isomc_sem_t s) ISOMC_ENTRY(sem_release);

isomc_cond_t isomc_cond_create(void) ISOMC_ENTRY(cond_create);
/* [visible, twice] releases m and waits for a signal, then (enabled once signalled and m is
 * free) takes m back. The caller must hold m. There are no spurious wake-ups. */
void isomc_cond_wait(isomc_cond_t c, isomc_mutex_t m) ISOMC_ENTRY(cond_wait);
/* [visible] wakes the longest waiter, if any */
void isomc_cond_signal(isomc_cond_t c) ISOMC_ENTRY(cond_signal);
/* [visible] wakes every waiter */
void isomc_cond_broadcast(isomc_cond_t c) ISOMC_ENTRY(cond_broadcast);

isomc_barrier_t isomc_barrier_create(unsigned count) ISOMC_ENTRY(barrier_create);
/* [visible, twice] arrive, then (enabled once `count` actors arrived) leave. Returns 1 in the
 * actor whose arrival completed the barrier, 0 in the others. */
int isomc_barrier_wait(isomc_barrier_t b) ISOMC_ENTRY(barrier_wait);

/* ---- Shared variables as visible steps -------------------------------------------------- */

/* [visible] each; isomc_fetch_add returns the old value, isomc_cas 1 if it swapped */
int64_t isomc_load(const int64_t *p) ISOMC_ENTRY(load);
void isomc_store(int64_t *p, int64_t v) ISOMC_ENTRY(store);
int64_t isomc_fetch_add(int64_t *p, int64_t d) ISOMC_ENTRY(fetch_add);
int isomc_cas(int64_t *p, int64_t expected, int64_t desired) ISOMC_ENTRY(cas);

#ifdef __cplusplus
}
#endif
#endif /* ISOMC_H */
