//! The control-channel protocol between the checker and the runtime, Zig side: the one
//! definition of its frames, message layouts and transition kinds for native code. The checker's
//! TypeScript side mirrors it in lib/process/protocol.ts; docs/protocol.md is the prose version.
//! Both sides carry PROTOCOL_VERSION in every frame so a mismatch is caught on the first one.
//!
//! This file holds the numbers and the messages' fields; the codecs live beside it, one file per
//! concern, and are exported from here so that every user imports this module alone:
//!   protocol/frame.zig           the header, the frame writer and reader
//!   protocol/points.zig          STATE and STACKS, built actor by actor
//!   protocol/runtime_frames.zig  the runtime's other messages to the checker
//!   protocol/checker_frames.zig  the checker's commands: decoders, and encoders for tests

const std = @import("std");

pub const PROTOCOL_VERSION: u16 = 16;
/// "ISMC" read as a little-endian u32.
pub const MAGIC: u32 = 0x434D_5349;
pub const HEADER_SIZE: usize = 8;
/// A frame longer than this is malformed, whatever it claims to carry.
pub const MAX_FRAME: usize = 16 * 1024 * 1024;
/// Fixed part of a transition record inside a STATE message (extras follow it).
pub const RECORD_SIZE: usize = 48;

/// Environment variables through which the checker and the user talk to the runtime.
pub const ENV_FD = "ISOMC_FD";
pub const ENV_REPLAY = "ISOMC_REPLAY";
pub const ENV_REPORT = "ISOMC_REPORT";
pub const ENV_VERBOSE = "ISOMC_VERBOSE";
pub const ENV_STACK_SIZE = "ISOMC_STACK_SIZE";
/// How many times a replayed lasso runs its cycle before the runtime stops (default 3).
pub const ENV_REPLAY_CYCLES = "ISOMC_REPLAY_CYCLES";
/// The values a wide __VERIFIER_nondet_* (int, long...) takes: "LO..HI" (docs/svcomp.md).
pub const ENV_NONDET_RANGE = "ISOMC_NONDET_RANGE";
/// "1": abort() is a failed assumption, blocking its actor, as SV-COMP tasks mean it (--svcomp).
pub const ENV_SVCOMP = "ISOMC_SVCOMP";
/// "1": main's return waits for the threads still running instead of cutting them
/// (--join-on-exit, docs/pthreads.md).
pub const ENV_JOIN_ON_EXIT = "ISOMC_JOIN_ON_EXIT";

pub const MessageType = enum(u16) {
    // runtime -> checker
    hello = 0x01,
    actor = 0x02,
    object = 0x03,
    state = 0x04,
    violation = 0x05,
    done = 0x06,
    @"error" = 0x07,
    stacks = 0x08,
    tail = 0x09,
    crash = 0x0a,
    mapped = 0x0b,
    forked = 0x0c,
    exiting = 0x0d,
    fdset = 0x0e,
    prop = 0x0f,
    // checker -> runtime
    welcome = 0x81,
    run = 0x82,
    map = 0x83,
    fork = 0x84,
    fds = 0x85,
    finish = 0x86,
    _,
};

/// What an actor is about to do. The numbers are part of the protocol.
pub const Kind = enum(u8) {
    yield = 1,
    random = 2,
    isend = 3,
    irecv = 4,
    wait = 5,
    @"test" = 6,
    waitany = 7,
    mutex_lock = 8,
    mutex_trylock = 9,
    mutex_unlock = 10,
    sem_acquire = 11,
    sem_release = 12,
    cond_wait = 13,
    cond_wake = 14,
    cond_signal = 15,
    cond_broadcast = 16,
    barrier_arrive = 17,
    barrier_leave = 18,
    load = 19,
    store = 20,
    fetch_add = 21,
    cas = 22,
    /// Memory accesses of pthread programs (runtime/tsan.zig): object is the address, arg0 the
    /// value, arg1 size | mode << 8 | atomic << 12 | spin << 13 (runtime/transitions.zig).
    access_read = 23,
    access_write = 24,
    access_rmw = 25,
    /// sem_trywait (1 it takes the semaphore, 0 its value is 0) and sem_getvalue: object the
    /// semaphore, arg0 its value (runtime/transitions.zig).
    sem_trywait = 26,
    sem_getvalue = 27,
    /// A failed assumption (version 16; runtime/svcomp.zig): the actor is blocked for ever,
    /// never enabled; arg0 says which call (0 __VERIFIER_assume, 1 assume_abort_if_not,
    /// 2 abort() under --svcomp). A point with nothing enabled and such an actor ends an
    /// execution cut by the assumption, not a deadlock (docs/svcomp.md).
    assume = 28,
    _,
};

