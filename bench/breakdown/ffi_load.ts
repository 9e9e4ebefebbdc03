/**
 * Start-up probes for the breakdown: `deno run -A ffi_load.ts` imports the checker's native
 * binding without opening it; `... load` opens it (dlopen and the ABI check), so the difference
 * of their times is the FFI load; `... calls` prints what one FFI call and one clock reading
 * cost here, in nanoseconds, as JSON.
 */

import { native } from "../../lib/native/library.ts";
import { nowUs, timerCost } from "./timers.ts";

const mode = Deno.args[0];
if (mode === "load" || mode === "calls") native();
if (mode === "calls") {
  const abi = native().isomc_native_abi;
  const n = 1_000_000;
  const t0 = nowUs();
  for (let i = 0; i < n; i++) abi();
  const ffiNs = (nowUs() - t0) * 1000 / n;
  const t1 = performance.now();
  for (let i = 0; i < n; i++) performance.now();
  const perfNowNs = (performance.now() - t1) * 1e6 / n;
  const timers = await timerCost();
  console.log(JSON.stringify({
    ffi_call_ns: ffiNs,
    clock_ns: timers.clock * 1000,
    performance_now_ns: perfNowNs,
    timed_sync_call_ns: timers.sync * 1000,
    timed_async_call_ns: timers.async * 1000,
  }));
}
