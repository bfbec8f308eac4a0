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
  /**
   * The entries that have resolved, by flow id then version, for callers that can go on without
   * awaiting (peek): no `id@version` key is built on that path.
   */
  private readonly ready = new Map<string, Map<number, CompiledVersion>>();

  constructor(private readonly store: FlowStore) {}

  get(flowId: string, version: number): Promise<CompiledVersion> {
    const key = `${flowId}@${version}`;
    let entry = this.entries.get(key);
    if (!entry) {
      const loading = this.load(flowId, version);
      entry = loading;
      loading.then(
        (compiled) => {
          if (this.entries.get(key) === loading) this.setReady(flowId, version, compiled);
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
   * The compiled version when it is loaded already (what `get` would resolve to), else undefined:
   * the trigger path then goes on in the same turn instead of awaiting a settled promise.
   */
  peek(flowId: string, version: number): CompiledVersion | undefined {
    return this.ready.get(flowId)?.get(version);
  }

  private setReady(flowId: string, version: number, compiled: CompiledVersion): void {
    let versions = this.ready.get(flowId);
    if (versions === undefined) {
      versions = new Map();
      this.ready.set(flowId, versions);
    }
    versions.set(version, compiled);
  }

  /** Compiles a version the caller already holds (the save path), sharing the cache. */
  put(version: FlowVersion): CompiledVersion {
    const compiled = compile(version);
    this.entries.set(`${version.flowId}@${version.version}`, Promise.resolve(compiled));
    this.setReady(version.flowId, version.version, compiled);
    return compiled;
  }

  private clear(): void {
    this.entries.clear();
    this.ready.clear();
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
