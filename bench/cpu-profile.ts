// Reads a V8 CPU profile (node --cpu-prof) of the bundled server and tells where the time went, by
// the original source file and function (through the bundle's source maps): the "profile's top
// entries" the README's Performance section quotes, made by `npm run bench -- profile`.
import { existsSync, readFileSync } from 'node:fs';
import { SourceMap } from 'node:module';
import { fileURLToPath } from 'node:url';

interface ProfileNode {
  id: number;
  callFrame: { functionName: string; url: string; lineNumber: number; columnNumber: number };
  children?: number[];
}
interface Profile {
  nodes: ProfileNode[];
  samples: number[];
  timeDeltas: number[];
}

export interface Share {
  /** `packages/server/src/store/runs.ts`, `node:zlib`, `(garbage collector)`... */
  where: string;
  /** Share of all samples, 0..1. */
  share: number;
}

export interface ProfileSummary {
  totalMs: number;
  /** Time spent in the file's own code. */
  selfByFile: Share[];
  /** Time spent in the file's code and everything it called (a file counted once per stack). */
  inclusiveByFile: Share[];
  /** `function file`, inclusive. */
  inclusiveByFunction: Share[];
}

/** Where a frame's code was written: the source map's original file, else the frame's own url. */
function locator(): (frame: ProfileNode['callFrame']) => { file: string; fn: string } {
  const maps = new Map<string, SourceMap | null>();
  const mapOf = (url: string): SourceMap | null => {
    if (!url.startsWith('file://')) return null;
    let map = maps.get(url);
    if (map === undefined) {
      const file = `${fileURLToPath(url)}.map`;
      map = existsSync(file) ? new SourceMap(JSON.parse(readFileSync(file, 'utf8')) as never) : null;
      maps.set(url, map);
    }
    return map;
  };
  const tidy = (path: string): string =>
    path.replace(/^(?:.*?\/)?((?:packages|node_modules)\/)/, '$1').replace(/^(\.\.\/)+/, '');
  return ({ url, lineNumber, columnNumber, functionName }) => {
    const fn = functionName || '(anonymous)';
    const entry = mapOf(url)?.findEntry(lineNumber, columnNumber);
    if (entry && 'originalSource' in entry && entry.originalSource) return { file: tidy(entry.originalSource), fn };
    return { file: url ? tidy(url.replace(/^file:\/\//, '')) : fn, fn };
  };
}

export function summarize(path: string, top = 15): ProfileSummary {
  const profile = JSON.parse(readFileSync(path, 'utf8')) as Profile;
  const where = locator();
  const nodes = new Map(profile.nodes.map((n) => [n.id, n]));
  const parent = new Map<number, number>();
  for (const n of profile.nodes) for (const c of n.children ?? []) parent.set(c, n.id);
  const spent = new Map<number, number>();
  let total = 0;
  profile.samples.forEach((id, i) => {
    const dt = profile.timeDeltas[i] ?? 0;
    spent.set(id, (spent.get(id) ?? 0) + dt);
    total += dt;
  });
  const located = new Map<number, { file: string; fn: string }>();
  const at = (id: number) => {
    let w = located.get(id);
    if (!w) located.set(id, (w = where(nodes.get(id)!.callFrame)));
    return w;
  };
  const self = new Map<string, number>();
  const inclusive = new Map<string, number>();
  const byFunction = new Map<string, number>();
  const add = (m: Map<string, number>, k: string, v: number) => m.set(k, (m.get(k) ?? 0) + v);
  for (const [id, dt] of spent) {
    add(self, at(id).file, dt);
    const files = new Set<string>();
    const fns = new Set<string>();
    for (let cur: number | undefined = id; cur !== undefined; cur = parent.get(cur)) {
      const w = at(cur);
      files.add(w.file);
      fns.add(`${w.fn} ${w.file}`);
    }
    for (const f of files) add(inclusive, f, dt);
    for (const f of fns) add(byFunction, f, dt);
  }
  const ranked = (m: Map<string, number>, skip: RegExp) =>
    [...m]
      .filter(([k]) => !skip.test(k))
      .sort((a, b) => b[1] - a[1])
      .slice(0, top)
      .map(([k, v]) => ({ where: k, share: v / total }));
  // The event loop's own frames hold every stack: saying they took 100% tells nothing.
  const frame = /^\((root|program)\)|^node:internal\/process\/task_queues$|^runMicrotasks$|^\(root\) /;
  return {
    totalMs: total / 1000,
    selfByFile: ranked(self, /^$/),
    inclusiveByFile: ranked(inclusive, frame),
    inclusiveByFunction: ranked(byFunction, /^(\(root\)|runMicrotasks|processTicksAndRejections) /),
  };
}

/** `12.3% a, 4.5% b, ...` */
export function line(shares: Share[]): string {
  return shares.map((s) => `${(s.share * 100).toFixed(1)}% ${s.where}`).join(', ');
}
