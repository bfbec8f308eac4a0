// What every aggregate of the SQL store is built over: the driver, the clock, the out-of-line
// threshold for large JSON, and the check that the store is still open.
import type { Driver } from './driver.js';

export interface StoreContext {
  readonly driver: Driver;
  /** The clock for created/updated times and lease expiry (tests move it). */
  readonly now: () => number;
  /** JSON larger than this many bytes is stored out of line (json.ts). */
  readonly payloadThreshold: number;
  /** Throws Closed once the store is closed. */
  readonly check: () => void;
}
