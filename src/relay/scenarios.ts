// Realistic alerts from the seed scenarios, in the formats hospitals' senders use.
export interface ScenarioPost {
  path: '/v1/alertmanager' | '/v1/pagerduty' | '/v1/alerts';
  body: unknown;
}

function am(alertname: string, severity: string, service: string, summary: string, status: 'firing' | 'resolved', fingerprint: string, extra: Record<string, string> = {}): ScenarioPost {
  const now = new Date().toISOString();
  return {
    path: '/v1/alertmanager',
    body: {
      version: '4',
      status,
      receiver: 'oncall-console',
      groupLabels: { alertname },
      commonLabels: { alertname, severity, service, ...extra },
      commonAnnotations: { summary },
      externalURL: 'http://alertmanager.hospital.local:9093',
      alerts: [{ status, labels: { alertname, severity, service, ...extra }, annotations: { summary, runbook_url: 'https://wiki.hospital.local/runbooks/medical-ai' }, startsAt: now, ...(status === 'resolved' ? { endsAt: now } : {}), generatorURL: 'http://prometheus.hospital.local:9090/graph', fingerprint }],
    },
  };
}

/** Each scenario: what fires, and (optionally) what later resolves it. */
export const SCENARIOS: { name: string; fire: () => ScenarioPost; resolve?: () => ScenarioPost }[] = [
  {
    name: 'API down',
    fire: () => am('MedicalAIApiDown', 'critical', 'medical-ai-api', 'API health check failing on :8000/health', 'firing', '7a1c0e5d2b9f4a11', { instance: 'api:8000' }),
    resolve: () => am('MedicalAIApiDown', 'critical', 'medical-ai-api', 'API health check failing on :8000/health', 'resolved', '7a1c0e5d2b9f4a11', { instance: 'api:8000' }),
  },
  {
    name: 'Model accuracy below 0.90',
    fire: () => am('ModelAccuracyLow', 'critical', 'model-service', 'model_accuracy_score 0.87 is below the 0.90 clinical threshold', 'firing', '3e9d21b7c4a85f02', { medical_severity: 'SEV1' }),
  },
  {
    name: 'Database unreachable',
    fire: () => ({
      path: '/v1/pagerduty',
      body: { routing_key: 'R0NCALLCONSOLEDEMO00000000000000', event_action: 'trigger', dedup_key: 'demo-postgres-unreachable', payload: { summary: 'PostgreSQL :5432 not accepting connections', source: 'db-primary', severity: 'error', component: 'postgresql', group: 'data', class: 'availability' } },
    }),
    resolve: () => ({ path: '/v1/pagerduty', body: { routing_key: 'R0NCALLCONSOLEDEMO00000000000000', event_action: 'resolve', dedup_key: 'demo-postgres-unreachable' } }),
  },
  {
    name: 'PHI exposure event',
    fire: () => ({
      path: '/v1/alerts',
      body: { key: 'phi-exposure-log-pipeline', severity: 'SEV1', summary: 'Possible PHI in inference logs (pattern MRN detected in 3 lines)', service: 'logging-pipeline', labels: { category: 'phi_violation' } },
    }),
  },
  {
    name: 'Certificate expiring',
    fire: () => ({
      path: '/v1/alerts',
      body: { key: 'tls-api-cert-expiry', severity: 'SEV3', summary: 'TLS certificate for api.hospital.local expires in 12 days', service: 'medical-ai-api', labels: { category: 'performance_degradation' } },
    }),
  },
];
