// Handlers: local health probes and the safety assessment.
import type { ResilienceProfile } from '../../shared/domain/profile.js';
import { ConsoleError } from '../../shared/errors.js';
import { unlocked, type HandlerSlice } from '../platform/handlers.js';
import type { ProbeScheduler } from './probe-scheduler.js';
import type { SafetyAssessor } from './safety-assessment.js';

export function probeHandlers(s: () => { probes: ProbeScheduler; probeErrors: string[]; safety: SafetyAssessor; profile: ResilienceProfile }): HandlerSlice {
  return {
    'probes.list': unlocked(() => {
      const { probes, probeErrors, safety, profile } = s();
      return { probes: probes.views(), errors: probeErrors, safety: safety.last() ?? safety.compute(), profile: profile.name };
    }),
    'probes.run': unlocked(async ({ id }) => {
      const r = await s().probes.runOnce(id);
      if (!r) throw new ConsoleError('E_PROBE', 'input', `no probe "${id}", or it is running right now`);
      return r;
    }),
  };
}
