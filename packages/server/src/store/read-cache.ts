/**
 * A read cache in front of a Store for what every trigger call reads and hardly anything changes:
 * the flow (getFlow) and the automation switches (settings under `auth.automation`). Entries live
 * `ttlMs` (default 1 s); any write through this store that could change them clears the cache at
 * once, so this process never reads its own stale writes. Other processes sharing a PostgreSQL
 * database see a change within `ttlMs`.
 */
import type { Store } from './types.js';

const CACHED_SETTING = /^auth\.automation/;

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

export function withReadCache(store: Store, options: { ttlMs?: number; now?: () => number } = {}): Store {
  const ttl = options.ttlMs ?? 1000;
  const now = options.now ?? Date.now;
  const cache = new Map<string, { at: number; value: Promise<unknown> }>();
  let generation = 0;

  const cached = <T>(key: string, load: () => Promise<T>): Promise<T> => {
    const hit = cache.get(key);
    const t = now();
    if (hit && t - hit.at < ttl) return hit.value as Promise<T>;
    const started = generation;
    const value = load();
    // A write that lands while this read is under way may make it stale: keep it only if none did.
    value.then(
      () => {
        if (generation !== started) cache.delete(key);
      },
      () => cache.delete(key),
    );
    if (cache.size > 10_000) cache.clear();
    cache.set(key, { at: t, value });
    return value;
  };

  const bound = new Map<PropertyKey, unknown>();
  return new Proxy(store, {
    get(target, prop, receiver) {
      if (bound.has(prop)) return bound.get(prop);
      const made = wrap(target, prop, receiver);
      if (typeof made === 'function') bound.set(prop, made);
      return made;
    },
  });

  function wrap(target: Store, prop: PropertyKey, receiver: unknown): unknown {
    const original = Reflect.get(target, prop, receiver) as unknown;
    if (typeof original !== 'function') return original;
    const fn = original as (...args: unknown[]) => unknown;
    if (prop === 'getFlow') {
      return (id: string, opts?: { includeDeleted?: boolean }) =>
        opts?.includeDeleted
          ? fn.call(target, id, opts)
          : cached(`flow:${id}`, () => fn.call(target, id) as Promise<unknown>);
    }
    if (prop === 'getSetting') {
      return (key: string) =>
        CACHED_SETTING.test(key)
          ? cached(`setting:${key}`, () => fn.call(target, key) as Promise<unknown>)
          : fn.call(target, key);
    }
    if (typeof prop === 'string' && INVALIDATING.has(prop)) {
      return (...args: unknown[]) => {
        generation++;
        cache.clear();
        const result = fn.apply(target, args) as Promise<unknown>;
        // Clear again when the write is done: a read cached meanwhile may predate it.
        return result.finally(() => {
          generation++;
          cache.clear();
        });
      };
    }
    return fn.bind(target);
  }
}
