import { describe, expect, it } from 'vitest';
import { Bridge } from './bridge';
import { Mixer } from './mixer';

const f = (v: number) => new Int16Array(160).fill(v);
const levels = (heard: Map<string, Int16Array>) => Object.fromEntries([...heard].map(([k, v]) => [k, v[0]]));

describe('Bridge', () => {
  it('lets each leg hear the other', () => {
    const silence = f(0);
    const sut = new Bridge('customer', 'agent');
    expect(
      levels(
        sut.mix(
          new Map([
            ['customer', f(1)],
            ['agent', f(2)],
          ]),
          silence,
        ),
      ),
    ).toEqual({ customer: 2, agent: 1 });
    expect(sut.mix(new Map([['agent', f(2)]]), silence).get('agent')).toBe(silence);
    expect(() => new Bridge('x', 'x')).toThrow();
  });
});

describe('Mixer', () => {
  const said = new Map([
    ['customer', f(1)],
    ['agent', f(10)],
    ['third', f(100)],
    ['supervisor', f(1000)],
  ]);

  it('gives each participant the mix minus itself', () => {
    const sut = new Mixer();
    for (const id of ['customer', 'agent', 'third']) sut.add(id);
    expect(levels(sut.mix(said))).toEqual({ customer: 110, agent: 101, third: 11 });
  });

  it.each([
    ['listen', { customer: 10, agent: 1, supervisor: 11 }],
    ['whisper', { customer: 10, agent: 1001, supervisor: 11 }],
    ['barge', { customer: 1010, agent: 1001, supervisor: 11 }],
  ] as const)('supervisor mode %s', (mode, expected) => {
    const sut = new Mixer();
    sut.add('customer');
    sut.add('agent');
    sut.add('supervisor', { kind: 'supervisor', mode, agent: 'agent' });
    expect(levels(sut.mix(said))).toEqual(expected);
  });

  it('switches modes in place and drops members', () => {
    const sut = new Mixer();
    sut.add('customer');
    sut.add('agent');
    sut.add('supervisor', { kind: 'supervisor', mode: 'listen', agent: 'agent' });
    sut.setRole('supervisor', { kind: 'supervisor', mode: 'barge', agent: 'agent' });
    expect(sut.mix(said).get('customer')![0]).toBe(1010);
    sut.remove('agent');
    expect(levels(sut.mix(said))).toEqual({ customer: 1000, supervisor: 1 });
  });

  it('saturates instead of wrapping', () => {
    const sut = new Mixer();
    for (const id of ['a', 'b', 'c']) sut.add(id);
    const heard = sut.mix(
      new Map([
        ['a', f(30000)],
        ['b', f(30000)],
        ['c', f(-30000)],
      ]),
    );
    expect(heard.get('c')![0]).toBe(32767);
    const low = sut.mix(
      new Map([
        ['a', f(-30000)],
        ['b', f(-30000)],
      ]),
    );
    expect(low.get('c')![0]).toBe(-32768);
  });
});
