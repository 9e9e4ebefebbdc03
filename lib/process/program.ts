/**
 * One run of the checked program under the checker's control: start it with the control
 * channel, do the handshake, send it steps, and turn what comes back — frames, silence, its
 * death — into outcomes. Every process started here is registered in `live` so that it is
 * killed whatever way the checker ends (lib/process/cleanup.ts).
 */

import { InputError, InternalError } from "../errors.ts";
import {
  closeFd,
  type ExitStatus,
  killProcess,
  NativeChannel,
  releaseProcess,
  socketPair,
  spawn,
  waitProcess,
} from "../native/ffi.ts";
import type { Step } from "../model/transition.ts";
import { actorName } from "../model/transition.ts";
import type { Outcome } from "../explore/target.ts";
import {
  decode,
  encodeRun,
  encodeWelcome,
  ENV_FD,
  ErrorCode,
  type Message,
  ProtocolError,
  ViolationKind,
} from "./protocol.ts";
import { describeSignal } from "./signals.ts";
import { registerChild, unregisterChild } from "./cleanup.ts";

export interface ProgramSpec {
  /** Resolved path of the executable. */
  readonly path: string;
  /** Arguments after the program name. */
  readonly args: readonly string[];
  /** argv[0] as the user wrote it. */
  readonly argv0: string;
  readonly env: Readonly<Record<string, string>>;
}

export interface RunOptions {
  /** Longest time a transition (or the start) may take before it is a timeout violation. */
  readonly timeoutMs: number;
  /** Let the program write to the checker's stdout and stderr. */
  readonly showOutput?: boolean;
}

/** Names learnt from ACTOR and OBJECT frames; shared by every run of the same program. */
export interface MutableNames {
  readonly actors: Map<number, string>;
  readonly objects: Map<number, string>;
}

/** How long to wait for a program that closed its channel to finish dying. */
const exitGraceMs = 2000;
/** Slice of a long wait after which the event loop gets a turn (signals, progress). */
const sliceMs = 100;

export class ProgramRun {
  private alive = true;
  /** The actor that moved last: the one at fault if the program dies now. */
  private lastActor: number | null = null;
  /** Actors not finished at the last point, to say who was left behind by an exit. */
  private unfinished: number[] = [];

  private constructor(
    private readonly pid: number,
    private readonly pidfd: number,
    private readonly channel: NativeChannel,
    private readonly spec: ProgramSpec,
    private readonly options: RunOptions,
    private readonly names: MutableNames,
  ) {}

  /** Starts the program and returns it with the outcome of its initial state. */
  static async start(
    spec: ProgramSpec,
    options: RunOptions,
    names: MutableNames,
  ): Promise<{ run: ProgramRun; first: Outcome }> {
    const [mine, theirs] = socketPair();
    let spawned;
    try {
      spawned = spawn({
        argv: [spec.path, ...spec.args],
        env: { ...spec.env, [ENV_FD]: String(theirs) },
        keepFd: theirs,
        inheritOutput: options.showOutput,
      });
    } finally {
      closeFd(theirs);
    }
    if (!spawned.ok) {
      closeFd(mine);
      throw new InputError(`cannot run ${spec.argv0}: ${errnoText(spawned.errno)}`);
    }
    registerChild(spawned.pid, spawned.pidfd);
    const channel = new NativeChannel(mine);
    const run = new ProgramRun(spawned.pid, spawned.pidfd, channel, spec, options, names);
    try {
      const first = await run.handshake();
      return { run, first };
    } catch (e) {
      run.kill();
      throw e;
    }
  }

  private async handshake(): Promise<Outcome> {
    const hello = await this.receive();
    if (hello.kind !== "message") {
      throw new InputError(this.describeNoHandshake(hello));
    }
    if (hello.message.type !== "hello") {
      throw new InternalError(`the program's first frame is ${hello.message.type}, not HELLO`);
    }
    this.sendFrame(encodeWelcome());
    const first = await this.outcome();
    if (first.kind === "violation" && first.violation.kind === "crash") {
      throw new InputError(
        `${this.spec.argv0} crashed before its first scheduling point (${first.violation.message}); run it on its own to debug it`,
      );
    }
    return first;
  }

  private describeNoHandshake(r: Exclude<Received, { kind: "message" }>): string {
    const program = this.spec.argv0;
    const hint = "is it built with `isomc cc` and does main() call isomc_init()?";
    if (r.kind === "timeout") {
      return `${program} did not connect to the checker within ${
        this.options.timeoutMs / 1000
      } s: ${hint}`;
    }
    const status = r.status;
    if (status.state === "signaled") {
      return `${program} was killed by ${
        describeSignal(status.signal)
      } before connecting to the checker; run it on its own to debug it`;
    }
    if (status.state === "exited") {
      return `${program} exited with status ${status.code} without connecting to the checker: ${hint}`;
    }
    return `${program} closed the control channel without connecting: ${hint}`;
  }

  /** Executes the steps in order and returns where the last one leads. */
  async run(steps: readonly Step[]): Promise<Outcome> {
    if (steps.length === 0) throw new InternalError("internal: empty RUN");
    this.lastActor = steps[steps.length - 1].actor;
    this.sendFrame(encodeRun(steps));
    return await this.outcome();
  }

  private sendFrame(frame: Uint8Array): void {
    // A failed send means the program is gone; the next receive says how it ended.
    this.channel.send(frame);
  }

