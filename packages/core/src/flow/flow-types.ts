import type { BusinessCalendar } from '../calendar/business-hours';
import type { Channel } from '../channels';
import type { Millis } from '../ports';
import type { FaqIndex } from './text-match';

/**
 * The data the flow interpreter speaks: flows as stored (JSON), the actions it asks a channel to carry
 * out, the events a channel reports back, and the state between them. Everything here is plain JSON
 * except the compiled flow, which the validator builds from the stored one.
 */

/** A variable's value. Strings are capped at `MAX_STRING` characters when stored. */
export type Value = string | number | boolean | null;
export type Vars = Record<string, Value>;

export const languages = ['ru', 'en'] as const;
export type Language = (typeof languages)[number];

/** Text in one language or per language; `{{name}}` inserts a variable. */
export type LocalText = string | { readonly ru?: string; readonly en?: string };

/** A flow as stored and edited: the JSON is the source of truth (see README.md). */
export interface FlowJson {
  readonly id: string;
  readonly version: number;
  readonly entry: string;
  /** Where a runtime error (step limit, failed expression) continues; without it the flow ends. */
  readonly onError?: string;
  readonly variables?: Readonly<Record<string, VariableDecl>>;
  readonly nodes: Readonly<Record<string, NodeJson>>;
  /** Editor layout and notes; ignored by the engine. */
  readonly ui?: unknown;
}

export interface VariableDecl {
  readonly type: 'string' | 'number' | 'boolean';
  readonly default?: Value;
}

export interface NodeJson {
  readonly verb: string;
  /** Outcome name → node id. */
  readonly next?: Readonly<Record<string, string>>;
  readonly ui?: unknown;
  readonly [field: string]: unknown;
}

/** Limits that keep hostile flows and input bounded. */
export const MAX_STRING = 4096;
export const MAX_NODES = 1000;

/**
 * What a channel must do next. Every action except `hangup` and `end` waits for exactly one event
 * (`done`, `input`, `timeout`, `http_response` or `error`, as listed per action in README.md).
 */
export type FlowAction =
  | { readonly type: 'say'; readonly text: string; readonly language: Language }
  | {
      readonly type: 'play';
      readonly audio: string;
      readonly text: string | null;
      readonly language: Language;
    }
  | CollectAction
  | HttpAction
  | EnqueueAction
  | {
      readonly type: 'transfer';
      readonly to:
        | { readonly kind: 'number'; readonly number: string }
        | { readonly kind: 'agent'; readonly agentId: string };
    }
  | {
      readonly type: 'voicemail';
      readonly mailbox: string;
      readonly maxSeconds: number;
      readonly prompt: string | null;
      readonly language: Language;
    }
  | {
      readonly type: 'callback';
      readonly number: string;
      readonly queue: string;
      /** Ms since the epoch; null: as soon as an agent is free. */
      readonly at: number | null;
    }
  | { readonly type: 'hangup' }
  | EndAction;

export interface CollectAction {
  readonly type: 'collect';
  /** `dtmf` on voice (keypad digits), `text` elsewhere (typed text or a pressed button). */
  readonly mode: 'dtmf' | 'text';
  readonly prompt: string | null;
  readonly language: Language;
  readonly timeoutMs: number;
  /** dtmf: stop after this many digits. */
  readonly maxDigits: number | null;
  /** dtmf: the key that ends entry early (`#`), not part of the value. */
  readonly finishOnKey: string | null;
  /** text: longer input is refused by the interpreter. */
  readonly maxLength: number;
  /** text channels: buttons to show; the value sent back is the key (or any text). */
  readonly choices: readonly { readonly key: string; readonly label: string }[];
}

export interface HttpAction {
  readonly type: 'http';
  readonly method: 'GET' | 'POST' | 'PUT' | 'PATCH' | 'DELETE';
  readonly url: string;
  readonly headers: Readonly<Record<string, string>>;
  /** JSON text, or null for no body. */
  readonly body: string | null;
  readonly timeoutMs: number;
}

export interface EnqueueAction {
  readonly type: 'enqueue';
  readonly queue: string;
  readonly priority: number | null;
  readonly skills: readonly { readonly skill: string; readonly minLevel: number }[];
  readonly language: Language;
  /** The gathered variables handed to the agent (screen pop). */
  readonly variables: Vars;
  /** Contact attributes the flow changed (`set` on `contact.*`), for the server to store. */
  readonly contactUpdates: Vars;
}

