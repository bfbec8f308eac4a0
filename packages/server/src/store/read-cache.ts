/**
 * A read cache in front of a Store for what every trigger call reads and hardly anything changes:
 * the flow (getFlow), the automation switches (settings under `auth.automation`) and the
 * environment's app settings (`environment.appSettings:<id>`, read as each run starts). Entries live
 * `ttlMs` (default 1 s); any write through this store that could change them clears the cache at
 * once, so this process never reads its own stale writes. Other processes sharing a PostgreSQL
 * database see a change within `ttlMs`; the workers of `flowbridge start --workers` tell each other
 * (`peers`: through their primary, clusterCachePeers), so there a change shows at once.
 */
import type { Flow } from './flow-types.js';
import type { Store } from './types.js';

/** Other processes with read caches of their own on the same database. */
export interface CachePeers {
  /** Tells them that a write through this store may have made their cached reads stale. */
  changed(): void;
  /** Subscribes to their writes. */
  onChanged(listener: () => void): void;
}

/** What a worker sends its primary (and the primary the other workers) after such a write. */
export const CACHE_MESSAGE = { flowbridge: 'cache' } as const;

export function isCacheMessage(message: unknown): boolean {
  return (
    typeof message === 'object' && message !== null && (message as { flowbridge?: unknown }).flowbridge === 'cache'
  );
}

/** The other workers of `flowbridge start --workers`, over the IPC channel to the primary. */
export function clusterCachePeers(): CachePeers {
  return {
    changed: () => void process.send?.(CACHE_MESSAGE),
    onChanged: (listener) => {
      process.on('message', (message: unknown) => {
        if (isCacheMessage(message)) listener();
      });
    },
  };
}

const CACHED_SETTING = /^(auth\.automation|environment\.appSettings:)/;

/** Writes after which cached flows or settings may be stale. */
const INVALIDATING = new Set<string>([
  'createFlow',
  'saveFlowVersion',
  'updateFlow',
  'deleteFlow',
  'setSetting',
  'initSetting',
  'deleteSetting',
  'pruneRunsOlderThan',
]);

/** A peek that found no settled, fresh entry: the caller reads through the store as usual. */
export const MISS: unique symbol = Symbol('read-cache miss');

interface Peeks {
  flow(id: string): unknown;
  setting(key: string): unknown;
}
/** The cache of each store this module wrapped, by the wrapper: only these peeks can answer. */
const peeks = new WeakMap<object, Peeks>();

/**
 * The flow `getFlow(id)` would resolve to, when the read cache of `store` holds it settled and
 * fresh; MISS otherwise (and always for a store without a read cache). Lets the trigger path skip
 * a microtask turn per cached read; what it returns is what awaiting getFlow would give.
 */
export function cachedFlow(store: object, id: string): Flow | undefined | typeof MISS {
  const peek = peeks.get(store);
  // What the entry holds is what getFlow resolved to.
  return peek ? (peek.flow(id) as Flow | undefined | typeof MISS) : MISS;
}

/** As cachedFlow, for a setting the cache keeps (`auth.automation...`, `environment.appSettings:...`). */
export function cachedSetting(store: object, key: string): unknown {
  // A setting the cache does not keep is never in it: MISS without testing the key.
  const peek = peeks.get(store);
  return peek ? peek.setting(key) : MISS;
}

interface Entry {
  at: number;
  value: Promise<unknown>;
  /** Set once `value` resolved while this entry was still the cache's (no write landed meanwhile). */
  settled: boolean;
  result: unknown;
}

export function withReadCache(
  store: Store,
  options: { ttlMs?: number; now?: () => number; peers?: CachePeers } = {},
): Store {
  const ttl = options.ttlMs ?? 1000;
  const now = options.now ?? Date.now;
  // Flows by id and settings by key: apart, so that no prefixed key is built for each read.
  const flows = new Map<string, Entry>();
  const settings = new Map<string, Entry>();
  let generation = 0;
  const forget = (): void => {
    generation++;
    flows.clear();
    settings.clear();
  };
  options.peers?.onChanged(forget);

  const cached = <T>(cache: Map<string, Entry>, key: string, load: () => Promise<T>): Promise<T> => {
    const hit = cache.get(key);
    const t = now();
    if (hit && t - hit.at < ttl) return hit.value as Promise<T>;
    const started = generation;
    const value = load();
    const entry: Entry = { at: t, value, settled: false, result: undefined };
    // A write that lands while this read is under way may make it stale: keep it only if none did.
    value.then(
      (result) => {
        if (generation !== started) cache.delete(key);
        else if (cache.get(key) === entry) {
          entry.settled = true;
          entry.result = result;
        }
      },
      () => cache.delete(key),
    );
    if (cache.size > 10_000) cache.clear();
    cache.set(key, entry);
    return value;
  };
  const peek = (cache: Map<string, Entry>, key: string): unknown => {
    const hit = cache.get(key);
    return hit?.settled && now() - hit.at < ttl ? hit.result : MISS;
  };

  const bound = new Map<PropertyKey, unknown>();
  const wrapped = new Proxy(store, {
    get(target, prop, receiver) {
      if (bound.has(prop)) return bound.get(prop);
      const made = wrap(target, prop, receiver);
      if (typeof made === 'function') bound.set(prop, made);
      return made;
    },
  });
  peeks.set(wrapped, { flow: (id) => peek(flows, id), setting: (key) => peek(settings, key) });
  return wrapped;

  function wrap(target: Store, prop: PropertyKey, receiver: unknown): unknown {
    const original = Reflect.get(target, prop, receiver) as unknown;
    if (typeof original !== 'function') return original;
    const fn = original as (...args: unknown[]) => unknown;
    if (prop === 'getFlow') {
      return (id: string, opts?: { includeDeleted?: boolean }) =>
        opts?.includeDeleted
          ? fn.call(target, id, opts)
          : cached(flows, id, () => fn.call(target, id) as Promise<unknown>);
    }
    if (prop === 'getSetting') {
      return (key: string) =>
        CACHED_SETTING.test(key)
          ? cached(settings, key, () => fn.call(target, key) as Promise<unknown>)
          : fn.call(target, key);
    }
    if (typeof prop === 'string' && INVALIDATING.has(prop)) {
      return (...args: unknown[]) => {
        forget();
        const result = fn.apply(target, args) as Promise<unknown>;
        // Clear again when the write is done: a read cached meanwhile may predate it. The peers
        // are told then, so that what they read next is the write's result.
        return result.finally(() => {
          forget();
          options.peers?.changed();
        });
      };
    }
    return fn.bind(target);
  }
}
