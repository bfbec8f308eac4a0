// A definition as a graph to draw: the trigger and the actions, the runAfter edges between
// siblings, and the containers with what they hold (Scope, Foreach and Until hold actions; If holds
// its two branches; Switch its cases and default). Pure data: layout.ts places it, flow-graph.tsx
// draws it. Keys are read without regard to case, as the engine reads them.

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);

export function prop(obj: unknown, key: string): unknown {
  if (!isObj(obj)) return undefined;
  if (Object.prototype.hasOwnProperty.call(obj, key)) return obj[key];
  const lower = key.toLowerCase();
  for (const k of Object.keys(obj)) if (k.toLowerCase() === lower) return obj[k];
  return undefined;
}

const looksLikeDefinition = (v: unknown): boolean => isObj(prop(v, 'triggers')) || isObj(prop(v, 'actions'));

/** The bare definition inside any export wrapper (Logic Apps Standard, ARM, Power Automate, clientdata). */
export function unwrapDefinition(file: unknown): Obj | null {
  let value = file;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return null;
    }
  }
  if (!isObj(value)) return null;
  for (const candidate of [prop(value, 'definition'), prop(prop(value, 'properties'), 'definition')]) {
    if (looksLikeDefinition(candidate)) return candidate as Obj;
  }
  const resources = prop(value, 'resources');
  if (Array.isArray(resources)) {
    for (const r of resources) {
      const inner = prop(prop(r, 'properties'), 'definition');
      if (looksLikeDefinition(inner)) return inner as Obj;
    }
  }
  const clientdata = prop(value, 'clientdata');
  if (typeof clientdata === 'string') return unwrapDefinition(clientdata);
  return looksLikeDefinition(value) ? value : null;
}

export type NodeKind = 'trigger' | 'action' | 'container' | 'branch';

export interface GraphEdge {
  id: string;
  source: string;
  target: string;
  /** The statuses waited for, when other than Succeeded alone. */
  label?: string;
}

export interface GraphNode {
  id: string;
  /** The action or trigger name; for a branch its label (True, False, a case name, Default). */
  name: string;
  kind: NodeKind;
  /** The WDL type (Http, If, Foreach, Request, ...); for a branch: 'Branch'. */
  type: string;
  /** More to say under the name: the trigger's kind, a case's value. */
  detail?: string;
  children: GraphNode[];
  edges: GraphEdge[];
  /** How the children sit: along their runAfter edges, or side by side (the branches of If and Switch). */
  arrange: 'flow' | 'row';
}

export interface FlowGraph {
  root: GraphNode;
  /** Triggers and actions drawn (branches not counted). */
  count: number;
  /** Every action and trigger name, to its node id. */
  ids: Map<string, string>;
}

const actionId = (name: string): string => `a:${name}`;
const SUCCEEDED_ONLY = (statuses: unknown): boolean =>
  !Array.isArray(statuses) ||
  statuses.length === 0 ||
  (statuses.length === 1 && String(statuses[0]).toLowerCase() === 'succeeded');

function typeOf(action: unknown): string {
  const t = prop(action, 'type');
  return typeof t === 'string' ? t : 'Action';
}

