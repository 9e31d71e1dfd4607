import { describe, expect, it } from 'vitest';
import { makeRequest, makeResponse } from '../test-support/messages';
import type { ClientEvent, Effect, ServerEvent } from './effects';
import { type InviteClientState, stepInviteClient } from './invite-client';
import { type InviteServerState, stepInviteServer } from './invite-server';
import { type NonInviteClientState, stepNonInviteClient } from './non-invite-client';
import { type NonInviteServerState, stepNonInviteServer } from './non-invite-server';
import { defaultTiming as timing } from './timing';

/** Each state machine as a table: state × event → next state and the effects, in order. */

const invite = makeRequest();
const options = makeRequest({ method: 'OPTIONS' });
const r = (status: number) => makeResponse(invite, status);
const ack = makeRequest({ method: 'ACK', toTag: 'totag9' });

const summary = (effects: readonly Effect[]): string[] =>
  effects.map((e) => {
    switch (e.type) {
      case 'send':
        return e.message.kind === 'request' ? `send ${e.message.method}` : `send ${e.message.status}`;
      case 'start':
        return `start ${e.timer}=${e.ms}`;
      case 'stop':
        return `stop ${e.timer}`;
      case 'pass':
        return e.message.kind === 'request' ? `pass ${e.message.method}` : `pass ${e.message.status}`;
      case 'report':
        return `report ${e.problem}`;
      default:
        return e.type;
    }
  });

type Row<S, E> = readonly [from: S, event: E, to: string, effects: string[]];

const eventName = (e: ClientEvent | ServerEvent): string => {
  switch (e.type) {
    case 'response':
      return `response ${e.response.status}`;
    case 'respond':
      return `TU ${e.response.status}`;
    case 'request':
      return e.request.method;
    case 'timer':
      return `timer ${e.timer}`;
    case 'transport-error':
      return 'transport error';
  }
};

const named = <S extends { readonly name: string }, E extends ClientEvent | ServerEvent>(rows: Row<S, E>[]) =>
  rows.map(
    ([from, event, to, effects]) => [`${from.name} + ${eventName(event)}`, from, event, to, effects] as const,
  );

describe('INVITE client transaction (RFC 3261 Figure 5, RFC 6026)', () => {
  const base: InviteClientState = {
    name: 'calling',
    request: invite,
    reliable: false,
    intervalA: 500,
    ack: null,
  };
  const at = (name: InviteClientState['name'], extra: Partial<InviteClientState> = {}) => ({
    ...base,
    ...extra,
    name,
  });
  const ackSent = makeRequest({ method: 'ACK' });
  const rows: Row<InviteClientState, ClientEvent>[] = [
    [at('calling'), { type: 'timer', timer: 'A' }, 'calling', ['send INVITE', 'start A=1000']],
    [
      at('calling', { intervalA: 8000 }),
      { type: 'timer', timer: 'A' },
      'calling',
      ['send INVITE', 'start A=16000'],
    ],
    [at('calling'), { type: 'timer', timer: 'B' }, 'terminated', ['stop A', 'report timeout', 'terminate']],
    [at('proceeding'), { type: 'timer', timer: 'B' }, 'proceeding', []],
    [at('calling'), { type: 'response', response: r(180) }, 'proceeding', ['stop A', 'stop B', 'pass 180']],
    [
      at('proceeding'),
      { type: 'response', response: r(183) },
      'proceeding',
      ['stop A', 'stop B', 'pass 183'],
    ],
    [
      at('calling'),
      { type: 'response', response: r(486) },
      'completed',
      ['stop A', 'stop B', 'pass 486', 'send ACK', 'start D=32000'],
    ],
    [
      at('proceeding', { reliable: true }),
      { type: 'response', response: r(603) },
      'terminated',
      ['stop A', 'stop B', 'pass 603', 'send ACK', 'terminate'],
    ],
    [at('completed', { ack: ackSent }), { type: 'response', response: r(486) }, 'completed', ['send ACK']],
    [at('completed', { ack: ackSent }), { type: 'response', response: r(200) }, 'completed', []],
    [at('completed'), { type: 'timer', timer: 'D' }, 'terminated', ['terminate']],
    [
      at('calling'),
      { type: 'response', response: r(200) },
      'accepted',
      ['stop A', 'stop B', 'pass 200', 'start M=32000'],
    ],
    [at('accepted'), { type: 'response', response: r(200) }, 'accepted', ['pass 200']],
    [at('accepted'), { type: 'response', response: r(180) }, 'accepted', []],
    [at('accepted'), { type: 'response', response: r(486) }, 'accepted', []],
    [at('accepted'), { type: 'timer', timer: 'M' }, 'terminated', ['terminate']],
    [at('accepted'), { type: 'transport-error' }, 'accepted', []],
    [at('calling'), { type: 'transport-error' }, 'terminated', ['report transport-error', 'terminate']],
    [at('completed'), { type: 'transport-error' }, 'terminated', ['report transport-error', 'terminate']],
  ];
  it.each(named(rows))('%s', (_, from, event, to, effects) => {
    const next = stepInviteClient(from, event, timing);
    expect(next.state.name).toBe(to);
    expect(summary(next.effects)).toEqual(effects);
  });
});

