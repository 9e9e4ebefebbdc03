/*
 * Protocol fixture: a program that speaks the control channel by hand, without the runtime,
 * to send the checker what a correct runtime never would. argv[1] names the scenario; each
 * one is described in SCENARIOS below. tests/protocol_test.ts runs `isomc check` on each and
 * checks that the checker fails with one clear line and the right exit code, without hanging.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

enum {
  HELLO = 0x01,
  STATE = 0x04,
  DONE = 0x06,
  ERROR = 0x07,
  STACKS = 0x08,
  VERSION = 16,
  MAGIC = 0x434d5349
};

static int fd = -1;
static unsigned char frame[256];
static size_t len;

static void put(uint64_t v, int bytes) {
  for (int i = 0; i < bytes; i++) frame[len++] = (unsigned char)(v >> (8 * i));
}

/* Starts a frame; finish() writes its length unless the scenario overrides it. */
static void begin(int type, int version) {
  len = 0;
  put(0, 4);
  put((uint64_t)type, 2);
  put((uint64_t)version, 2);
}

static void finish(void) {
  for (int i = 0; i < 4; i++) frame[i] = (unsigned char)(len >> (8 * i));
}

static void send_bytes(size_t n) {
  size_t sent = 0;
  while (sent < n) {
    ssize_t w = write(fd, frame + sent, n - sent);
    if (w <= 0) exit(10);
    sent += (size_t)w;
  }
}

static void hello(void) {
  begin(HELLO, VERSION);
  put(MAGIC, 4);
  put((uint64_t)getpid(), 4);
  put(0, 4);          /* no ignored ranges */
  put(0xffffffff, 4); /* no userfaultfd: -1 */
  finish();
  send_bytes(len);
}

/* Reads the checker's WELCOME (16 bytes) so the conversation can go on. */
static void welcome(void) {
  unsigned char buf[16];
  size_t got = 0;
  while (got < sizeof buf) {
    ssize_t r = read(fd, buf + got, sizeof buf - got);
    if (r <= 0) exit(11);
    got += (size_t)r;
  }
}

int main(int argc, char **argv) {
  const char *env = getenv("ISOMC_FD");
  if (env == NULL || argc != 2) {
    fprintf(stderr, "usage: ISOMC_FD=N fake_runtime SCENARIO\n");
    return 2;
  }
  fd = atoi(env);
  const char *s = argv[1];
  if (strcmp(s, "hello-version") == 0) {
    /* SCENARIOS: a HELLO of protocol version 99 (never the checker's). */
    begin(HELLO, 99);
    put(MAGIC, 4);
    put(0, 12);
    finish();
    send_bytes(len);
  } else if (strcmp(s, "hello-version-huge") == 0) {
    /* A header of version 99 announcing a 4 GiB frame: the version must still be named. */
    begin(HELLO, 99);
    memset(frame, 0xff, 4);
    send_bytes(8);
  } else if (strcmp(s, "short-header") == 0) {
    /* A header announcing a frame shorter than the header itself. */
    begin(HELLO, VERSION);
    frame[0] = 3;
    send_bytes(8);
  } else if (strcmp(s, "too-large") == 0) {
    /* A header announcing a frame over the protocol's 16 MiB limit. */
    begin(HELLO, VERSION);
    frame[0] = 1;
    frame[3] = 1; /* 0x01000001 */
    send_bytes(8);
  } else if (strcmp(s, "unknown-type") == 0) {
    /* A frame of a type the protocol does not define. */
    begin(0x55, VERSION);
    finish();
    send_bytes(len);
  } else if (strcmp(s, "hello-trailing") == 0) {
    /* A HELLO with one byte more than its fields. */
    begin(HELLO, VERSION);
    put(MAGIC, 4);
    put(0, 12);
    put(0, 1);
    finish();
    send_bytes(len);
  } else if (strcmp(s, "hello-truncated") == 0) {
    /* A HELLO whose length is consistent but whose fields stop early. */
    begin(HELLO, VERSION);
    put(MAGIC, 4);
    put(0, 6);
    finish();
    send_bytes(len);
  } else if (strcmp(s, "first-done") == 0) {
    /* DONE where HELLO must come first. */
    begin(DONE, VERSION);
    put(0, 8);
    finish();
    send_bytes(len);
  } else if (strcmp(s, "unknown-kind") == 0) {
    /* A correct handshake, then a STATE whose one transition has kind 99. */
    hello();
    welcome();
    begin(STATE, VERSION);
    put(0, 4);  /* steps */
    put(1, 4);  /* one record */
    put(0, 8);  /* flags, reserved */
    put(1, 4);  /* actor */
    put(99, 1); /* kind */
    put(1, 1);  /* enabled */
    put(0, 2);  /* no extras */
    put(1, 4);  /* choices */
    put(0, 4);
    put(0, 8); /* object */
    put(0, 16); /* arg0, arg1 */
    put(0, 8); /* call site */
    finish();
    send_bytes(len);
  } else if (strcmp(s, "stacks-inverted") == 0) {
    /* A correct handshake, then a STACKS whose stack pointer lies above its stack. */
    hello();
    welcome();
    begin(STACKS, VERSION);
    put(1, 4); /* one stack */
    put(0, 4);
    put(1, 4); /* actor */
    put(0, 4);
    put(0x10000, 8); /* lo */
    put(0x20000, 8); /* hi */
    put(0x20008, 8); /* sp */
    finish();
    send_bytes(len);
  } else if (strcmp(s, "runtime-error") == 0) {
    /* A correct handshake, then an ERROR frame as a runtime sends on a protocol failure. */
    hello();
    welcome();
    begin(ERROR, VERSION);
    put(1, 2); /* malformed */
    put(0, 2);
    put(0, 4);
    put(13, 4);
    memcpy(frame + len, "fake breakage", 13);
    len += 13;
    finish();
    send_bytes(len);
  } else if (strcmp(s, "runtime-unsupported") == 0) {
    /* ERROR code 5: the program called a function isomc does not model (a preloaded
     * runtime's stop, native/src/runtime/preload.zig); the message is the whole line. */
    hello();
    welcome();
    begin(ERROR, VERSION);
    put(5, 2); /* unsupported */
    put(0, 2);
    put(0, 4);
    put(22, 4);
    memcpy(frame + len, "the program called xyz", 22);
    len += 22;
    finish();
    send_bytes(len);
  } else if (strcmp(s, "partial") == 0) {
    /* Five bytes of a HELLO, then exit: the channel closes in the middle of a frame. */
    begin(HELLO, VERSION);
    put(MAGIC, 4);
    put(0, 12);
    finish();
    send_bytes(5);
    return 0;
  } else if (strcmp(s, "silent") == 0) {
    /* A correct handshake, then nothing: no scheduling point ever comes. */
    hello();
    welcome();
    sleep(60);
  } else {
    fprintf(stderr, "fake_runtime: unknown scenario %s\n", s);
    return 2;
  }
  /* Wait for the checker to end the conversation, so that what it reports is about the frame. */
  sleep(60);
  return 0;
}
