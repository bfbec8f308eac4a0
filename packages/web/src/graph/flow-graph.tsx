// Draws a FlowGraph with React Flow: actions as boxes, containers as frames holding their actions
// (If's branches and Switch's cases side by side), runAfter edges labelled when they wait for more
// than Succeeded. On a run, each box takes its action's status colour and shows its duration.
// Selecting a box (click, or Enter on a focused box) tells the page which action to show.
import { useMemo } from 'react';
import {
  Background,
  Controls,
  Handle,
  MarkerType,
  MiniMap,
  Position,
  ReactFlow,
  type Edge,
  type Node,
  type NodeProps,
} from '@xyflow/react';
import '@xyflow/react/dist/style.css';
import { statusTone } from '../format.js';
import { layoutGraph } from './layout.js';
import type { FlowGraph, GraphEdge, GraphNode } from './model.js';

export interface StepState {
  status: string;
  duration?: string;
}

interface StepData extends Record<string, unknown> {
  node: GraphNode;
  state?: StepState;
  selected: boolean;
}

type StepNode = Node<StepData, 'step' | 'frame'>;

function Step({ data }: NodeProps<StepNode>) {
  const { node, state } = data;
  return (
    <div
      className={`step kind-${node.kind} tone-${state ? statusTone(state.status) : 'none'}${data.selected ? ' chosen' : ''}`}
    >
      <Handle type="target" position={Position.Top} isConnectable={false} />
      <div className="step-name" title={node.name}>
        {node.name}
      </div>
      <div className="step-meta">
        <span>
          {node.kind === 'trigger' ? `Trigger · ${node.type}${node.detail ? ` (${node.detail})` : ''}` : node.type}
        </span>
        {state ? (
          <span className="step-status">
            {state.status}
            {state.duration ? ` · ${state.duration}` : ''}
          </span>
        ) : null}
      </div>
      <Handle type="source" position={Position.Bottom} isConnectable={false} />
    </div>
  );
}

function Frame({ data }: NodeProps<StepNode>) {
  const { node, state } = data;
  const branch = node.kind === 'branch';
  return (
    <div
      className={`frame kind-${node.kind} tone-${state ? statusTone(state.status) : 'none'}${data.selected ? ' chosen' : ''}`}
    >
      {branch ? null : <Handle type="target" position={Position.Top} isConnectable={false} />}
      <div className="frame-head" title={node.detail ?? node.name}>
        <strong>{node.name}</strong> <span className="muted">{branch ? (node.detail ?? '') : node.type}</span>
        {state ? (
          <span className="step-status">
            {' '}
            {state.status}
            {state.duration ? ` · ${state.duration}` : ''}
          </span>
        ) : null}
      </div>
      {node.children.length === 0 ? <div className="frame-empty muted">No actions</div> : null}
      {branch ? null : <Handle type="source" position={Position.Bottom} isConnectable={false} />}
    </div>
  );
}

const nodeTypes = { step: Step, frame: Frame };

function allEdges(node: GraphNode): GraphEdge[] {
  return [...node.edges, ...node.children.flatMap(allEdges)];
}

export function FlowGraphView({
  graph,
  states,
  selected,
  onSelect,
  label,
}: {
  graph: FlowGraph;
  /** By action (or trigger) name. */
  states?: Map<string, StepState>;
  selected?: string | null;
  onSelect?: (name: string) => void;
  label: string;
}) {
  const laid = useMemo(() => layoutGraph(graph.root), [graph]);
  const nodes = useMemo<StepNode[]>(
    () =>
      laid.placed.map((p) => {
        const leaf = p.node.kind === 'trigger' || p.node.kind === 'action';
        const state = p.node.kind === 'branch' ? undefined : states?.get(p.node.name);
        return {
          id: p.id,
          type: leaf ? 'step' : 'frame',
          position: { x: p.x, y: p.y },
          ...(p.parentId ? { parentId: p.parentId, extent: 'parent' as const } : {}),
          width: p.width,
          height: p.height,
          style: { width: p.width, height: p.height },
          data: { node: p.node, ...(state ? { state } : {}), selected: selected === p.node.name },
          selectable: p.node.kind !== 'branch',
          focusable: p.node.kind !== 'branch',
          draggable: false,
          ariaLabel: `${p.node.kind === 'trigger' ? 'Trigger' : p.node.kind === 'branch' ? 'Branch' : 'Action'} ${p.node.name}${
            state ? `: ${state.status}` : ''
          }`,
          zIndex: leaf ? 2 : 0,
        };
      }),
    [laid, states, selected],
  );
  const edges = useMemo<Edge[]>(
    () =>
      allEdges(graph.root).map((e) => ({
        id: e.id,
        source: e.source,
        target: e.target,
        type: 'smoothstep',
        markerEnd: { type: MarkerType.ArrowClosed },
        zIndex: 1,
        ...(e.label ? { label: e.label, className: 'labelled' } : {}),
      })),
    [graph],
  );
  // A large flow opens on its first steps at a readable zoom (the rest is a scroll away, and only
  // what is in view is drawn); a small one is shown whole.
  const fitOptions = useMemo(
    () =>
      graph.count > 60
        ? {
            maxZoom: 1,
            padding: 0.1,
            nodes: laid.placed
              .filter((p) => !p.parentId)
              .slice(0, 8)
              .map((p) => ({ id: p.id })),
          }
        : { maxZoom: 1, padding: 0.1 },
    [graph, laid],
  );
  return (
    <div className="graph" role="region" aria-label={label}>
      <ReactFlow
        nodes={nodes}
        edges={edges}
        nodeTypes={nodeTypes}
        fitView
        fitViewOptions={fitOptions}
        minZoom={0.05}
        nodesDraggable={false}
        nodesConnectable={false}
        edgesFocusable={false}
        onlyRenderVisibleElements={graph.count > 60}
        onNodeClick={(_e, n) => {
          const node = (n as StepNode).data.node;
          if (node.kind !== 'branch') onSelect?.(node.name);
        }}
        onKeyDown={(e) => {
          // Enter on a focused box selects it (React Flow focuses boxes with Tab).
          if (e.key !== 'Enter') return;
          const id = (e.target as HTMLElement).closest('[data-id]')?.getAttribute('data-id');
          const node = laid.placed.find((p) => p.id === id)?.node;
          if (node && node.kind !== 'branch') onSelect?.(node.name);
        }}
      >
        <Background />
        <Controls showInteractive={false} />
        {graph.count > 25 ? <MiniMap pannable zoomable ariaLabel="Overview of the flow" /> : null}
      </ReactFlow>
    </div>
  );
}