describe('non-INVITE client transaction (Figure 6)', () => {
  const base: NonInviteClientState = { name: 'trying', request: options, reliable: false, intervalE: 500 };
  const at = (name: NonInviteClientState['name'], intervalE = 500, reliable = false) => ({
    ...base,
    name,
    intervalE,
    reliable,
  });
  const ok = makeResponse(options, 200);
  const trying = makeResponse(options, 100);
  const rows: Row<NonInviteClientState, ClientEvent>[] = [
    [at('trying'), { type: 'timer', timer: 'E' }, 'trying', ['send OPTIONS', 'start E=1000']],
    [at('trying', 4000), { type: 'timer', timer: 'E' }, 'trying', ['send OPTIONS', 'start E=4000']],
    [at('proceeding', 1000), { type: 'timer', timer: 'E' }, 'proceeding', ['send OPTIONS', 'start E=4000']],
    [at('trying'), { type: 'timer', timer: 'F' }, 'terminated', ['stop E', 'report timeout', 'terminate']],
    [
      at('proceeding'),
      { type: 'timer', timer: 'F' },
      'terminated',
      ['stop E', 'report timeout', 'terminate'],
    ],
    [at('trying'), { type: 'response', response: trying }, 'proceeding', ['pass 100']],
    [at('proceeding'), { type: 'response', response: trying }, 'proceeding', ['pass 100']],
    [
      at('trying'),
      { type: 'response', response: ok },
      'completed',
      ['stop E', 'stop F', 'pass 200', 'start K=5000'],
    ],
    [
      at('proceeding', 500, true),
      { type: 'response', response: ok },
      'terminated',
      ['stop E', 'stop F', 'pass 200', 'terminate'],
    ],
    [at('completed'), { type: 'response', response: ok }, 'completed', []],
    [at('completed'), { type: 'timer', timer: 'E' }, 'completed', []],
    [at('completed'), { type: 'timer', timer: 'K' }, 'terminated', ['terminate']],
    [
      at('trying'),
      { type: 'transport-error' },
      'terminated',
      ['stop E', 'stop F', 'report transport-error', 'terminate'],
    ],
  ];
  it.each(named(rows))('%s', (_, from, event, to, effects) => {
    const next = stepNonInviteClient(from, event, timing);
    expect(next.state.name).toBe(to);
    expect(summary(next.effects)).toEqual(effects);
  });
});

