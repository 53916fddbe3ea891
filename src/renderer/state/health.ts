// Slice: local health probes and the safety assessment.
import type { ProbeView, SafetyAssessment } from '../../shared/domain/probe.js';
import { message, type SliceCreator } from './slice.js';

export interface HealthSlice {
  health: { probes: ProbeView[]; errors: string[]; safety: SafetyAssessment | null; profile: string; loaded: boolean };
  loadHealth(): Promise<void>;
  runProbe(id: string): Promise<void>;
}

export const createHealthSlice: SliceCreator<HealthSlice, { lastError: string | null }> = (set, get, client) => ({
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
