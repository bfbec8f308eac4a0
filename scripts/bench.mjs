// `npm run bench` runs every benchmark in bench/; `npm run bench -- <name> [...]` runs the named ones.
// Each benchmark is a module bench/<name>.bench.ts exporting `run(): Promise<BenchResult[]>`; this
// script runs them in one process each (so one does not warm or pollute another), prints a table
// and writes the figures to bench/results/<timestamp>.json. Benchmarks run our code and a reference
// side by side in the same run and report the ratio: this machine is shared and noisy.
import { spawnSync } from 'node:child_process';
import { mkdirSync, readdirSync, writeFileSync } from 'node:fs';

const available = readdirSync('bench')
  .filter((f) => f.endsWith('.bench.ts'))
  .map((f) => f.replace(/\.bench\.ts$/, ''))
  .sort();
const wanted = process.argv.slice(2);
const unknown = wanted.filter((w) => !available.includes(w));
if (unknown.length) {
  console.error(`unknown benchmark(s): ${unknown.join(', ')}; available: ${available.join(', ')}`);
  process.exit(2);
}
const names = wanted.length ? wanted : available;
const all = [];
for (const name of names) {
  const child = spawnSync(
    process.execPath,
    ['--conditions=source', '--import', 'tsx', '--expose-gc', 'bench/run-one.ts', name],
    { encoding: 'utf8', stdio: ['ignore', 'pipe', 'inherit'], maxBuffer: 64 * 1024 * 1024 },
  );
  if (child.status !== 0) {
    console.error(`benchmark ${name} failed (exit ${child.status})`);
    process.exitCode = 1;
    continue;
  }
  const results = JSON.parse(child.stdout.trim().split('\n').pop() ?? '[]');
  all.push(...results.map((r) => ({ bench: name, ...r })));
}

const rows = all.map((r) => [
  r.bench,
  r.name,
  `${fmt(r.value)} ${r.unit}`,
  r.reference === undefined ? '' : `${fmt(r.reference)} ${r.unit} (${r.referenceName})`,
  r.ratio === undefined ? '' : `${(r.ratio * 100).toFixed(1)}%`,
]);
const head = ['bench', 'measure', 'ours', 'reference', 'ours/ref'];
const widths = head.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
const line = (cells) => cells.map((c, i) => c.padEnd(widths[i])).join('  ');
console.log(line(head));
console.log(widths.map((w) => '-'.repeat(w)).join('  '));
for (const row of rows) console.log(line(row));
const notes = all.filter((r) => r.note);
if (notes.length) console.log('');
for (const r of notes) console.log(`note: ${r.bench}: ${r.name}: ${r.note}`);

mkdirSync('bench/results', { recursive: true });
const file = `bench/results/${new Date().toISOString().replace(/[:.]/g, '-')}.json`;
writeFileSync(file, JSON.stringify({ at: new Date().toISOString(), node: process.version, results: all }, null, 2));
console.log(`\nfigures written to ${file}`);

function fmt(n) {
  if (typeof n !== 'number') return String(n);
  if (Math.abs(n) >= 100) return Math.round(n).toLocaleString('en-US');
  return n.toFixed(2);
}
