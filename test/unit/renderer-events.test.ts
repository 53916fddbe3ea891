// In a storm main sends hundreds of `incidents.changed` a second, each with
// its incidents: the renderer merges them into one store write per animation
// frame — every id, the latest version of each incident, nothing dropped.
import { describe, expect, it } from 'vitest';
import type { ContractClient, EventName, EventPayloads } from '../../src/shared/contract.js';
import type { Incident } from '../../src/shared/domain/incident.js';
import { wireEvents } from '../../src/renderer/state/events.js';
import type { ConsoleStore } from '../../src/renderer/state/store.js';

describe('incident changes in the renderer', () => {
  it('are merged into one store write per frame, with the latest of each incident', async () => {
    let listener: (<E extends EventName>(name: E, payload: EventPayloads[E]) => void) | null = null;
    const client = { onEvent: (l: typeof listener) => ((listener = l), () => undefined) } as unknown as ContractClient;
    const writes: { ids: string[]; incidents: Incident[] }[] = [];
    const state = { canRead: () => true, incidentsChanged: (ids: string[], incidents?: Incident[]) => (writes.push({ ids, incidents: incidents ?? [] }), Promise.resolve()) } as unknown as ConsoleStore;
    wireEvents(client, { getState: () => state });
    const inc = (id: string, version: number) => ({ id, summary: `v${version}` }) as unknown as Incident;
    for (let e = 0; e < 200; e++) listener!('incidents.changed', { ids: [`MAI-${e % 50}`], incidents: [inc(`MAI-${e % 50}`, e)] });
    expect(writes).toHaveLength(0); // nothing written before the frame
    await new Promise((r) => setTimeout(r, 60));
    expect(writes).toHaveLength(1);
    expect(new Set(writes[0]!.ids).size).toBe(50);
    expect(writes[0]!.incidents).toHaveLength(50);
    expect(writes[0]!.incidents.find((i) => i.id === 'MAI-7')!.summary).toBe('v157'); // the last of 7, 57, 107, 157
    listener!('incidents.changed', { ids: ['MAI-1'], incidents: [inc('MAI-1', 999)] });
    await new Promise((r) => setTimeout(r, 60));
    expect(writes).toHaveLength(2); // a later change: the next frame
    console.info(`[renderer-events] 200 changes of 50 incidents in one frame: ${writes.length - 1} store write`);
  });
});
