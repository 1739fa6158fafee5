import type { AnyStateNode } from 'xstate';
import { Region } from '../../domain/application';
import { Role } from '../../domain/actor';
import { projectEventTypes } from '../../domain/project-events';
import { callOperations } from '../../gateway/call-operations';
import { callMachine } from '../../machines/call-machine';
import { projectMachines } from '../../machines/project-machine';
import { actorName, nameOf, stateName } from '../../server/web/i18n';

/** Every state of every version of the project's law, and of the call's. */
function stateKeys(): string[] {
  const keys = new Set<string>();
  const walk = (node: AnyStateNode): void => {
    keys.add(node.key);
    Object.values(node.states).forEach(walk);
  };
  for (const machine of [...Object.values(projectMachines), callMachine]) walk(machine.root);
  return [...keys];
}

/**
 * The Chinese pages name what the law names in Chinese: every state a project or call can be in,
 * every event a log shows, every role that acts, every region, and the office's operations over a
 * call. A code without its Chinese name would show through as English.
 */
describe('the names the Chinese pages show', () => {
  it.each([
    ['states', stateKeys()],
    ['events', [...projectEventTypes]],
    ['roles', [...Role.options]],
    ['regions', [...Region.options]],
    ["the office's operations over a call", Object.keys(callOperations)],
  ])('has a Chinese name for each of the %s', (_what, codes) => {
    expect(codes.filter((code) => nameOf('zh-TW', code) === code)).toEqual([]);
  });

  it('names who acted and where a project stands in words, in either language', () => {
    expect(actorName('zh-TW', { role: 'office', id: 'office-kao' })).toBe('計畫辦公室 office-kao');
    expect(stateName('zh-TW', 'execution.funding.awaitingFirstTranche')).not.toMatch(/[A-Za-z]/);
    expect(nameOf('en', 'written-review')).toBe('Written review');
  });
});
