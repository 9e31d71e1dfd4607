import { agentStatuses as coreStatuses } from '@hotline/core/agent/agent-state';
import { channels as coreChannels } from '@hotline/core/channels';
import { interactionStates as coreStates } from '@hotline/core/interaction/interaction-lifecycle';
import { strategies as coreStrategies } from '@hotline/core/routing/queue-config';
import { channels as apiChannels } from '@hotline/protocol/common';
import { queueStrategies as apiStrategies } from '@hotline/protocol/config';
import { interactionStates as apiStates, agentStatuses as apiStatuses } from '@hotline/protocol/routing';
import { describe, expect, it } from 'vitest';

/**
 * `protocol` may not import `core` (it is shared with the browser), so a few lists exist in both. The
 * server, which sees both, checks here that they have not drifted apart.
 */
describe('core and protocol agree', () => {
  it.each([
    ['channels', coreChannels, apiChannels],
    ['interaction states', coreStates, apiStates],
    ['agent statuses', coreStatuses, apiStatuses],
    ['queue strategies', coreStrategies, apiStrategies],
  ])('on %s', (_, core, api) => {
    expect([...api].sort()).toEqual([...core].sort());
  });
});
