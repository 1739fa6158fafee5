import { createActor, type AnyStateMachine, type AnyStateNode, type AnyTransitionDefinition } from 'xstate';

/** Every state node of a machine except history pseudo-states, by id. */
export function allStateIds(machine: AnyStateMachine): string[] {
  const ids: string[] = [];
  const walk = (node: AnyStateNode): void => {
    if (node.type === 'history') return;
    ids.push(node.id);
    Object.values(node.states).forEach(walk);
  };
  walk(machine.root);
  return ids;
}

/** A stable name for a transition definition: source, event, position among its siblings. */
export function transitionId(t: AnyTransitionDefinition): string {
  const source = t.source;
  const eventType: string = t.eventType;
  const siblings = eventType === '' ? (source.always ?? []) : (source.transitions.get(eventType) ?? []);
  return `${source.id} --${eventType || 'always'}#${siblings.indexOf(t)}`;
}

export function allTransitionIds(machine: AnyStateMachine): string[] {
  const ids: string[] = [];
  const walk = (node: AnyStateNode): void => {
    for (const list of node.transitions.values()) for (const t of list) ids.push(transitionId(t));
    for (const t of node.always ?? []) ids.push(transitionId(t));
    Object.values(node.states).forEach(walk);
  };
  walk(machine.root);
  return ids;
}

/** The transitions XState actually took for one event, seen through its inspection API. */
export function takenTransitions(machine: AnyStateMachine, snapshot: unknown, event: { type: string }): string[] {
  const taken: string[] = [];
  const actor = createActor(machine, {
    snapshot: snapshot as never,
    inspect: (e) => {
      if (e.type === '@xstate.microstep') {
        for (const t of (e as unknown as { _transitions: AnyTransitionDefinition[] })._transitions) taken.push(transitionId(t));
      }
    },
  });
  actor.start();
  actor.send(event);
  actor.stop();
  return taken;
}
