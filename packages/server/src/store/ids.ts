// Ids that sort by creation time (UUIDv7 layout): work items with the same availableAt are then
// claimed first in, first out, and B-tree inserts land at the right edge of the index.
import { randomBytes } from 'node:crypto';

/**
 * Random bytes drawn 4 KiB at a time and turned into hex at once: one call into the CSPRNG and one
 * conversion per 512 ids, not one per id. Each id takes the next 8 bytes (16 hex digits).
 */
let pool = '';
let poolAt = 0;
function random16Hex(): string {
  if (poolAt + 16 > pool.length) {
    pool = randomBytes(4096).toString('hex');
    poolAt = 0;
  }
  poolAt += 16;
  return pool.slice(poolAt - 16, poolAt);
}

/** The variant nibble (10xx) from a random hex digit's low two bits. */
const VARIANT = '89ab';

let lastMs = 0;
let counter = 0;
/** `xxxxxxxx-xxxx-7` of lastMs, made again only when it changes (most ids share a millisecond's). */
let head = '';

export function sortableId(now: number = Date.now()): string {
  // Monotonic within this process even when the clock stands still or steps back.
  if (now > lastMs) {
    lastMs = now;
    counter = 0;
    head = '';
  } else {
    counter++;
    if (counter > 0xfff) {
      lastMs++;
      counter = 0;
      head = '';
    }
  }
  if (head === '') {
    const ms = lastMs.toString(16).padStart(12, '0');
    head = `${ms.slice(0, 8)}-${ms.slice(8, 12)}-7`;
  }
  const rand = random16Hex();
  const first = rand.charCodeAt(0);
  const variant = VARIANT[(first < 58 ? first - 48 : first - 87) & 0x3];
  return `${head}${counter.toString(16).padStart(3, '0')}-${variant}${rand.slice(1, 4)}-${rand.slice(4, 16)}`;
}
