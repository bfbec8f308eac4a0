// Places a FlowGraph: each container is laid out inside-out. The children of a container (or of
// the root) are placed along their runAfter edges by dagre, top to bottom; the branches of If and
// Switch side by side; a container is then as big as what it holds plus a header. Positions of
// children are relative to their container, as React Flow's sub-flows want them.
import { Graph, layout as dagreLayout } from '@dagrejs/dagre';
import type { GraphNode } from './model.js';

export const NODE_WIDTH = 220;
export const NODE_HEIGHT = 58;
const PAD = 14;
const HEADER = 38;
const ROW_GAP = 20;
const EMPTY = { width: 160, height: HEADER + 34 };

export interface Placed {
  id: string;
  node: GraphNode;
  /** Relative to the parent container (absolute for the root's children). */
  x: number;
  y: number;
  width: number;
  height: number;
  parentId?: string;
}

interface Sized {
  width: number;
  height: number;
  /** The children's places, relative to this node's top-left corner. */
  inner: Array<{ child: GraphNode; x: number; y: number; sized: Sized }>;
}

function size(node: GraphNode): Sized {
  if (node.kind === 'trigger' || node.kind === 'action') return { width: NODE_WIDTH, height: NODE_HEIGHT, inner: [] };
  const isRoot = node.type === 'Root';
  const top = isRoot ? 0 : HEADER;
  const pad = isRoot ? 0 : PAD;
  if (node.children.length === 0) return { ...EMPTY, inner: [] };
  const sizes = node.children.map((c) => ({ child: c, sized: size(c) }));
  if (node.arrange === 'row') {
    let x = pad;
    const inner = sizes.map(({ child, sized }) => {
      const at = { child, sized, x, y: top };
      x += sized.width + ROW_GAP;
      return at;
    });
    const width = x - ROW_GAP + pad;
    const height = top + Math.max(...sizes.map((s) => s.sized.height)) + pad;
    return { width, height, inner };
  }
  const chains = chainsOf(node);
  if (chains) return stackChains(chains, sizes, top, pad);
  const g = new Graph();
  g.setGraph({ rankdir: 'TB', nodesep: 28, ranksep: 44, marginx: 0, marginy: 0 });
  g.setDefaultEdgeLabel(() => ({}));
  for (const { child, sized } of sizes) g.setNode(child.id, { width: sized.width, height: sized.height });
  for (const e of node.edges) if (g.hasNode(e.source) && g.hasNode(e.target)) g.setEdge(e.source, e.target);
  dagreLayout(g);
  let minX = Infinity;
  let minY = Infinity;
  let maxX = -Infinity;
  let maxY = -Infinity;
  const centred = sizes.map(({ child, sized }) => {
    const n = g.node(child.id) as { x: number; y: number };
    const x = n.x - sized.width / 2;
    const y = n.y - sized.height / 2;
    minX = Math.min(minX, x);
    minY = Math.min(minY, y);
    maxX = Math.max(maxX, x + sized.width);
    maxY = Math.max(maxY, y + sized.height);
    return { child, sized, x, y };
  });
  const inner = centred.map((c) => ({ ...c, x: c.x - minX + pad, y: c.y - minY + top }));
  return { width: maxX - minX + 2 * pad, height: maxY - minY + top + pad, inner };
}

/**
 * Most flows run one action after another: when the edges of a scope only form chains (no action
 * waits for two, none is waited for by two), each chain is a column, in order, without dagre
 * (which spends most of a 200-action layout finding that out).
 */
function chainsOf(node: GraphNode): string[][] | null {
  const next = new Map<string, string>();
  const hasPrev = new Set<string>();
  for (const e of node.edges) {
    if (next.has(e.source) || hasPrev.has(e.target)) return null;
    next.set(e.source, e.target);
    hasPrev.add(e.target);
  }
  const chains: string[][] = [];
  let seen = 0;
  for (const c of node.children) {
    if (hasPrev.has(c.id)) continue;
    const chain = [c.id];
    for (let id = next.get(c.id); id !== undefined; id = next.get(id)) chain.push(id);
    seen += chain.length;
    chains.push(chain);
  }
  return seen === node.children.length ? chains : null; // a cycle: leave it to dagre
}

const NODE_GAP = 44;
const COLUMN_GAP = 28;

function stackChains(
  chains: string[][],
  sizes: Array<{ child: GraphNode; sized: Sized }>,
  top: number,
  pad: number,
): Sized {
  const byId = new Map(sizes.map((s) => [s.child.id, s]));
  const inner: Sized['inner'] = [];
  let x = pad;
  let bottom = top;
  for (const chain of chains) {
    const width = Math.max(...chain.map((id) => byId.get(id)!.sized.width));
    let y = top;
    for (const id of chain) {
      const { child, sized } = byId.get(id)!;
      inner.push({ child, sized, x: x + (width - sized.width) / 2, y });
      y += sized.height + NODE_GAP;
    }
    bottom = Math.max(bottom, y - NODE_GAP);
    x += width + COLUMN_GAP;
  }
  return { width: x - COLUMN_GAP + pad, height: bottom + pad, inner };
}

/** Every node with its place, parents before their children (as React Flow needs them). */
export function layoutGraph(root: GraphNode): { placed: Placed[]; width: number; height: number } {
  const sized = size(root);
  const placed: Placed[] = [];
  const walk = (s: Sized, parentId: string | undefined): void => {
    for (const { child, x, y, sized: cs } of s.inner) {
      placed.push({
        id: child.id,
        node: child,
        x,
        y,
        width: cs.width,
        height: cs.height,
        ...(parentId ? { parentId } : {}),
      });
      walk(cs, child.id);
    }
  };
  walk(sized, undefined);
  return { placed, width: sized.width, height: sized.height };
}
