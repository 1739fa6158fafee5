import type { AnyStateNode } from 'xstate';
import { Region } from '../../domain/application';
import { Role } from '../../domain/actor';
import { projectEventTypes } from '../../domain/project-events';
import { callOperations } from '../../gateway/call-operations';
import { callMachine } from '../../machines/call-machine';
import { projectMachines } from '../../machines/project-machine';
import { NewApplication } from '../../domain/application';
import { NoticeKind } from '../../domain/notification-policy';
import { actorName, deliveryName, nameOf, noticeName, stateName } from '../../server/web/i18n';
import { operationName } from '../../server/web/operation-names';
import { jsonSchemaOf, type JsonSchema } from '../../server/web/schema-form';

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

/** Every field and choice the application form draws from the application's schema. */
function applicationWords(): string[] {
  const words = new Set<string>();
  const walk = (node: JsonSchema | undefined): void => {
    if (!node) return;
    // Codes in capitals (the divisions, TE2) are shown as the programme writes them.
    for (const value of node.enum ?? []) if (typeof value === 'string' && !/^[A-Z0-9]+$/.test(value)) words.add(value);
    if (typeof node.const === 'string') words.add(node.const);
    for (const [key, child] of Object.entries(node.properties ?? {})) {
      words.add(key);
      walk(child);
    }
    walk(node.items);
    for (const variant of [...(node.oneOf ?? []), ...(node.anyOf ?? [])]) walk(variant);
  };
  walk(jsonSchemaOf(NewApplication));
  return [...words];
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
    ["office's operations over a call", Object.keys(callOperations)],
    ["application form's fields and choices", applicationWords()],
  ])('has a Chinese name for each of the %s', (_what, codes) => {
    expect(codes.filter((code) => nameOf('zh-TW', code) === code)).toEqual([]);
  });

  it('names every notice, how its delivery stands, and what the call recorded of its operations', () => {
    expect(NoticeKind.options.filter((kind) => noticeName('zh-TW', kind) === kind)).toEqual([]);
    expect(['delivered', 'uncertain', 'refused', 'pending', 'failed'].filter((s) => deliveryName('zh-TW', s) === s)).toEqual([]);
    expect(
      [
        'written review TE2',
        'close written review all, TE1',
        'roster NTU-01',
        'reviewer rev-te2-01 assigned to TE2-0001',
        'reviewer rev-te2-01 stepped down from TE2-0001 (conflict of interest)',
        'replacement reviewer for TE2-0001',
        'endorsement deadline moved to 2016-09-30T09:00:00.000Z',
        'presentation invitations',
        'presentation schedule',
        'announcement',
      ].map((op) => operationName('zh-TW', op)),
    ).toEqual([
      '開始書面審查（TE2）',
      '結束書面審查（全部學門、TE1）',
      '推薦名冊 NTU-01',
      '指派審查委員 rev-te2-01 審查 TE2-0001',
      '審查委員 rev-te2-01 因利益衝突迴避 TE2-0001',
      '為 TE2-0001 指派替代審查委員',
      '機構推薦期限變更至 2016-09-30T09:00:00.000Z',
      '邀請簡報',
      '排定簡報時段',
      '公告決議',
    ]);
  });

  it('names who acted and where a project stands in words, in either language', () => {
    expect(actorName('zh-TW', { role: 'office', id: 'office-kao' })).toBe('計畫辦公室 office-kao');
    expect(stateName('zh-TW', 'execution.funding.awaitingFirstTranche')).not.toMatch(/[A-Za-z]/);
    expect(nameOf('en', 'written-review')).toBe('Written review');
  });
});
