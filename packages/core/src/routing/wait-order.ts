/**
 * The order guarantee, across queues and channels: a waiting interaction with a higher priority is
 * offered before one with a lower priority; among equal priorities, the earlier effective enqueue
 * time goes first (a callback or an overflowed interaction keeps its original time); `seq` (the
 * order the router first saw them) breaks exact ties.
 */
export interface WaitKey {
  readonly negPriority: number;
  readonly enqueuedAt: number;
  readonly seq: number;
}

export function compareWaitKeys(a: WaitKey, b: WaitKey): number {
  return a.negPriority - b.negPriority || a.enqueuedAt - b.enqueuedAt || a.seq - b.seq;
}
