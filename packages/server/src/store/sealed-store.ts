/**
 * Secrets at rest: a Store whose secrets are sealed (AES-GCM under the master key, secrets/) before
 * they reach the database, and opened when read back, so the data folder, a backup or a database
 * dump never holds them in clear. What is sealed:
 *
 * - settings that are secrets: the token signing key, the callback and approval-link secrets;
 * - flows' trigger access keys;
 * - the values of `securestring` / `secureobject` parameters saved with a flow version;
 * - a run's parameter values (its RunInit), its trigger outputs when the trigger secures them
 *   (`runtimeConfiguration.secureData`), the results (outputs) in its event journal of the
 *   actions that secure their outputs, and what callbacks delivered (journal and callbacks table). Action records need none of this: the engine writes the
 *   secured mask there, never the value.
 *
 * Values written in clear by an earlier version still read (opening passes a clear value through);
 * they are sealed when next written, and secret settings are resealed at once when read. Everyone
 * else keeps using the Store interface unchanged: only this module knows what is sealed.
 */
import { randomBytes } from 'node:crypto';
import { isRecord } from '@flowbridge/engine';
import { isSealed, type SecretBox } from '../secrets/index.js';
import type { FlowVersion, Json, NewRun, RunUpdate, StepWrite, Store } from './types.js';
import { endsInOneUnit } from './packed-records.js';

const SECRET_SETTINGS = new Set(['auth.jwtSigningKey', 'host.callbackSecret', 'approvals.linkSecret']);
const SECURE_TYPES = new Set(['securestring', 'secureobject']);
/** How a sealed JSON value sits inside a larger one (a parameter value, a RunInit part). */
const SEALED = '$sealed';

