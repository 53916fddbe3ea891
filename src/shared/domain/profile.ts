/** Seed 004, "configuration profiles": how hard the console leans on failures. */
export const PROFILE_NAMES = ['critical_care', 'routine_clinic', 'research'] as const;
export type ProfileName = (typeof PROFILE_NAMES)[number];

export interface ResilienceProfile {
  name: ProfileName;
  failureThreshold: number;
  retries: number;
  healthCheckIntervalMs: number;
  phiLevel: 'STANDARD' | 'STRICT' | 'COMPLETE';
}

export const PROFILES: Record<ProfileName, ResilienceProfile> = {
  critical_care: { name: 'critical_care', failureThreshold: 2, retries: 1, healthCheckIntervalMs: 15_000, phiLevel: 'STRICT' },
  routine_clinic: { name: 'routine_clinic', failureThreshold: 5, retries: 3, healthCheckIntervalMs: 60_000, phiLevel: 'STANDARD' },
  research: { name: 'research', failureThreshold: 10, retries: 5, healthCheckIntervalMs: 300_000, phiLevel: 'COMPLETE' },
};
