// What the run asks of the host and waits for: the commands of the current step, the commands
// still unanswered (pending), and which waiting action each answer goes to.
import type { Command, RunEvent } from '../types.js';
import type { Frame, Rec, Waiting } from './host.js';

export class Outbox {
  private commands: Command[] = [];
  /** Commands issued and not yet answered, by key, with who waits for the answer. */
  private readonly pendingCmds = new Map<string, { cmd: Command; w: Waiting; fn: (ev: RunEvent) => void }>();
  private readonly waiting = new Set<Waiting>();

  /** Sends a command that expects no answer. */
  emit(cmd: Command): void {
    this.commands.push(cmd);
  }

  /** The commands of this step, handed over once. */
  takeCommands(): Command[] {
    const commands = this.commands;
    this.commands = [];
    return commands;
  }

  pending(): Command[] {
    return [...this.pendingCmds.values()].map((p) => p.cmd);
  }

  /** Whether the run is only waiting: on a callback, and on nothing but callbacks and timers. */
  onlyWaiting(): boolean {
    if (this.pendingCmds.size === 0) return false;
    const pend = this.pending();
    return (
      pend.length > 0 &&
      pend.every((c) => c.kind === 'awaitCallback' || c.kind === 'timer') &&
      pend.some((c) => c.kind === 'awaitCallback')
    );
  }

  wait(rec: Rec, frame: Frame): Waiting {
    const w: Waiting = { rec, frame, keys: new Set() };
    this.waiting.add(w);
    return w;
  }

  /** Every action still waiting (to cancel them all). */
  allWaiting(): Waiting[] {
    return [...this.waiting];
  }

  issue(w: Waiting, cmd: Command, key: string, fn: (ev: RunEvent) => void): void {
    this.commands.push(cmd);
    this.pendingCmds.set(key, { cmd, w, fn });
    w.keys.add(key);
  }

  /** The handler of an answer, no longer pending; undefined when nothing waits for this key. */
  answer(key: string): ((ev: RunEvent) => void) | undefined {
    const h = this.pendingCmds.get(key);
    if (!h) return undefined;
    h.w.keys.delete(key);
    this.pendingCmds.delete(key);
    return h.fn;
  }

  /** Drops every outstanding key of a waiting action, cancelling timers and callbacks at the host. */
  clear(w: Waiting): void {
    for (const key of w.keys) {
      const cmd = this.pendingCmds.get(key)?.cmd;
      if (cmd && (cmd.kind === 'timer' || cmd.kind === 'awaitCallback'))
        this.commands.push({ kind: 'cancelWait', key });
      this.pendingCmds.delete(key);
    }
    w.keys.clear();
    this.waiting.delete(w);
  }
}
