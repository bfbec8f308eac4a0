/**
 * JavaScriptCode (spec §6.22): runs an inline snippet in a QuickJS (WASM) sandbox with memory
 * and time limits. `node:vm` is not a sandbox, so it is never used for user code. The snippet
 * is a function body that sees a read-only `workflowContext`; what it returns becomes
 * outputs.body.
 */
import type { InterruptHandler, QuickJSContext, QuickJSHandle, QuickJSWASMModule } from 'quickjs-emscripten';
import { toJsonText } from './content.js';
import { failed, isRecord, prop, type EffectCommand, type EffectContext, type EffectResult } from './types.js';

export interface JavaScriptLimits {
  /** Wall-clock budget for one run of the snippet (LA-Std: 15 s). */
  timeoutMs?: number;
  /** Heap limit of the sandbox. */
  memoryLimitBytes?: number;
  /** Longest accepted snippet (LA-Std: 100,000 characters). */
  maxCodeLength?: number;
}

export const defaultJavaScriptLimits: Required<JavaScriptLimits> = {
  timeoutMs: 15_000,
  memoryLimitBytes: 64 * 1024 * 1024,
  maxCodeLength: 100_000,
};

/** `{workflow: {name}, trigger: <trigger record>, actions: {<name>: <action record>}}`. */
export interface WorkflowContextData {
  workflow: { name: string; id?: string; run?: { id: string } };
  trigger: unknown;
  actions: Record<string, unknown>;
}

export interface JavaScriptEffectOptions {
  limits?: JavaScriptLimits;
  /**
   * Supplies workflowContext when the engine did not attach one to the inputs (the host knows
   * the trigger and the action records it has seen).
   */
  workflowContext?: (command: EffectCommand) => WorkflowContextData;
}

interface QuickJS {
  module: QuickJSWASMModule;
  shouldInterruptAfterDeadline: (deadline: number) => InterruptHandler;
}

// One WASM module for the process; each run gets its own runtime, so limits and globals never
// leak between snippets. The library and its WASM load when the first snippet runs, not at server
// start: most servers never run one.
let quickJSPromise: Promise<QuickJS> | undefined;
function quickJS(): Promise<QuickJS> {
  quickJSPromise ??= import('quickjs-emscripten').then(async (lib) => ({
    module: await lib.getQuickJS(),
    shouldInterruptAfterDeadline: lib.shouldInterruptAfterDeadline,
  }));
  return quickJSPromise;
}

const prelude = `
globalThis.console = { log() {}, info() {}, warn() {}, error() {}, debug() {} };
globalThis.__freeze = function freeze(v) {
  if (v !== null && typeof v === 'object' && !Object.isFrozen(v)) {
    Object.freeze(v);
    for (const k of Object.keys(v)) freeze(v[k]);
  }
  return v;
};`;

export async function performJavaScript(
  command: EffectCommand,
  context: EffectContext,
  options: JavaScriptEffectOptions = {},
): Promise<EffectResult> {
  const startTime = new Date(context.now()).toISOString();
  const stamp = (result: EffectResult): EffectResult => ({
    ...result,
    startTime,
    endTime: new Date(context.now()).toISOString(),
  });
  const limits = { ...defaultJavaScriptLimits, ...options.limits };
  const code = prop(command.inputs, 'code');
  if (typeof code !== 'string') {
    return stamp(failed('InlineCodeInvalidInputs', `Action '${command.actionName}' needs a 'code' string.`));
  }
  if (code.length > limits.maxCodeLength) {
    return stamp(
      failed(
        'InlineCodeScriptTooLong',
        `The script of '${command.actionName}' has ${code.length} characters; the limit is ${limits.maxCodeLength}.`,
      ),
    );
  }
  const attached = prop(command.inputs, 'workflowContext');
  const workflowContext: unknown = isRecord(attached)
    ? attached
    : (options.workflowContext?.(command) ?? { workflow: { name: context.workflow.name }, trigger: null, actions: {} });
  return stamp(await runScript(code, workflowContext, limits, command.actionName));
}

