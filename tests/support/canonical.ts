/**
 * Whether the runtime's memory is canonical (issue 9, item 6, the feat/canon branch): the
 * runtime's own heap (mailbox queues, payloads, communication records) and ids laid out the same
 * for equal states, and the stack below each API call cleared. Until then a program that passes
 * messages forever never comes back to an equal state, and stale words in the actors' frames
 * tell apart some states that are equal, so the liveness tests' counts and the message-passing
 * examples depend on it. Set to true when feat/canon is merged; the tests then check the counts
 * the programs' headers derive, and the coordinator and token-ring examples.
 */
export const canonicalRuntime = false;
