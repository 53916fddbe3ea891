// One lifetime: every timer and subscription a running console holds is
// registered here, and stop() disposes them all — none is forgotten.

import { systemTimers, type Timers } from './timers.js';

export type Dispose = () => void;

export class DisposableStore {
  private readonly items = new Set<Dispose>();
  private disposed = false;

  constructor(private readonly timers: Timers = systemTimers) {}

  /** Register something to undo at dispose; returns a function that undoes it early. */
  add(dispose: Dispose): Dispose {
    if (this.disposed) {
      dispose();
      return () => undefined;
    }
    this.items.add(dispose);
    return () => {
      if (this.items.delete(dispose)) dispose();
    };
  }

  /** A repeating timer that never keeps the process alive; cleared at dispose. */
  interval(fn: () => void, ms: number): Dispose {
    const t = this.timers.setInterval(fn, ms);
    t.unref?.();
    return this.add(() => this.timers.clearInterval(t));
  }

  /** A one-shot timer, cleared at dispose if it has not fired. */
  timeout(fn: () => void, ms: number, opts: { unref?: boolean } = {}): Dispose {
    let fired = false;
    const t = this.timers.setTimeout(() => {
      fired = true;
      remove();
      fn();
    }, ms);
    if (opts.unref) t.unref?.();
    const remove = this.add(() => {
      if (!fired) this.timers.clearTimeout(t);
    });
    return remove;
  }

  get size(): number {
    return this.items.size;
  }

  dispose(): void {
    this.disposed = true;
    const all = [...this.items];
    this.items.clear();
    for (const d of all.reverse()) d();
  }
}
