/**
 * Secrets at rest: a Store whose secrets are sealed (AES-GCM under the master key, secrets/) before
 * they reach the database, and opened when read back, so the data folder, a backup or a database
 * dump never holds them in clear. What is sealed:
 *
 * - settings that are secrets: the token signing key, the callback and approval-link secrets;
 * - flows' trigger access keys;
 * - the values of `securestring` / `secureobject` parameters saved with a flow version;
 * - a run's parameter values (its RunInit), and its trigger outputs when the trigger secures them
 *   (`runtimeConfiguration.secureData`).
 *
 * Values written in clear by an earlier version still read (opening passes a clear value through);
 * they are sealed when next written, and secret settings are resealed at once when read. Everyone
 * else keeps using the Store interface unchanged: only this module knows what is sealed.
 */
import { randomBytes } from 'node:crypto';
import { isRecord } from '@flowbridge/engine';
import { isSealed, type SecretBox } from '../secrets/index.js';
import type { FlowVersion, Json, NewRun, RunUpdate, StepWrite, Store } from './types.js';

const SECRET_SETTINGS = new Set(['auth.jwtSigningKey', 'host.callbackSecret', 'approvals.linkSecret']);
const SECURE_TYPES = new Set(['securestring', 'secureobject']);
/** How a sealed JSON value sits inside a larger one (a parameter value, a RunInit part). */
const SEALED = '$sealed';

