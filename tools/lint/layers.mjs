// The rooms of the house and what each may import: one table, read by the lint configuration
// (no-restricted-imports, as the editor sees it) and by import-graph.mjs (the resolved graph, its
// circles and the type-only rule). A room missing from a row's list is closed to it.
//   values: rooms whose code it may run; types: rooms it may name in `import type` only.
export const layers = {
  domain: { values: [], types: [] },
  machines: { values: ['domain'], types: [] },
  messages: { values: ['domain', 'machines'], types: [] },
  tlog: { values: ['domain'], types: [] },
  workflows: { values: ['domain', 'machines', 'messages'], types: ['activities'] },
  activities: { values: ['domain', 'machines', 'messages', 'tlog'], types: [] },
  gateway: { values: ['domain', 'machines', 'messages', 'tlog', 'activities'], types: ['workflows'] },
  server: { values: ['domain', 'machines', 'messages', 'tlog', 'gateway', 'activities'], types: [] },
  worker: { values: ['domain', 'machines', 'messages', 'tlog', 'gateway', 'activities', 'workflows'], types: [] },
  service: { values: ['domain', 'machines', 'messages', 'tlog', 'gateway', 'activities', 'workflows', 'worker', 'server'], types: [] },
  client: { values: ['domain', 'messages', 'tlog'], types: [] },
  scripts: { values: ['domain', 'machines', 'messages', 'tlog', 'gateway', 'activities', 'workflows', 'worker', 'server', 'service', 'client'], types: [] },
};

export const rooms = Object.keys(layers);

/** The rooms a room may not import at all (neither values nor types). */
export function closedRooms(room) {
  const { values, types } = layers[room];
  return rooms.filter((other) => other !== room && !values.includes(other) && !types.includes(other));
}
