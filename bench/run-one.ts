// Runs one benchmark module and prints its results as the last line of stdout (JSON).
import type { BenchResult } from './types.js';

const name = process.argv[2];
const mod = (await import(`./${name}.bench.ts`)) as { run: () => Promise<BenchResult[]> };
const results = await mod.run();
for (const r of results) console.error(`  ${name}: ${r.name}: ${r.value.toFixed(2)} ${r.unit}`);
console.log(JSON.stringify(results));
