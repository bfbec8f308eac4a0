// Ids that sort by creation time (UUIDv7 layout): work items with the same availableAt are then
// claimed first in, first out, and B-tree inserts land at the right edge of the index.
import { randomBytes } from 'node:crypto';

/** Random bytes drawn 4 KiB at a time: one call into the CSPRNG per 512 ids, not one per id. */
let pool = Buffer.alloc(0);
let poolAt = 0;
function random8Hex(): string {
  if (poolAt + 8 > pool.length) {
    pool = randomBytes(4096);
    poolAt = 0;
  }
  poolAt += 8;
  return pool.toString('hex', poolAt - 8, poolAt);
}

let lastMs = 0;
let counter = 0;

export function sortableId(now: number = Date.now()): string {
  // Monotonic within this process even when the clock stands still or steps back.
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
  } else {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
    }
  }
  const ms = lastMs.toString(16).padStart(12, '0');
  const rand = random8Hex();
  const variant = ((parseInt(rand.slice(0, 1), 16) & 0x3) | 0x8).toString(16);
  return `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7${counter.toString(16).padStart(3, '0')}-${variant}${rand.slice(1, 4)}-${rand.slice(4, 16)}`;
}
