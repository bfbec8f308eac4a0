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

export class WorkflowCache {
  private readonly entries = new Map<string, Promise<CompiledVersion>>();
  /** The entries loaded already, for peek(). */
  private readonly loaded = new Map<string, CompiledVersion>();

  constructor(private readonly store: FlowStore) {}

  get(flowId: string, version: number): Promise<CompiledVersion> {
    const key = `${flowId}@${version}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const loading = this.load(flowId, version);
      entry = loading;
      loading.then(
        (compiled) => {
          if (this.entries.get(key) === loading) this.loaded.set(key, compiled);
        },
        // A failed load must not stick: the next caller tries again.
        () => this.entries.delete(key),
      );
      if (this.entries.size >= MAX_ENTRIES) this.clear();
      this.entries.set(key, entry);
    }
    return entry;
  }

  /**
   * The compiled version when it is loaded already, else undefined (then get() it): every run
   * starts with one, and an await of a settled promise still costs a microtask turn.
   */
  peek(flowId: string, version: number): CompiledVersion | undefined {
    return this.loaded.get(`${flowId}@${version}`);
  }

  /** Compiles a version the caller already holds (the save path), sharing the cache. */
  put(version: FlowVersion): CompiledVersion {
    const compiled = compile(version);
    const key = `${version.flowId}@${version.version}`;
    this.entries.set(key, Promise.resolve(compiled));
    this.loaded.set(key, compiled);
    return compiled;
  }

  private clear(): void {
    this.entries.clear();
    this.loaded.clear();
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
