// Contract slice: local health probes and the safety assessment.
import { z } from 'zod';
import type { ProbeResult, ProbeView, SafetyAssessment } from '../domain/probe.js';
import { Empty, event, request } from './define.js';

export const probeRequests = {
  'probes.list': request<{ probes: ProbeView[]; errors: string[]; safety: SafetyAssessment | null; profile: string }>()(Empty),
  'probes.run': request<ProbeResult>()(z.object({ id: z.string().max(64) }).strict()),
};

export const probeEvents = {
  'probes.changed': event<{ ids: string[] }>(),
};