export function withSealedSecrets(store: Store, box: SecretBox): Store {
  const openText = (text: string, context: string): unknown => {
    const opened = box.open(text, context);
    if (!opened.ok) throw new Error(`${context}: ${opened.error.message}`);
    return opened.value;
  };
  /** Opens what `sealValue` wrote; anything else is a clear value of an earlier version. */
  const openValue = (value: unknown, context: string): unknown =>
    isRecord(value) && isSealed(value[SEALED]) ? openText(value[SEALED], context) : value;
  const sealValue = (value: unknown, context: string): Json => ({ [SEALED]: box.seal(value, context) });

  const settingContext = (key: string): string => `setting:${key}`;
  const openSetting = (key: string, value: unknown): unknown =>
    SECRET_SETTINGS.has(key) && isSealed(value) ? openText(value, settingContext(key)) : value;
  const sealSetting = (key: string, value: unknown): unknown =>
    SECRET_SETTINGS.has(key) && value !== undefined ? box.seal(value, settingContext(key)) : value;

  const openKey = <T extends { accessKey: string }>(flow: T): T =>
    isSealed(flow.accessKey) ? { ...flow, accessKey: String(openText(flow.accessKey, 'flow:accessKey')) } : flow;
  const sealKey = (key: string | undefined): string | undefined =>
    key === undefined ? undefined : box.seal(key, 'flow:accessKey');

  const openVersion = (v: FlowVersion): FlowVersion => ({ ...v, parameters: openParameters(v.parameters) });
  const openParameters = (parameters: Json): Json => {
    if (!isRecord(parameters)) return parameters;
    return Object.fromEntries(
      Object.entries(parameters).map(([k, v]) => [k, openValue(v, 'flow:parameter') as Json]),
    ) as Json;
  };
  const sealParameters = (definition: Json, parameters: Json | undefined): Json | undefined => {
    if (!isRecord(parameters)) return parameters;
    const secure = secureParameterNames(definition);
    if (secure.size === 0) return parameters;
    return Object.fromEntries(
      Object.entries(parameters).map(([k, v]) => [
        k,
        secure.has(k.toLowerCase()) ? sealValue(v, 'flow:parameter') : (v as Json),
      ]),
    ) as Json;
  };

  // Whether a flow version's trigger secures its outputs: versions never change, so it is kept.
  const securedTriggers = new Map<string, Promise<boolean>>();
  const triggerSecured = (flowId: string, version: number, trigger: string): Promise<boolean> => {
    const key = `${flowId}\n${version}\n${trigger.toLowerCase()}`;
    let known = securedTriggers.get(key);
    if (!known) {
      known = store.getFlowVersion(flowId, version).then((v) => (v ? securesOutputs(v.definition, trigger) : false));
      if (securedTriggers.size > 10_000) securedTriggers.clear();
      securedTriggers.set(key, known);
      known.catch(() => securedTriggers.delete(key));
    }
    return known;
  };

  const sealInit = async (init: Json): Promise<Json> => {
    if (!isRecord(init)) return init;
    const out: Record<string, unknown> = { ...init };
    const context = `run:${String(init.runId)}`;
    if (init.parameters !== undefined && !(isRecord(init.parameters) && isSealed(init.parameters[SEALED]))) {
      out.parameters = sealValue(init.parameters, context);
    }
    const workflow = isRecord(init.workflow) ? init.workflow : {};
    const trigger = isRecord(init.trigger) ? init.trigger : undefined;
    if (
      trigger &&
      trigger.outputs !== undefined &&
      typeof workflow.id === 'string' &&
      typeof trigger.name === 'string' &&
      (await triggerSecured(workflow.id, Number(workflow.version ?? 0), trigger.name))
    ) {
      out.trigger = { ...trigger, outputs: sealValue(trigger.outputs, context) };
    }
    return out as Json;
  };
  const openInit = (init: Json): Json => {
    if (!isRecord(init)) return init;
    const context = `run:${String(init.runId)}`;
    const out: Record<string, unknown> = { ...init };
    if (init.parameters !== undefined) out.parameters = openValue(init.parameters, context);
    if (isRecord(init.trigger) && init.trigger.outputs !== undefined)
      out.trigger = { ...init.trigger, outputs: openValue(init.trigger.outputs, context) };
    return out as Json;
  };
  const sealUpdate = async (update: RunUpdate | undefined): Promise<RunUpdate | undefined> =>
    update?.init === undefined ? update : { ...update, init: await sealInit(update.init) };
  const sealStep = async (step: StepWrite | undefined): Promise<StepWrite | undefined> => {
    if (!step?.runUpdate?.init) return step;
    return { ...step, runUpdate: await sealUpdate(step.runUpdate) };
  };
  const sealRun = async (run: NewRun): Promise<NewRun> => ({ ...run, init: await sealInit(run.init) });

  const overrides: Partial<Store> = {
    // ---- settings
    getSetting: async (key) => {
      const value = await store.getSetting(key);
      if (SECRET_SETTINGS.has(key) && value !== undefined && !isSealed(value)) {
        // Written in clear by an earlier version: sealed now, the value itself stays.
        await store.setSetting(key, sealSetting(key, value) as Json);
      }
      return openSetting(key, value) as Json | undefined;
    },
    setSetting: (key, value) => store.setSetting(key, sealSetting(key, value) as Json),
    initSetting: async (key, value) =>
      openSetting(key, await store.initSetting(key, sealSetting(key, value) as Json)) as Json,

    // ---- flows
    createFlow: async (input) => {
      const { accessKey, parameters, ...rest } = input;
      // The store would make one in clear: it is made here, to be sealed.
      const sealedKey = sealKey(accessKey ?? randomBytes(32).toString('base64url'));
      const sealedParameters = sealParameters(input.definition, parameters);
      const created = await store.createFlow({
        ...rest,
        ...(sealedKey !== undefined ? { accessKey: sealedKey } : {}),
        ...(sealedParameters !== undefined ? { parameters: sealedParameters } : {}),
      });
      return { flow: openKey(created.flow), version: openVersion(created.version) };
    },
    saveFlowVersion: async (flowId, input) => {
      const { parameters, ...rest } = input;
      const sealedParameters = sealParameters(input.definition, parameters);
      return openVersion(
        await store.saveFlowVersion(flowId, {
          ...rest,
          ...(sealedParameters !== undefined ? { parameters: sealedParameters } : {}),
        }),
      );
    },
    getFlow: async (id, options) => {
      const flow = await store.getFlow(id, options);
      return flow ? openKey(flow) : flow;
    },
    listFlows: async (query) => (await store.listFlows(query)).map(openKey),
    updateFlow: async (id, patch) => {
      const { accessKey, ...rest } = patch;
      const sealedKey = sealKey(accessKey);
      return openKey(
        await store.updateFlow(id, { ...rest, ...(sealedKey !== undefined ? { accessKey: sealedKey } : {}) }),
      );
    },
    getFlowVersion: async (flowId, version) => {
      const v = await store.getFlowVersion(flowId, version);
      return v ? openVersion(v) : v;
    },
    listFlowVersions: async (flowId) => (await store.listFlowVersions(flowId)).map(openVersion),

    // ---- runs
    createRun: async (run, step) => store.createRun(await sealRun(run), await sealStep(step)),
    queueRun: async (run, capacity) => store.queueRun(await sealRun(run), capacity),
    commitStep: async (runId, step) => store.commitStep(runId, (await sealStep(step)) ?? step),
    updateRun: async (runId, update) => store.updateRun(runId, (await sealUpdate(update)) ?? update),
    loadRunHistory: async (runId) => {
      const history = await store.loadRunHistory(runId);
      return { ...history, init: openInit(history.init) };
    },
    getRun: async (id, options) => {
      const run = await store.getRun(id, options);
      return run ? { ...run, init: openInit(run.init) } : run;
    },
  };

  return new Proxy(store, {
    get(target, prop, receiver) {
      if (Object.prototype.hasOwnProperty.call(overrides, prop)) return overrides[prop as keyof Store];
      const value = Reflect.get(target, prop, receiver) as unknown;
      return typeof value === 'function' ? (value as (...a: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/** Case-insensitive property of a definition object (definitions are matched that way). */
function prop(obj: unknown, name: string): unknown {
  if (!isRecord(obj)) return undefined;
  const lower = name.toLowerCase();
  return Object.entries(obj).find(([k]) => k.toLowerCase() === lower)?.[1];
}

/** The lower-cased names of a definition's securestring / secureobject parameters. */
export function secureParameterNames(definition: unknown): Set<string> {
  const names = new Set<string>();
  const params = prop(definition, 'parameters');
  if (!isRecord(params)) return names;
  for (const [name, decl] of Object.entries(params)) {
    const type = prop(decl, 'type');
    if (typeof type === 'string' && SECURE_TYPES.has(type.toLowerCase())) names.add(name.toLowerCase());
  }
  return names;
}

function securesOutputs(definition: unknown, triggerName: string): boolean {
  const triggers = prop(definition, 'triggers');
  const trigger = prop(triggers, triggerName);
  const secure = prop(prop(prop(trigger, 'runtimeConfiguration'), 'secureData'), 'properties');
  return Array.isArray(secure) && secure.some((p) => String(p).toLowerCase() === 'outputs');
}