/** Runs a snippet and returns its JSON-able result; exported for the durable host and tests. */
export async function runScript(
  code: string,
  workflowContext: unknown,
  limits: Required<JavaScriptLimits>,
  actionName = 'script',
): Promise<EffectResult> {
  const { module, shouldInterruptAfterDeadline } = await quickJS();
  const runtime = module.newRuntime();
  runtime.setMemoryLimit(limits.memoryLimitBytes);
  runtime.setMaxStackSize(1024 * 1024);
  const deadline = Date.now() + limits.timeoutMs;
  runtime.setInterruptHandler(shouldInterruptAfterDeadline(deadline));
  const vm = runtime.newContext();
  const classify = (handle: QuickJSHandle): EffectResult => {
    const error = describeError(vm, handle);
    handle.dispose();
    if (/out of memory/i.test(error)) {
      return failed(
        'InlineCodeScriptMemoryLimitExceeded',
        `The script of '${actionName}' exceeded the memory limit of ${limits.memoryLimitBytes} bytes.`,
      );
    }
    if (/interrupted/i.test(error) && Date.now() >= deadline) {
      return failed(
        'InlineCodeScriptTimeout',
        `The script of '${actionName}' did not finish within ${limits.timeoutMs} ms.`,
      );
    }
    return failed('InlineCodeScriptRuntimeFailure', `The script of '${actionName}' failed: ${error}`);
  };
  try {
    const setup = vm.evalCode(
      `${prelude}\nglobalThis.workflowContext = __freeze(JSON.parse(${JSON.stringify(toJsonText(workflowContext))}));\ndelete globalThis.__freeze;`,
    );
    if (setup.error) return classify(setup.error);
    setup.value.dispose();

    const evaluated = vm.evalCode(`(function () {\n${code}\n}).call(undefined)`, `${actionName}.js`);
    if (evaluated.error) return classify(evaluated.error);
    let value = evaluated.value;
    // An async snippet returns a promise: run its jobs until it settles (the deadline still applies).
    if (vm.typeof(value) === 'object') {
      let state = vm.getPromiseState(value);
      while (state.type === 'pending') {
        const jobs = runtime.executePendingJobs();
        if (jobs.error) {
          value.dispose();
          return classify(jobs.error);
        }
        jobs.dispose();
        state = vm.getPromiseState(value);
        if (state.type === 'pending' && !runtime.hasPendingJob()) {
          value.dispose();
          return failed(
            'InlineCodeScriptRuntimeFailure',
            `The script of '${actionName}' returned a promise that never settles.`,
          );
        }
      }
      if (state.type === 'rejected') {
        value.dispose();
        return classify(state.error);
      }
      // For a non-promise, state.value is the very handle we hold: keep it alive.
      if (!state.notAPromise) {
        value.dispose();
        value = state.value;
      }
    }
    return serialise(vm, value, actionName, classify);
  } finally {
    vm.dispose();
    runtime.dispose();
  }
}

function serialise(
  vm: QuickJSContext,
  value: QuickJSHandle,
  actionName: string,
  classify: (handle: QuickJSHandle) => EffectResult,
): EffectResult {
  if (vm.typeof(value) === 'undefined') {
    value.dispose();
    return { status: 'Succeeded', outputs: { body: null } };
  }
  const json = vm.getProp(vm.global, 'JSON');
  const stringify = vm.getProp(json, 'stringify');
  const text = vm.callFunction(stringify, json, value);
  stringify.dispose();
  json.dispose();
  value.dispose();
  if (text.error) {
    const result = classify(text.error);
    if (result.error?.code !== 'InlineCodeScriptRuntimeFailure') return result;
    return failed(
      'InlineCodeResultNotSerializable',
      `The result of '${actionName}' is not JSON: ${result.error.message}`,
    );
  }
  const kind = vm.typeof(text.value);
  const body = kind === 'string' ? (JSON.parse(vm.getString(text.value)) as unknown) : null;
  text.value.dispose();
  return { status: 'Succeeded', outputs: { body } };
}

function describeError(vm: QuickJSContext, handle: QuickJSHandle): string {
  let dumped: unknown;
  try {
    dumped = vm.dump(handle);
  } catch {
    return 'unknown error';
  }
  if (isRecord(dumped)) {
    const name = typeof dumped.name === 'string' ? dumped.name : 'Error';
    const message = typeof dumped.message === 'string' ? dumped.message : JSON.stringify(dumped);
    return `${name}: ${message}`;
  }
  // A thrown non-Error value (throw "x", throw 42).
  return typeof dumped === 'string' ? dumped : (JSON.stringify(dumped) ?? String(dumped));
}
