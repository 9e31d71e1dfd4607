import { randomUUID } from 'node:crypto';
import { type Clock, type IdGen, millis } from '@hotline/core/ports';

/** The real clock and id source, for production wiring. */
export const systemClock: Clock = { now: () => millis(Date.now()) };
export const uuidGen: IdGen = { next: () => randomUUID() };