export interface EndAction {
  readonly type: 'end';
  readonly reason: 'completed' | 'handed_over' | 'transferred' | 'caller_left' | 'error';
  /** `end` nodes: the author's label of how the conversation ended (reports). */
  readonly outcome: string | null;
  readonly error: { readonly code: FlowRuntimeErrorCode; readonly message: string } | null;
}

/** What happened, reported by the channel. */
export type FlowEvent =
  | { readonly type: 'done'; readonly recording?: string }
  | { readonly type: 'input'; readonly value: string }
  | { readonly type: 'timeout' }
  | { readonly type: 'http_response'; readonly status: number; readonly body: unknown }
  | { readonly type: 'error'; readonly code?: string; readonly message?: string }
  /** The caller hung up or the visitor left. */
  | { readonly type: 'hangup' };

export type FlowRuntimeErrorCode =
  | 'STEP_LIMIT'
  | 'EXPRESSION_FAILED'
  | 'NO_CALENDAR'
  | 'NO_EDGE'
  | 'BAD_CONTEXT'
  | 'BAD_STATE'
  | 'INTERNAL';

/** Who starts a flow instance: the channel decides voice vs text behaviour. */
export interface FlowContext {
  readonly channel: Channel;
  readonly language?: Language;
  readonly caller?: { readonly number?: string; readonly name?: string };
  /** Contact attributes, readable as `contact.NAME`. */
  readonly contact?: Readonly<Record<string, Value>>;
  /** IANA zone for `sys.hour` / `sys.weekday`; UTC when absent. */
  readonly timeZone?: string;
  /** Initial values of declared variables (e.g. from the entry point). */
  readonly variables?: Vars;
}

/**
 * Given on every call, never stored: the time the call happens at and the tenant's data the verbs read.
 * `now` is the only clock the interpreter has.
 */
export interface FlowEnv {
  readonly now: Millis;
  readonly calendars?: CalendarLookup;
  readonly knowledgeBase?: FaqIndex;
  readonly limits?: Partial<FlowLimits>;
}

/** The tenant's business-hours calendars by id (`packages/core/src/calendar/business-hours.ts`). */
export type CalendarLookup = (id: string) => BusinessCalendar | undefined;

export interface FlowLimits {
  /** Nodes entered without customer input before the flow is stopped with `STEP_LIMIT`. */
  readonly maxStepsWithoutInput: number;
  /** Transcript entries kept in the state (oldest dropped). */
  readonly maxTranscript: number;
  /** Visited node ids kept in the state (oldest dropped). */
  readonly maxTrail: number;
}

export const defaultFlowLimits: FlowLimits = { maxStepsWithoutInput: 200, maxTranscript: 200, maxTrail: 500 };

export interface TranscriptEntry {
  readonly from: 'bot' | 'customer';
  readonly text: string;
  readonly node: string;
  readonly at: number;
}

/**
 * A flow instance between two calls: plain JSON, so the server stores it and continues after a restart
 * with the same flow version (`flowId`, `flowVersion` are checked on resume).
 */
export interface FlowState {
  readonly format: 1;
  readonly flowId: string;
  readonly flowVersion: number;
  readonly status: 'waiting' | 'ended';
  /** The node waiting for an event (or the last one, when ended). */
  readonly node: string;
  /** The waiting verb's own progress (attempt number, survey question …), JSON. */
  readonly phase: unknown;
  /** The action waited on, so a restarted channel can repeat it. */
  readonly pending: FlowAction;
  readonly channel: Channel;
  readonly language: Language;
  readonly timeZone: string;
  readonly vars: Vars;
  readonly routing: {
    readonly priority: number | null;
    readonly skills: readonly { readonly skill: string; readonly minLevel: number }[];
  };
  readonly contactUpdates: Vars;
  readonly transcript: readonly TranscriptEntry[];
  /** Node ids entered, oldest first (capped). */
  readonly trail: readonly string[];
  readonly stepsWithoutInput: number;
  /** Times a runtime error was sent to `onError` (at most 3; then the flow ends). */
  readonly errorsHandled: number;
}

/** One call's answer. */
export interface FlowStep {
  readonly state: FlowState;
  readonly action: FlowAction;
  /** Nodes entered during this call, in order. */
  readonly visited: readonly string[];
  /** Set when the event was refused (the state and pending action are unchanged). */
  readonly refused?: {
    readonly code: 'UNEXPECTED_EVENT' | 'BAD_EVENT' | 'FLOW_ENDED' | 'FLOW_MISMATCH';
    readonly message: string;
  };
}
