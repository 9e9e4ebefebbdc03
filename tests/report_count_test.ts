/**
 * lib/report/count.ts prints counts exactly as Intl.NumberFormat("en-US") does (the reports
 * used it before; it costs a check 15-30 ms to make).
 */

import assert from "node:assert/strict";
import { formatCount } from "../lib/report/count.ts";

Deno.test("formatCount prints what Intl.NumberFormat('en-US') prints", () => {
  const intl = new Intl.NumberFormat("en-US");
  const values = [0, -0, 1, 12, 123, 999, 1000, 1001, 12345, 100000, 999999, 1000000, -1, -1234];
  values.push(Number.MAX_SAFE_INTEGER, -Number.MAX_SAFE_INTEGER, 1.5, 0.25, 1e21, NaN, Infinity);
  let x = 7;
  for (let i = 0; i < 2000; i++) {
    x = (x * 1103515245 + 12345) % 2147483648;
    values.push(x % 10 ** (1 + (i % 10)));
  }
  for (const v of values) assert.equal(formatCount(v), intl.format(v), String(v));
});
