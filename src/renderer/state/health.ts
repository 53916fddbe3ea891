// Slice: local health probes and the safety assessment.
import { message, type SliceCreator } from './slice.js';
import type { HealthSlice } from './model.js';


export const createHealthSlice: SliceCreator<HealthSlice> = (set, get, client) => ({
  health: { probes: [], errors: [], safety: null, profile: '', loaded: false },
  async loadHealth() {
    try {
      const h = await client.request('probes.list', {});
      set({ health: { ...h, loaded: true } });
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  async runProbe(id) {
    try {
      await client.request('probes.run', { id });
      await get().loadHealth();
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
});
