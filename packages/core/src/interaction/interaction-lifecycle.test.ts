import { describe, expect, it } from 'vitest';
import { DomainError } from '../domain-error';
import { interactionId } from '../ids';
import { millis } from '../ports';
import {
  type InteractionState,
  interactionStates,
  type LifecycleEvent,
  lifecycleEvents,
  newInteractionLifecycle,
  transitionInteraction,
} from './interaction-lifecycle';

/**
 * The whole legal set, written out by hand (not derived from the implementation's table): every
 * pair not listed here must be refused.
 */
const legal: readonly [InteractionState, LifecycleEvent, InteractionState][] = [
  ['new', 'flow_started', 'in_flow'],
  ['new', 'queued', 'queued'],
  ['new', 'closed', 'closed'],
  ['new', 'abandoned', 'abandoned'],
  ['in_flow', 'queued', 'queued'],
  ['in_flow', 'callback_requested', 'callback_scheduled'],
  ['in_flow', 'closed', 'closed'],
  ['in_flow', 'abandoned', 'abandoned'],
  ['in_flow', 'transferred', 'transferred'],
  ['in_flow', 'voicemail', 'voicemail'],
  ['queued', 'callback_requested', 'callback_scheduled'],
  ['queued', 'offered', 'offered'],
  ['queued', 'abandoned', 'abandoned'],
  ['queued', 'missed', 'missed'],
  ['queued', 'transferred', 'transferred'],
  ['queued', 'voicemail', 'voicemail'],
  ['callback_scheduled', 'offered', 'offered'],
  ['callback_scheduled', 'abandoned', 'abandoned'],
  ['callback_scheduled', 'missed', 'missed'],
  ['callback_scheduled', 'transferred', 'transferred'],
  ['callback_scheduled', 'voicemail', 'voicemail'],
  ['offered', 'offer_withdrawn', 'queued'],
  ['offered', 'connected', 'connected'],
  ['offered', 'abandoned', 'abandoned'],
  ['offered', 'missed', 'missed'],
  ['offered', 'transferred', 'transferred'],
  ['offered', 'voicemail', 'voicemail'],
  ['connected', 'queued', 'queued'],
  ['connected', 'ended', 'wrap_up'],
  ['connected', 'transferred', 'transferred'],
  ['wrap_up', 'closed', 'closed'],
];

const at = millis(1_000);
const from = (state: InteractionState) => ({
  ...newInteractionLifecycle(interactionId('i1'), millis(0)),
  state,
});

describe('interaction lifecycle', () => {
  for (const state of interactionStates) {
    for (const event of lifecycleEvents) {
      const expected = legal.find(([s, e]) => s === state && e === event);
      it(`${state} --${event}--> ${expected ? expected[2] : 'refused'}`, () => {
        if (!expected) {
          const attempt = () => transitionInteraction(from(state), event, at);
          expect(attempt).toThrow(DomainError);
          expect(attempt).toThrow(expect.objectContaining({ code: 'ILLEGAL_TRANSITION' }));
          return;
        }
        const result = transitionInteraction(from(state), event, at);
        expect(result.lifecycle.state).toBe(expected[2]);
        expect(result.lifecycle.stateSince).toBe(at);
        expect(result.event).toEqual({
          type: 'interaction.state_changed',
          interactionId: 'i1',
          from: state,
          to: expected[2],
          cause: event,
          at,
        });
      });
    }
  }

  it('returns a withdrawn offer to the waiting state it was made from', () => {
    let lc = newInteractionLifecycle(interactionId('i1'), millis(0));
    lc = transitionInteraction(lc, 'flow_started', millis(1)).lifecycle;
    lc = transitionInteraction(lc, 'callback_requested', millis(2)).lifecycle;
    lc = transitionInteraction(lc, 'offered', millis(3)).lifecycle;
    expect(transitionInteraction(lc, 'offer_withdrawn', millis(4)).lifecycle.state).toBe(
      'callback_scheduled',
    );
    lc = transitionInteraction(
      newInteractionLifecycle(interactionId('i2'), millis(0)),
      'queued',
      millis(1),
    ).lifecycle;
    lc = transitionInteraction(lc, 'offered', millis(3)).lifecycle;
    expect(transitionInteraction(lc, 'offer_withdrawn', millis(4)).lifecycle.state).toBe('queued');
  });
});