pub const ObjectKind = enum(u8) {
    mailbox = 1,
    mutex = 2,
    semaphore = 3,
    condition = 4,
    barrier = 5,
    _,
};

/// What a PROP frame announces: an isomc_prop proposition (named), or the progress flag
/// isomc_progress() sets (unnamed). Either way an int the checker reads from the program's memory.
pub const PropKind = enum(u8) {
    proposition = 1,
    progress = 2,
    _,
};

pub const ViolationKind = enum(u8) {
    /// isomc_assert / isomc_assert_msg failed.
    assertion = 1,
    /// The program used the API against its rules (oversized message, unlock by a non-owner...).
    misuse = 2,
    // 3 was `assume` until version 15: a failed assumption ended the whole execution; since
    // version 16 it blocks its actor (Kind.assume) and the others run on.
    _,
};

pub const ErrorCode = enum(u16) {
    malformed = 1,
    version = 2,
    /// A scheduled step does not fit the program (no such actor, not enabled, bad choice).
    diverged = 3,
    internal = 4,
    /// The program called a function isomc does not model (a preloaded runtime's stop:
    /// docs/pthreads.md); the checker stops with the message, as bad input.
    unsupported = 5,
    _,
};

/// WELCOME flag: the checker restores states (memory or fork): keep the process alive at the
/// end of an execution, report stacks, accept MAP and FORK.
pub const welcome_flag_stateful: u32 = 1 << 0;
/// WELCOME flag: send STACKS before every STATE (the checker hashes states).
pub const welcome_flag_stacks: u32 = 1 << 1;
/// STATE flag: the runtime's mappings changed since the previous STATE.
pub const state_flag_maps_changed: u32 = 1 << 0;
/// STATE flag: a value was drawn from the nondet range (a wide __VERIFIER_nondet_*) in this
/// process: the search covers that range only, not every value of the type.
pub const state_flag_nondet_range: u32 = 1 << 1;
/// STATE flag: the runtime runs ahead from this point on its own (a RUN's continuation rule):
/// it takes the lowest enabled actor's first choice, and another report follows.
pub const state_flag_ran_on: u32 = 1 << 2;
/// STATE flag (version 14): after the records comes the window, what the actors did between
/// the step that led here and this point that is no step: plain accesses under
/// `ISOMC_MEMORY=sync` and the creations among them (PlainEvent), in the order they happened.
pub const state_flag_window: u32 = 1 << 3;
/// Size of one event of a STATE's window.
pub const WINDOW_EVENT_SIZE: usize = 32;
/// CRASH flag: the signal is a stack overflow (a fault in the stack's guard region, or with the
/// stack pointer below the stack).
pub const crash_flag_overflow: u32 = 1 << 0;

pub const record_flag_enabled: u8 = 1 << 0;
/// For test/wait: the communication is already matched.
pub const record_flag_ready: u8 = 1 << 1;
/// For an access: the actor spins (an await loop's iteration would repeat); never enabled.
pub const record_flag_spin: u8 = 1 << 2;
/// For a compare-exchange (cas, or an rmw with access bit 15; version 15): its comparison fails
/// at this point, so that taken here it writes nothing (a read, docs/independence.md).
pub const record_flag_fails: u8 = 1 << 3;
/// In a waitany record's extras: the communication is matched.
pub const extra_ready_bit: u64 = 1 << 63;

pub const DecodeError = error{ Malformed, VersionMismatch, TooLarge };

pub const Range = struct { start: u64, end: u64 };

