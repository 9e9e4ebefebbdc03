/** Transitions written by hand for the tests: every field at its plain value unless given. */

import type { Kind, Transition } from "../../lib/model/transition.ts";

/** A transition of `actor` of `kind`, enabled, with one choice and no object or arguments. */
export function transition(
  actor: number,
  kind: Kind,
  fields: Partial<Transition> = {},
): Transition {
  return {
    actor,
    kind,
    enabled: true,
    ready: false,
    choices: 1,
    object: 0,
    arg0: 0n,
    arg1: 0n,
    extras: [],
    ...fields,
  };
}