describe('INVITE server transaction (Figure 7, RFC 6026)', () => {
  const base: InviteServerState = { name: 'proceeding', reliable: false, lastResponse: null, intervalG: 500 };
  const at = (name: InviteServerState['name'], extra: Partial<InviteServerState> = {}) => ({
    ...base,
    ...extra,
    name,
  });
  const retransmit: ServerEvent = { type: 'request', request: invite };
  const rows: Row<InviteServerState, ServerEvent>[] = [
    [at('proceeding', { lastResponse: r(100) }), retransmit, 'proceeding', ['send 100']],
    [at('proceeding'), retransmit, 'proceeding', []],
    [at('proceeding'), { type: 'respond', response: r(180) }, 'proceeding', ['send 180']],
    [at('proceeding'), { type: 'respond', response: r(200) }, 'accepted', ['send 200', 'start L=32000']],
    [
      at('proceeding'),
      { type: 'respond', response: r(486) },
      'completed',
      ['send 486', 'start G=500', 'start H=32000'],
    ],
    [
      at('proceeding', { reliable: true }),
      { type: 'respond', response: r(486) },
      'completed',
      ['send 486', 'start H=32000'],
    ],
    [at('completed', { lastResponse: r(486) }), retransmit, 'completed', ['send 486']],
    [
      at('completed', { lastResponse: r(486), intervalG: 2000 }),
      { type: 'timer', timer: 'G' },
      'completed',
      ['send 486', 'start G=4000'],
    ],
    [
      at('completed', { lastResponse: r(486), intervalG: 4000 }),
      { type: 'timer', timer: 'G' },
      'completed',
      ['send 486', 'start G=4000'],
    ],
    [at('completed'), { type: 'timer', timer: 'H' }, 'terminated', ['stop G', 'report timeout', 'terminate']],
    [at('completed'), { type: 'request', request: ack }, 'confirmed', ['stop G', 'stop H', 'start I=5000']],
    [
      at('completed', { reliable: true }),
      { type: 'request', request: ack },
      'terminated',
      ['stop G', 'stop H', 'terminate'],
    ],
    [at('completed'), { type: 'respond', response: r(500) }, 'completed', []],
    [at('confirmed'), { type: 'request', request: ack }, 'confirmed', []],
    [at('confirmed'), retransmit, 'confirmed', []],
    [at('confirmed'), { type: 'timer', timer: 'I' }, 'terminated', ['terminate']],
    [at('accepted', { lastResponse: r(200) }), retransmit, 'accepted', []],
    [at('accepted'), { type: 'respond', response: r(200) }, 'accepted', ['send 200']],
    [at('accepted'), { type: 'respond', response: r(486) }, 'accepted', []],
    [at('accepted'), { type: 'request', request: ack }, 'accepted', ['pass ACK']],
    [at('accepted'), { type: 'timer', timer: 'L' }, 'terminated', ['terminate']],
    [at('accepted'), { type: 'transport-error' }, 'accepted', ['report transport-error']],
    [
      at('proceeding'),
      { type: 'transport-error' },
      'terminated',
      ['stop G', 'stop H', 'report transport-error', 'terminate'],
    ],
  ];
  it.each(named(rows))('%s', (_, from, event, to, effects) => {
    const next = stepInviteServer(from, event, timing);
    expect(next.state.name).toBe(to);
    expect(summary(next.effects)).toEqual(effects);
  });
});

describe('non-INVITE server transaction (Figure 8)', () => {
  const ok = makeResponse(options, 200);
  const trying = makeResponse(options, 100);
  const at = (
    name: NonInviteServerState['name'],
    lastResponse: NonInviteServerState['lastResponse'] = null,
    reliable = false,
  ) => ({
    name,
    reliable,
    lastResponse,
  });
  const retransmit: ServerEvent = { type: 'request', request: options };
  const rows: Row<NonInviteServerState, ServerEvent>[] = [
    [at('trying'), retransmit, 'trying', []],
    [at('trying'), { type: 'respond', response: trying }, 'proceeding', ['send 100']],
    [at('proceeding', trying), retransmit, 'proceeding', ['send 100']],
    [at('trying'), { type: 'respond', response: ok }, 'completed', ['send 200', 'start J=32000']],
    [
      at('proceeding', trying, true),
      { type: 'respond', response: ok },
      'terminated',
      ['send 200', 'terminate'],
    ],
    [at('completed', ok), retransmit, 'completed', ['send 200']],
    [at('completed', ok), { type: 'respond', response: ok }, 'completed', []],
    [at('completed', ok), { type: 'timer', timer: 'J' }, 'terminated', ['terminate']],
    [at('trying'), { type: 'transport-error' }, 'trying', []],
    [at('completed', ok), { type: 'transport-error' }, 'terminated', ['report transport-error', 'terminate']],
  ];
  it.each(named(rows))('%s', (_, from, event, to, effects) => {
    const next = stepNonInviteServer(from, event, timing);
    expect(next.state.name).toBe(to);
    expect(summary(next.effects)).toEqual(effects);
  });
});