pub const Hello = struct { pid: u32, uffd: i32, ignored: []const Range };
pub const ActorInfo = struct { id: u32, parent: u32, name: []const u8 };
pub const ObjectInfo = struct { id: u64, kind: ObjectKind, name: []const u8 };
/// An int of the program the checker reads in every state: a proposition's (its name as
/// registered) or the progress flag's (no name).
pub const PropInfo = struct { kind: PropKind, address: u64, name: []const u8 };
pub const Record = struct {
    actor: u32,
    kind: Kind,
    flags: u8,
    choices: u32,
    object: u64,
    arg0: i64,
    arg1: i64,
    /// Where the program made the call: the return address of its isomc_* call (0: unknown).
    site: u64 = 0,
    extras: []const u64,
};
/// What a window event is: a plain read or write (no step: `ISOMC_MEMORY=sync`), or the creation
/// of an actor by the event's actor at that point of its run (its accesses before it happen
/// before everything the new actor does; those after it do not).
pub const WindowKind = enum(u8) { read = 0, write = 1, create = 2, _ };
/// One event of a STATE's window: `address` and `size` the bytes accessed (create: the new
/// actor's id, size 0), `site` where the program made the access (0: unknown).
pub const WindowEvent = struct { actor: u32, kind: WindowKind, address: u64, size: u32, site: u64 = 0 };
pub const Violation = struct { kind: ViolationKind, actor: u32, steps: u32, message: []const u8 };
pub const Done = struct { steps: u32, actors: u32 };
pub const Error = struct { code: ErrorCode, steps: u32, message: []const u8 };
pub const Step = struct { actor: u32, choice: u32 };
/// An actor's stack: [lo, hi), with its saved stack pointer (hi when it has finished).
pub const StackInfo = struct { actor: u32, lo: u64, hi: u64, sp: u64 };
pub const TailEnd = struct { signaled: bool, value: i32 };
/// A fatal signal; `overflow` when it is the running actor's (or main's) stack running off its
/// end, whose usable size is then `stack_size`.
pub const Crash = struct { signal: u32, actor: u32, steps: u32, overflow: bool = false, stack_size: u64 = 0 };
pub const MapOp = struct { map: bool, start: u64, end: u64 };
pub const Exiting = struct { status: i32, actor: u32 };
/// One change to the program's fd table (FDS): close; open `path` with `flags` at `fd` and
/// seek to `pos`; or only seek.
pub const FdChange = struct { op: enum(u32) { close = 0, open = 1, seek = 2 }, fd: i32, flags: u32, pos: u64, path: []const u8 };

// ---- The codecs, by concern (protocol/), exported from here as the one definition ---------

const frame = @import("protocol/frame.zig");
const points = @import("protocol/points.zig");
const runtime_frames = @import("protocol/runtime_frames.zig");
const checker_frames = @import("protocol/checker_frames.zig");

pub const Header = frame.Header;
pub const FrameWriter = frame.FrameWriter;
pub const FrameReader = frame.FrameReader;
pub const parseHeader = frame.parseHeader;

pub const StateWriter = points.StateWriter;
pub const StacksWriter = points.StacksWriter;

pub const encodeHello = runtime_frames.encodeHello;
pub const encodeActor = runtime_frames.encodeActor;
pub const encodeObject = runtime_frames.encodeObject;
pub const encodeProp = runtime_frames.encodeProp;
pub const encodeViolation = runtime_frames.encodeViolation;
pub const encodeTail = runtime_frames.encodeTail;
pub const encodeCrash = runtime_frames.encodeCrash;
pub const encodeMapped = runtime_frames.encodeMapped;
pub const encodeForked = runtime_frames.encodeForked;
pub const encodeExiting = runtime_frames.encodeExiting;
pub const encodeDone = runtime_frames.encodeDone;
pub const encodeError = runtime_frames.encodeError;
pub const encodeFdset = runtime_frames.encodeFdset;

pub const RunSteps = checker_frames.RunSteps;
pub const Ahead = checker_frames.Ahead;
pub const AheadRule = checker_frames.AheadRule;
pub const encodeRunAhead = checker_frames.encodeRunAhead;
pub const MapOps = checker_frames.MapOps;
pub const FdChanges = checker_frames.FdChanges;
pub const decodeWelcome = checker_frames.decodeWelcome;
pub const decodeRun = checker_frames.decodeRun;
pub const decodeMap = checker_frames.decodeMap;
pub const decodeFds = checker_frames.decodeFds;
pub const decodeFork = checker_frames.decodeFork;
pub const decodeFinish = checker_frames.decodeFinish;
pub const encodeWelcome = checker_frames.encodeWelcome;
pub const encodeRun = checker_frames.encodeRun;
pub const encodeMap = checker_frames.encodeMap;
pub const encodeFds = checker_frames.encodeFds;

test {
    _ = frame;
    _ = points;
    _ = runtime_frames;
    _ = checker_frames;
}
