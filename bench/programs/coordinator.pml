/*
 * The starving coordinator of examples/liveness/coordinator.c, in Promela, for the side-by-side
 * benchmark with SPIN (bench/README.md): two clients request a critical section from a
 * coordinator, which grants it when free and queues requests that come while it is taken, but
 * drops client 1's (unless FIXED). request_1 and cs_1 are the propositions of the C version.
 *
 * The channels are buffered with room for every message that can be in flight: posting a send in
 * isomc (isomc_isend, the first half of isomc_send) is always enabled, and a rendezvous send in
 * Promela would be enabled only when the receiver is ready, which changes what weak fairness
 * excludes (with rendezvous, client 1 is not continuously enabled, and the fixed version fails
 * under -f too). The verdicts are then the C version's: the bug fails with and without fairness,
 * the fix fails without fairness and holds with -f.
 *
 *   spin -a coordinator.pml && cc -O2 -DNOREDUCE -o pan pan.c && ./pan -a       (and -a -f)
 *   spin -DFIXED -a coordinator.pml && ...                                      (the fix)
 */
mtype = { REQUEST, RELEASE, GRANT };

chan coord = [3] of { mtype, byte };
chan box[3] = [1] of { mtype, byte };

bool request_1 = true;
bool cs_1 = false;

ltl starvation { [] (request_1 -> <> cs_1) }

active proctype coordinator() {
  bool busy = false;
  byte queue[2];
  byte queued = 0;
  byte c;
  mtype k;
  do
  :: coord ? k, c ->
     if
     :: k == REQUEST ->
        if
        :: !busy -> busy = true; box[c] ! GRANT, c
        :: else ->
#ifdef FIXED
           queue[queued] = c; queued++
#else
           if
           :: c != 1 -> queue[queued] = c; queued++
           :: else -> skip   /* BUG: client 1's request is dropped while the section is taken */
           fi
#endif
        fi
     :: k == RELEASE ->
        if
        :: queued > 0 ->
           c = queue[0]; queue[0] = queue[1]; queue[1] = 0; queued--;
           box[c] ! GRANT, c
        :: else -> busy = false
        fi
     fi;
     c = 0; k = 0
  od
}

proctype client(byte me) {
  mtype k;
  byte c;
  do
  :: coord ! REQUEST, me;
     box[me] ? k, c;
     assert(k == GRANT && c == me);
     k = 0; c = 0;
     if :: me == 1 -> request_1 = false; cs_1 = true :: else -> skip fi;
     if :: me == 1 -> cs_1 = false :: else -> skip fi;
     coord ! RELEASE, me;
     if :: me == 1 -> request_1 = true :: else -> skip fi
  od
}

init {
  atomic { run client(1); run client(2) }
}
