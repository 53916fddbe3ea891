import type { EventName, EventPayloads } from '../../shared/contract.js';

export type EventListener = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

/** Events main pushes to whichever transport is attached (IPC or bridge). */
export class EventBus {
  private readonly listeners = new Set<EventListener>();

  on(listener: EventListener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  emit<E extends EventName>(name: E, payload: EventPayloads[E]): void {
    for (const l of this.listeners) {
      try {
        l(name, payload);
      } catch {
        // A broken transport must not stop the others from hearing the event.
      }
    }
  }
}