export function buildGraph(file: unknown): FlowGraph {
  const definition = unwrapDefinition(file) ?? {};
  const ids = new Map<string, string>();
  let count = 0;

  function actionsOf(container: unknown, parentId: string): { children: GraphNode[]; edges: GraphEdge[] } {
    const actions = prop(container, 'actions');
    const children: GraphNode[] = [];
    const edges: GraphEdge[] = [];
    if (!isObj(actions)) return { children, edges };
    const names = Object.keys(actions);
    const byLower = new Map(names.map((n) => [n.toLowerCase(), n]));
    for (const name of names) {
      children.push(actionNode(name, actions[name]));
      const runAfter = prop(actions[name], 'runAfter');
      if (!isObj(runAfter)) continue;
      for (const [before, statuses] of Object.entries(runAfter)) {
        const source = byLower.get(before.toLowerCase());
        if (source === undefined) continue; // the validator reports it; the graph leaves it out
        edges.push({
          id: `e:${parentId}:${source}->${name}`,
          source: actionId(source),
          target: actionId(name),
          ...(SUCCEEDED_ONLY(statuses) ? {} : { label: (statuses as unknown[]).map(String).join(', ') }),
        });
      }
    }
    return { children, edges };
  }

  function branch(id: string, name: string, holder: unknown, detail?: string): GraphNode {
    const { children, edges } = actionsOf(holder, id);
    return {
      id,
      name,
      kind: 'branch',
      type: 'Branch',
      children,
      edges,
      arrange: 'flow',
      ...(detail ? { detail } : {}),
    };
  }

  function actionNode(name: string, action: unknown): GraphNode {
    count++;
    const id = actionId(name);
    ids.set(name, id);
    const type = typeOf(action);
    const lower = type.toLowerCase();
    if (lower === 'if') {
      return {
        id,
        name,
        kind: 'container',
        type,
        children: [branch(`b:${name}:true`, 'True', action), branch(`b:${name}:false`, 'False', prop(action, 'else'))],
        edges: [],
        arrange: 'row',
      };
    }
    if (lower === 'switch') {
      const cases = prop(action, 'cases');
      const children = isObj(cases)
        ? Object.entries(cases).map(([caseName, c]) => {
            const value = prop(c, 'case');
            return branch(
              `b:${name}:case:${caseName}`,
              caseName,
              c,
              value === undefined ? undefined : `= ${JSON.stringify(value)}`,
            );
          })
        : [];
      children.push(branch(`b:${name}:default`, 'Default', prop(action, 'default')));
      return { id, name, kind: 'container', type, children, edges: [], arrange: 'row' };
    }
    if (lower === 'scope' || lower === 'foreach' || lower === 'until') {
      const { children, edges } = actionsOf(action, id);
      const detail =
        lower === 'foreach' && typeof prop(action, 'foreach') === 'string'
          ? String(prop(action, 'foreach'))
          : undefined;
      return { id, name, kind: 'container', type, children, edges, arrange: 'flow', ...(detail ? { detail } : {}) };
    }
    return { id, name, kind: 'action', type, children: [], edges: [], arrange: 'flow' };
  }

  const rootId = 'root';
  const top = actionsOf(definition, rootId);
  const triggers = prop(definition, 'triggers');
  const triggerNodes: GraphNode[] = isObj(triggers)
    ? Object.entries(triggers).map(([name, t]) => {
        count++;
        const id = `t:${name}`;
        ids.set(name, id);
        const kind = prop(t, 'kind');
        return {
          id,
          name,
          kind: 'trigger' as const,
          type: typeOf(t),
          ...(typeof kind === 'string' ? { detail: kind } : {}),
          children: [],
          edges: [],
          arrange: 'flow' as const,
        };
      })
    : [];
  // Actions that run first hang from the trigger(s).
  const firsts = top.children.filter((c) => !top.edges.some((e) => e.target === c.id));
  const triggerEdges = triggerNodes.flatMap((t) =>
    firsts.map((a) => ({ id: `e:${t.id}->${a.id}`, source: t.id, target: a.id })),
  );
  return {
    root: {
      id: rootId,
      name: '',
      kind: 'branch',
      type: 'Root',
      children: [...triggerNodes, ...top.children],
      edges: [...triggerEdges, ...top.edges],
      arrange: 'flow',
    },
    count,
    ids,
  };
}

/** The trigger's name, type and kind, e.g. for the flows list ("Request (Button)"). */
export function triggerSummary(
  file: unknown,
): { name: string; type: string; kind: string | null; schema: unknown } | null {
  const triggers = prop(unwrapDefinition(file), 'triggers');
  if (!isObj(triggers)) return null;
  const [name, t] = Object.entries(triggers)[0] ?? [];
  if (name === undefined) return null;
  const kind = prop(t, 'kind');
  return {
    name,
    type: typeOf(t),
    kind: typeof kind === 'string' ? kind : null,
    schema: prop(prop(t, 'inputs'), 'schema'),
  };
}

/** Instant flows (a person starts them: Button, manual, PowerApp...) can be run with a form. */
export function isInstantTrigger(summary: { type: string; kind: string | null } | null): boolean {
  if (!summary) return false;
  const type = summary.type.toLowerCase();
  const kind = (summary.kind ?? '').toLowerCase();
  return (type === 'request' || type === 'manual') && kind !== 'http';
}