export function withSealedSecrets(store: Store, box: SecretBox): Store {
  const openText = (text: string, context: string): unknown => {
    const opened = box.open(text, context);
    // Coded, so `flowbridge start` says it in one line (a changed FLOWBRIDGE_SECRET_KEY, say).
    if (!opened.ok) throw Object.assign(new Error(`${context}: ${opened.error.message}`), { code: opened.error.code });
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

  // Whether a flow version's trigger secures its outputs: versions never change, so it is kept,
  // as the answer once known (then a run's write is sealed without waiting: the hot path).
  const securedTriggers = new Map<string, boolean | Promise<boolean>>();
  const triggerSecured = (flowId: string, version: number, trigger: string): boolean | Promise<boolean> => {
    const key = `${flowId}\n${version}\n${trigger.toLowerCase()}`;
    let known = securedTriggers.get(key);
    if (known === undefined) {
      const asked = store
        .getFlowVersion(flowId, version)
        .then((v) => (v ? securesOutputs(v.definition, trigger) : false));
      if (securedTriggers.size > 10_000) securedTriggers.clear();
      securedTriggers.set(key, asked);
      asked.then(
        (answer) => securedTriggers.get(key) === asked && securedTriggers.set(key, answer),
        () => securedTriggers.delete(key),
      );
      known = asked;
    }
    return known;
  };

  /** The init with its parameters sealed, and its trigger's outputs when `secured`: a copy only if one is. */
  const sealedInit = (init: Record<string, unknown>, secured: boolean): Json => {
    const context = `run:${String(init.runId)}`;
    const sealParameters =
      init.parameters !== undefined && !(isRecord(init.parameters) && isSealed(init.parameters[SEALED]));
    if (!sealParameters && !secured) return init as Json;
    const out: Record<string, unknown> = { ...init };
    if (sealParameters) out.parameters = sealValue(init.parameters, context);
    if (secured) {
      const trigger = init.trigger as Record<string, unknown>;
      out.trigger = { ...trigger, outputs: sealValue(trigger.outputs, context) };
    }
    return out as Json;
  };
  /** The init sealed: at once when whether its trigger secures its outputs is known. */
  const sealInit = (init: Json): Json | Promise<Json> => {
    if (!isRecord(init)) return init;
    const workflow = isRecord(init.workflow) ? init.workflow : {};
    const trigger = isRecord(init.trigger) ? init.trigger : undefined;
    const secured =
      trigger !== undefined &&
      trigger.outputs !== undefined &&
      typeof workflow.id === 'string' &&
      typeof trigger.name === 'string' &&
      triggerSecured(workflow.id, Number(workflow.version ?? 0), trigger.name);
    return secured === false || secured === true
      ? sealedInit(init, secured)
      : secured.then((answer) => sealedInit(init, answer));
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
  // Which actions of a flow version secure their outputs; and which flow version each run runs.
  const securedActionsOf = new Map<string, Promise<Set<string>>>();
  const securedActions = (flowId: string, version: number): Promise<Set<string>> => {
    const key = `${flowId}\n${version}`;
    let known = securedActionsOf.get(key);
    if (!known) {
      known = store
        .getFlowVersion(flowId, version)
        .then((v) => (v ? actionsSecuringOutputs(v.definition) : new Set<string>()));
      if (securedActionsOf.size > 10_000) securedActionsOf.clear();
      securedActionsOf.set(key, known);
      known.catch(() => securedActionsOf.delete(key));
    }
    return known;
  };
  const runFlows = new Map<string, { flowId: string; version: number }>();
  const noteRun = (runId: string, flowId: string, version: number): void => {
    if (runFlows.size > 100_000) runFlows.clear(); // the fallback below reads it again
    runFlows.set(runId, { flowId, version });
  };
  const flowOfRun = async (runId: string): Promise<{ flowId: string; version: number } | undefined> => {
    const known = runFlows.get(runId);
    if (known) return known;
    const run = await store.getRun(runId);
    if (!run) return undefined;
    noteRun(runId, run.flowId, run.flowVersion);
    return { flowId: run.flowId, version: run.flowVersion };
  };
  const actionName = (event: Record<string, unknown>): string | undefined =>
    event.kind === 'effectResult' && typeof event.path === 'string'
      ? event.path.split('/').pop()?.toLowerCase()
      : undefined;
  /** The events with what they carry sealed; the same array, at once, when none carries anything. */
  const sealEvents = (runId: string, events: Json[] | undefined): Json[] | undefined | Promise<Json[]> => {
    if (!events?.some((e) => isRecord(e) && (actionName(e) !== undefined || e.kind === 'callback'))) return events;
    return sealCarried(runId, events);
  };
  const sealCarried = async (runId: string, events: Json[]): Promise<Json[]> => {
    const context = `run:${runId}`;
    let secured = new Set<string>();
    if (events.some((e) => isRecord(e) && actionName(e) !== undefined)) {
      const flow = await flowOfRun(runId);
      if (flow) secured = await securedActions(flow.flowId, flow.version);
    }
    return events.map((e) => {
      if (!isRecord(e)) return e;
      // What a callback delivers (a webhook's notification, an approval's outcome) may be secret
      // and is not tied to an action name here: it is always sealed.
      if (e.kind === 'callback' && e.payload !== undefined) return { ...e, payload: sealValue(e.payload, context) };
      const name = actionName(e);
      if (name === undefined || e.result === undefined || !secured.has(name)) return e;
      return { ...e, result: sealValue(e.result, context) };
    }) as Json[];
  };
  const openEvents = (runId: string, events: Json[]): Json[] =>
    events.map((e) => {
      if (!isRecord(e)) return e;
      const context = `run:${runId}`;
      if (e.kind === 'effectResult' && e.result !== undefined)
        return { ...e, result: openValue(e.result, context) } as Json;
      if (e.kind === 'callback' && e.payload !== undefined)
        return { ...e, payload: openValue(e.payload, context) } as Json;
      return e;
    });

  const sealUpdate = async (update: RunUpdate | undefined): Promise<RunUpdate | undefined> =>
    update?.init === undefined ? update : { ...update, init: await sealInit(update.init) };
  /** The step sealed; the step itself, at once, when it carries nothing to seal (the hot path). */
  const sealStep = (runId: string, step: StepWrite | undefined): StepWrite | undefined | Promise<StepWrite> => {
    if (!step) return step;
    const events = sealEvents(runId, step.events);
    if (step.runUpdate?.init === undefined && events === step.events) return step;
    return (async () => {
      const out: StepWrite = { ...step };
      if (step.runUpdate?.init !== undefined) out.runUpdate = await sealUpdate(step.runUpdate);
      const sealed = await events;
      if (sealed) out.events = sealed;
      return out;
    })();
  };
  /** `ends`: the run ends in the write that creates it: no later events of it will need its flow. */
  const sealRun = (run: NewRun, ends = false): NewRun | Promise<NewRun> => {
    if (run.id && !ends) noteRun(run.id, run.flowId, run.flowVersion);
    const init = sealInit(run.init);
    if (init instanceof Promise) return init.then((sealed) => ({ ...run, init: sealed }));
    return init === run.init ? run : { ...run, init };
  };

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
    createRun: (run, step) => {
      try {
        const sealed = sealRun(run, step !== undefined && endsInOneUnit(step));
        const sealedStep = run.id ? sealStep(run.id, step) : step;
        // Nothing to wait for (what secures is known: the hot path of a trigger call): no await.
        if (!(sealed instanceof Promise) && !(sealedStep instanceof Promise))
          return store.createRun(sealed, sealedStep);
        return Promise.all([sealed, sealedStep]).then(([r, s]) => store.createRun(r, s));
      } catch (error) {
        return Promise.reject(error as Error);
      }
    },
    queueRun: async (run, capacity) => store.queueRun(await sealRun(run), capacity),
    commitStep: async (runId, step) => store.commitStep(runId, (await sealStep(runId, step)) ?? step),
    resolveCallback: async (key, payload, then) =>
      store.resolveCallback(key, sealValue(payload, `callback:${key}`), then),
    getCallback: async (key) => {
      const callback = await store.getCallback(key);
      return callback ? { ...callback, payload: openValue(callback.payload, `callback:${key}`) as Json } : callback;
    },
    appendEvents: async (runId, events) => store.appendEvents(runId, (await sealEvents(runId, events)) ?? events),
    updateRun: async (runId, update) => store.updateRun(runId, (await sealUpdate(update)) ?? update),
    loadRunHistory: async (runId) => {
      const history = await store.loadRunHistory(runId);
      return { ...history, init: openInit(history.init), events: openEvents(runId, history.events) };
    },
    getRun: async (id, options) => {
      const run = await store.getRun(id, options);
      return run ? { ...run, init: openInit(run.init) } : run;
    },
    // The run and its history in one snapshot (GET /runs/{id}?expand=actions): opened like the two above.
    readRun: async (id) => {
      const read = await store.readRun(id);
      if (!read) return read;
      const { run, history } = read;
      return {
        run: { ...run, init: openInit(run.init) },
        history: { ...history, init: openInit(history.init), events: openEvents(id, history.events) },
      };
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
  return securedOutputs(prop(prop(definition, 'triggers'), triggerName));
}

function securedOutputs(node: unknown): boolean {
  const secure = prop(prop(prop(node, 'runtimeConfiguration'), 'secureData'), 'properties');
  return Array.isArray(secure) && secure.some((p) => String(p).toLowerCase() === 'outputs');
}

/** The lower-cased names of the actions, at any depth, that secure their outputs. */
function actionsSecuringOutputs(definition: unknown): Set<string> {
  const names = new Set<string>();
  const visit = (actions: unknown): void => {
    if (!isRecord(actions)) return;
    for (const [name, node] of Object.entries(actions)) {
      if (securedOutputs(node)) names.add(name.toLowerCase());
      visit(prop(node, 'actions'));
      visit(prop(prop(node, 'else'), 'actions'));
      visit(prop(prop(node, 'default'), 'actions'));
      const cases = prop(node, 'cases');
      if (isRecord(cases)) for (const c of Object.values(cases)) visit(prop(c, 'actions'));
    }
  };
  visit(prop(definition, 'actions'));
  return names;
}
