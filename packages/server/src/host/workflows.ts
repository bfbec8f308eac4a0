/**
 * Compiled workflows cached per (flowId, version): versions are immutable, so a compiled workflow
 * serves every run of that version in this process without re-parsing its expressions.
 */
import { compileWorkflow, type Workflow } from '@flowbridge/engine';
import type { FlowStore, FlowVersion } from '../store/index.js';
import { isRecord } from '../util/json.js';
import { HostError } from './errors.js';

export interface CompiledVersion {
  workflow: Workflow;
  version: FlowVersion;
  parameters: Record<string, unknown> | undefined;
}

const MAX_ENTRIES = 1000;

/** One cached version: its load, and what it gave once loaded (for peek()). */
interface Entry {
  loading: Promise<CompiledVersion>;
  compiled: CompiledVersion | undefined;
}

export class WorkflowCache {
  /**
   * By flow id, then version number: the flow's id string is hashed once, where a `${id}@${n}` key
   * would be a new string to flatten and hash at every call (three per triggered run).
   */
  private readonly entries = new Map<string, Map<number, Entry>>();
  private size = 0;

  constructor(private readonly store: FlowStore) {}

  get(flowId: string, version: number): Promise<CompiledVersion> {
    const existing = this.entries.get(flowId)?.get(version);
    if (existing) return existing.loading;
    const loading = this.load(flowId, version);
    const entry: Entry = { loading, compiled: undefined };
    loading.then(
      (compiled) => {
        entry.compiled = compiled;
      },
      // A failed load must not stick: the next caller tries again.
      () => {
        if (this.entries.get(flowId)?.get(version) === entry) this.remove(flowId, version);
      },
    );
    this.add(flowId, version, entry);
    return loading;
  }

  /**
   * The compiled version when it is loaded already, else undefined (then get() it): every run
   * starts with one, and an await of a settled promise still costs a microtask turn.
   */
  peek(flowId: string, version: number): CompiledVersion | undefined {
    return this.entries.get(flowId)?.get(version)?.compiled;
  }

  /** Compiles a version the caller already holds (the save path), sharing the cache. */
  put(version: FlowVersion): CompiledVersion {
    const compiled = compile(version);
    const versions = this.entries.get(version.flowId);
    // Replacing an entry leaves the count as it was (as a Map's set does).
    if (versions?.has(version.version)) this.size--;
    this.add(version.flowId, version.version, { loading: Promise.resolve(compiled), compiled }, false);
    return compiled;
  }

  private add(flowId: string, version: number, entry: Entry, bounded = true): void {
    if (bounded && this.size >= MAX_ENTRIES) {
      this.entries.clear();
      this.size = 0;
    }
    let versions = this.entries.get(flowId);
    if (!versions) this.entries.set(flowId, (versions = new Map()));
    versions.set(version, entry);
    this.size++;
  }

  private remove(flowId: string, version: number): void {
    const versions = this.entries.get(flowId);
    if (!versions?.delete(version)) return;
    this.size--;
    if (versions.size === 0) this.entries.delete(flowId);
  }

  private async load(flowId: string, versionNumber: number): Promise<CompiledVersion> {
    const version = await this.store.getFlowVersion(flowId, versionNumber);
    if (!version) throw new HostError('NotFound', `Flow ${flowId} has no version ${versionNumber}.`, flowId);
    return compile(version);
  }
}

function compile(version: FlowVersion): CompiledVersion {
  const parameters = isRecord(version.parameters) ? version.parameters : undefined;
  const workflow = compileWorkflow(version.definition, parameters ? { parameters } : undefined);
  return { workflow, version, parameters };
}

export { isRecord };
