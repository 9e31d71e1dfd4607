import { describe, expect, it } from 'vitest';
import { parseScenario, ScenarioError } from './scenario';

const minimal = {
  seed: 1,
  durationSec: 3600,
  queues: [
    { name: 'q', serviceLevelSec: 20, arrivalsPerHour: 60, handleTime: { dist: 'exponential', meanSec: 60 } },
  ],
  agents: [{ count: 2 }],
};

function issuesOf(input: unknown): readonly string[] {
  try {
    parseScenario(input);
  } catch (error) {
    if (error instanceof ScenarioError) return error.issues;
    throw error;
  }
  throw new Error('expected the scenario to be refused');
}

describe('scenario file', () => {
  it('fills the defaults', () => {
    const s = parseScenario(minimal);
    expect(s.warmupSec).toBe(0);
    expect(s.queues[0]).toMatchObject({
      strategy: 'longest_idle',
      channel: 'voice',
      priority: 0,
      patience: null,
      requiredSkills: [],
      wrapUpSec: 0,
      offerTimeoutSec: 20,
    });
    expect(s.agents[0]).toMatchObject({ name: 'group0', queues: null, answerDelaySec: 0, skills: {} });
    expect(s.agents[0]!.capacity.voice).toBe(1);
  });

  it('turns calls per interval into an hourly rate; a stated capacity leaves other channels at 0', () => {
    const { arrivalsPerHour: _, ...queue } = minimal.queues[0]!;
    const s = parseScenario({
      ...minimal,
      queues: [{ ...queue, callsPerInterval: 360, intervalSec: 1800 }],
      agents: [{ count: 1, capacity: { chat: 3 } }],
    });
    expect(s.queues[0]!.arrivalsPerHour).toBe(720);
    expect(s.agents[0]!.capacity).toMatchObject({ voice: 0, chat: 3, email: 0 });
  });

  it('names every problem with its path', () => {
    const issues = issuesOf({
      seed: -1,
      durationSec: 100,
      warmupSec: 100,
      queues: [
        {
          name: 'q',
          serviceLevelSec: 20,
          arrivalsPerHour: 60,
          callsPerInterval: 10,
          handleTime: { dist: 'lognormal', meanSec: 60 },
          patience: { dist: 'gamma', meanSec: 5 },
          channel: 'fax',
          requiredSkills: [{ skill: 'x', minLevel: 11 }],
        },
        { name: 'q', serviceLevelSec: 20, arrivalPerHour: 60, handleTime: { dist: 'constant', meanSec: 0 } },
      ],
      agents: [{ count: 1.5, skills: { x: 0 }, queues: ['nope'] }],
    });
    expect(issues).toEqual(
      expect.arrayContaining([
        'seed: must be at least 0, got -1',
        'warmupSec: must be less than durationSec',
        'queues[0]: give either arrivalsPerHour or callsPerInterval with intervalSec',
        'queues[0].channel: must be one of voice, chat, email, sms, messenger, task, got "fax"',
        'queues[0].handleTime.cv: must be a number (missing)',
        'queues[0].patience.dist: must be one of exponential, lognormal, constant, uniform, got "gamma"',
        'queues[0].requiredSkills[0].minLevel: must be at most 10, got 11',
        expect.stringMatching(/^queues\[1\]\.arrivalPerHour: unknown field/),
        'queues[1].handleTime.meanSec: must be greater than 0, got 0',
        'queues[1].name: "q" is used by another queue',
        'agents[0].count: must be a whole number, got 1.5',
        'agents[0].skills.x: must be at least 1, got 0',
        'agents[0].queues[0]: no queue is named "nope"',
      ]),
    );
  });

  it('refuses an answer delay the offer timeout would always cut short', () => {
    expect(issuesOf({ ...minimal, agents: [{ count: 1, answerDelaySec: 20 }] })).toEqual([
      'agents[0].answerDelaySec: 20 s is not shorter than the offer timeout of queue "q" (20 s); every offer would time out',
    ]);
  });

  it('refuses what is not a scenario at all', () => {
    expect(issuesOf(null)).toEqual(['scenario: must be an object']);
    expect(issuesOf({ ...minimal, queues: [] })).toContain('queues: must be a non-empty array');
  });
});
