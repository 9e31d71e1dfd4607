/**
 * RFC 3261 §14.1: after a 491 to our re-INVITE, wait before trying again. The owner of the Call-ID (the
 * side that sent the initial INVITE) waits 2.1–4 s, the other 0–2 s, in units of 10 ms, so the two
 * sides do not collide again. `random` is in [0, 1).
 */
export function glareBackoffMs(ownsCallId: boolean, random: number): number {
  const units = ownsCallId ? 210 + Math.floor(random * 191) : Math.floor(random * 201);
  return units * 10;
}