  /** Reads frames until one that ends the step: a point, the end, or a violation. */
  private async outcome(): Promise<Outcome> {
    while (true) {
      const r = await this.receive();
      if (r.kind === "timeout") {
        this.kill();
        const who = actorName(this.names, this.lastActor);
        return {
          kind: "violation",
          violation: {
            kind: "timeout",
            message: this.lastActor === null
              ? `the actors did not reach their first visible operation within ${
                this.options.timeoutMs / 1000
              } s`
              : `${who}'s transition did not return within ${
                this.options.timeoutMs / 1000
              } s (an endless loop between two visible operations?)`,
            actor: this.lastActor,
          },
        };
      }
      if (r.kind === "gone") return this.death(r.status);
      const m = r.message;
      switch (m.type) {
        case "actor":
          this.names.actors.set(m.id, m.name);
          break;
        case "object":
          this.names.objects.set(m.id, m.name);
          break;
        case "state":
          this.unfinished = m.point.transitions.map((t) => t.actor);
          return { kind: "point", point: m.point };
        case "violation":
          this.kill();
          return {
            kind: "violation",
            violation: {
              kind: "assertion",
              message: m.kind === ViolationKind.misuse ? `API misuse: ${m.message}` : m.message,
              actor: m.actor === 0 ? null : m.actor,
            },
          };
        case "done":
          return await this.afterDone();
        case "error":
          this.kill();
          if (m.code === ErrorCode.diverged) {
            throw new InternalError(
              `the program did not repeat an earlier execution (${m.message}): isomc needs a deterministic program; does it depend on time, addresses or unchecked input?`,
            );
          }
          throw new InternalError(`the program's runtime reported a protocol error: ${m.message}`);
        case "hello":
          throw new InternalError("the program sent HELLO twice");
      }
    }
  }

  /** After DONE the program still runs main's last lines; a crash there is a violation too. */
  private async afterDone(): Promise<Outcome> {
    const status = await this.waitExit(this.options.timeoutMs);
    if (status.state === "running") {
      this.kill();
      return {
        kind: "violation",
        violation: {
          kind: "timeout",
          message: `every actor finished but the program did not exit within ${
            this.options.timeoutMs / 1000
          } s`,
          actor: null,
        },
      };
    }
    this.alive = false;
    unregisterChild(this.pid);
    releaseProcess(this.pidfd);
    this.channel.close();
    if (status.state === "signaled") return this.death(status);
    return { kind: "done" };
  }

  /** The program closed the channel or was found dead: a crash or an early exit. */
  private death(status: ExitStatus): Outcome {
    this.kill();
    const who = this.lastActor;
    if (status.state === "signaled") {
      return {
        kind: "violation",
        violation: {
          kind: "crash",
          message: `the program was killed by ${describeSignal(status.signal)}${
            who === null ? "" : ` while ${actorName(this.names, who)} was running`
          }`,
          actor: who,
        },
      };
    }
    const left = this.unfinished.map((a) => actorName(this.names, a));
    const code = status.state === "exited" ? `status ${status.code}` : "an unknown status";
    return {
      kind: "violation",
      violation: {
        kind: "exit",
        message: `the program exited with ${code}${
          who === null ? "" : ` while ${actorName(this.names, who)} was running`
        }, leaving ${left.length === 0 ? "no actor" : left.join(", ")} unfinished`,
        actor: who,
      },
    };
  }

  /** Waits for a frame, in slices so the event loop keeps running during long waits. */
  private async receive(): Promise<Received> {
    const deadline = performance.now() + this.options.timeoutMs;
    while (true) {
      const left = deadline - performance.now();
      if (left <= 0) return { kind: "timeout" };
      const r = this.channel.receive(Math.min(sliceMs, Math.ceil(left)));
      switch (r.kind) {
        case "frame":
          try {
            return { kind: "message", message: decode(r.frame) };
          } catch (e) {
            if (e instanceof ProtocolError) throw new InternalError(e.message);
            throw e;
          }
        case "closed":
          return { kind: "gone", status: await this.waitExit(exitGraceMs) };
        case "error":
          throw new InternalError(r.message);
        case "timeout":
          await new Promise<void>((resolve) => setTimeout(resolve, 0));
      }
    }
  }

  private async waitExit(timeoutMs: number): Promise<ExitStatus> {
    const deadline = performance.now() + timeoutMs;
    while (true) {
      const left = deadline - performance.now();
      const status = waitProcess(this.pid, this.pidfd, Math.max(0, Math.min(sliceMs, left)));
      if (status.state !== "running" || left <= 0) {
        if (status.state !== "running") this.reaped();
        return status;
      }
      await new Promise<void>((resolve) => setTimeout(resolve, 0));
    }
  }

  private reaped(): void {
    if (!this.alive) return;
    this.alive = false;
    unregisterChild(this.pid);
    releaseProcess(this.pidfd);
    this.channel.close();
  }

  /** Kills the program (its whole process group) and reaps it. Safe to call twice. */
  kill(): void {
    if (!this.alive) return;
    this.alive = false;
    unregisterChild(this.pid);
    killProcess(this.pid, this.pidfd);
    this.channel.close();
  }
}

type Received =
  | { kind: "message"; message: Message }
  | { kind: "timeout" }
  | { kind: "gone"; status: ExitStatus };

function errnoText(errno: number): string {
  switch (errno) {
    case 2:
      return "no such file";
    case 8:
      return "not an executable this system can run (exec format error)";
    case 13:
      return "permission denied (is it executable?)";
    case 20:
      return "a path component is not a directory";
    case 21:
      return "it is a directory";
    default:
      return `exec failed (errno ${errno})`;
  }
}
