import type { AnyStateMachine, AnyStateNode, AnyTransitionDefinition } from 'xstate';
import type { Role } from '../domain/actor';
import { callEventRoles, callMachine } from '../machines/call-machine';
import { currentLaw, projectEventRoles, projectMachine } from '../machines/project-machine';

interface Row {
  state: string;
  event: string;
  roles: string;
  guard: string;
  target: string;
}

const relative = (machine: AnyStateMachine, node: AnyStateNode): string => node.id.replace(`${machine.id}.`, '');

function rows(machine: AnyStateMachine, roles: Record<string, readonly Role[]>): Row[] {
  const result: Row[] = [];
  const walk = (node: AnyStateNode): void => {
    for (const [eventType, list] of node.transitions) {
      for (const t of list) {
        const event = eventType.startsWith('xstate.done.state.') ? '(all regions done)' : eventType;
        result.push({
          state: relative(machine, node) || machine.id,
          event,
          roles: (roles[eventType] ?? []).join(', '),
          guard: describeGuard(t),
          target: (t.target ?? []).map((n) => relative(machine, n)).join(', ') || '(stays)',
        });
      }
    }
    for (const t of node.always ?? []) {
      result.push({
        state: relative(machine, node),
        event: '(immediately)',
        roles: '',
        guard: describeGuard(t),
        target: (t.target ?? []).map((n) => relative(machine, n)).join(', '),
      });
    }
    Object.values(node.states).forEach(walk);
  };
  walk(machine.root);
  return result;
}

/** A guard as written in the machine: its name, or `not(a)` / `a and b` for XState's combinators. */
function describeGuard(t: AnyTransitionDefinition): string {
  const describe = (guard: unknown): string => {
    if (guard === undefined) return '';
    if (typeof guard === 'string') return guard;
    if (typeof guard === 'function') {
      const combinator = guard as { name: string; guards?: unknown[] };
      const parts = (combinator.guards ?? []).map(describe);
      if (combinator.name === 'not') return `not(${parts.join('')})`;
      if (combinator.name === 'and' || combinator.name === 'or') return parts.join(` ${combinator.name} `);
    }
    const { type, params } = guard as { type?: string; params?: { deadlines?: string[] } };
    return params?.deadlines ? `${type}(${params.deadlines.join(', ')})` : (type ?? 'guard');
  };
  return describe(t.guard);
}

function mermaid(machine: AnyStateMachine): string {
  const lines = ['stateDiagram-v2'];
  const id = (node: AnyStateNode): string => node.id.replace(/\./g, '_');
  const walk = (node: AnyStateNode, indent: string): void => {
    const children = Object.values(node.states).filter((c) => c.type !== 'history');
    if (node !== machine.root && children.length > 0) lines.push(`${indent}state ${id(node)} {`);
    const inner = node === machine.root ? indent : `${indent}  `;
    if (node.type === 'parallel') {
      children.forEach((child, i) => {
        if (i > 0) lines.push(`${inner}--`);
        walk(child, inner);
      });
    } else {
      if (node.initial?.target?.[0]) lines.push(`${inner}[*] --> ${id(node.initial.target[0])}`);
      for (const child of children) {
        lines.push(`${inner}${id(child)} : ${child.key}`);
        walk(child, inner);
        if (child.type === 'final') lines.push(`${inner}${id(child)} --> [*]`);
      }
    }
    for (const [eventType, list] of node.transitions) {
      for (const t of list) {
        for (const target of t.target ?? []) {
          const label = eventType.startsWith('xstate.done.state.') ? 'done' : eventType;
          const guard = describeGuard(t);
          lines.push(`${inner}${id(node)} --> ${id(target.type === 'history' ? target.parent! : target)} : ${label}${guard ? ` [${guard}]` : ''}`);
        }
      }
    }
    if (node !== machine.root && children.length > 0) lines.push(`${indent}}`);
  };
  walk(machine.root, '  ');
  return lines.join('\n');
}

function section(title: string, machine: AnyStateMachine, roles: Record<string, readonly Role[]>): string {
  const table = rows(machine, roles)
    .map((r) => `| ${r.state} | ${r.event} | ${r.roles} | ${r.guard} | ${r.target} |`)
    .join('\n');
  return `## ${title}\n\n\`\`\`mermaid\n${mermaid(machine)}\n\`\`\`\n\n| state | event | roles | guard | goes to |\n|---|---|---|---|---|\n${table}\n`;
}

/** The whole of docs/statecharts.md, generated from the machines themselves. */
export function renderStatechartDocs(): string {
  return [
    '# Statecharts',
    '',
    'Generated from `machines/` by `make docs`; `make test` fails when this file is out of date.',
    'Roles: `office`, `pi`, `institution`, `reviewer`, `system` (deadline timers). `auditor` sends nothing.',
    '',
    `The project's law is versioned (\`projectMachines\`): this is law v${currentLaw}, which new projects start on. A running project keeps`,
    'its version until its next project-year boundary, where `migrateSnapshot` (`machines/law.ts`) moves it on. Law v2 added:',
    'endorsement in `draft` (applied on submission) and again in `endorsed` (an amended roster); `review.close` and',
    '`deadline.writtenReview` (a closed round refuses reviews and assignments: guard `reviewRoundOpen`); `presentation.waive`;',
    'approvals only after the panel or the waiver (`approvalFollowsPresentation`); `decision.announce` from every undecided',
    'step (rejected, with the reason); `deadline.amend` where the project waits on that deadline (guard `amends`); the clock',
    'stopped while suspended (`stopClock`, `restartClock`; policy `suspension`); tranche requests within their window and share',
    '(`inTrancheWindow`, `withinTrancheShare`; policy `tranches`), and a request unpaid at the year end refused or carried',
    '(`settlePendingTranche`; a carried one is paid first, `hasCarriedTranche`); progress reports keep their KPIs',
    '(`submitReportWithKpis`); `exhibition.select` on a year of accepted results (`hasAcceptedResultsOf`).',
    '',
    section(`projectMachine — the life of one project (law v${currentLaw})`, projectMachine, projectEventRoles),
    section('callMachine — the life of one call', callMachine, callEventRoles),
  ].join('\n');
}
