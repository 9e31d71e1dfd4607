import { describe, expect, it } from 'vitest';
import { renderTemplate, variablesOf } from './templates';

describe('renderTemplate', () => {
  const vars = { 'customer.name': 'Anna', 'agent.name': 'Boris' };

  it.each([
    ['Hello {{customer.name}}, I am {{agent.name}}.', 'Hello Anna, I am Boris.'],
    ['Hello {{ customer.name }}!', 'Hello Anna!'],
    ['{{customer.name}}{{customer.name}}', 'AnnaAnna'],
    ['No variables at all.', 'No variables at all.'],
    ['', ''],
  ])('fills %j', (body, expected) => {
    expect(renderTemplate(body, vars)).toBe(expected);
  });

  it.each([
    ['an unknown variable', 'Order {{order.id}} for {{customer.name}}', 'Order {{order.id}} for Anna'],
    ['a variable given as undefined', 'Mail: {{customer.email}}', 'Mail: {{customer.email}}'],
    [
      'an inherited property name',
      '{{constructor}} {{toString}} {{__proto__}}',
      '{{constructor}} {{toString}} {{__proto__}}',
    ],
    ['single braces', '{customer.name}', '{customer.name}'],
    ['an unclosed placeholder', '{{customer.name', '{{customer.name'],
    ['spaces in the name', '{{customer name}}', '{{customer name}}'],
  ])('keeps %s as written', (_label, body, expected) => {
    expect(renderTemplate(body, vars)).toBe(expected);
  });

  it('inserts values as text, in one pass', () => {
    const hostile = {
      'customer.name': '{{agent.name}} $& $1 $$',
      'agent.name': '<img src=x onerror=alert(1)>',
    };
    expect(renderTemplate('Hi {{customer.name}}, from {{agent.name}}', hostile)).toBe(
      'Hi {{agent.name}} $& $1 $$, from <img src=x onerror=alert(1)>',
    );
  });

  it('fills an empty value (an empty name is a value)', () => {
    expect(renderTemplate('Hi {{customer.name}}!', { 'customer.name': '' })).toBe('Hi !');
  });
});

describe('variablesOf', () => {
  it('lists each variable once, in order of first use', () => {
    expect(variablesOf('{{a.b}} {{ c }} {{a.b}} {x}')).toEqual(['a.b', 'c']);
  });
});
