// A real Prometheus Alertmanager (Debian's package) posting its webhook to the
// relay: what it really sends, not what we think it sends.
import { describe, expect } from 'vitest';
import { relayTest as it } from '../support/fixtures.js';
import { TOKENS, waitFor } from '../support/relay-fixture.js';

describe('a real Prometheus Alertmanager delivering through the relay', () => {
  it('gets an alert posted to Alertmanager onto the console, graded SEV1, then its resolution', async ({ feed, alertmanager }) => {
    const consoleFeed = feed('console', TOKENS.wardA, { pingIntervalMs: 500 }).start();
    const am = await alertmanager(["  group_by: ['alertname']", '  group_wait: 100ms', '  group_interval: 1s', '  repeat_interval: 1h'].join('\n'));
    const amUrl = am.url;
    const startsAt = new Date().toISOString();
    const alert = { labels: { alertname: 'MedicalAIApiDown', severity: 'critical', service: 'medical-ai-api', instance: 'api:8000' }, annotations: { summary: 'API /health failing on :8000' }, startsAt };
    const posted = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([alert]) });
    expect(posted.status).toBe(200);

    await waitFor(() => consoleFeed.received.length >= 1, 20_000, 'alert delivered by Alertmanager');
    const got = consoleFeed.received[0]!;
    expect(got).toMatchObject({ source: 'alertmanager', status: 'firing', severity: 'SEV1', service: 'medical-ai-api', summary: 'API /health failing on :8000' });
    expect(got.key).toMatch(/^am:[0-9a-f]{16}$/);
    expect(got.labels).toMatchObject({ alertname: 'MedicalAIApiDown', instance: 'api:8000' });

    const resolved = await fetch(`${amUrl}/api/v2/alerts`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([{ ...alert, endsAt: new Date().toISOString() }]) });
    expect(resolved.status).toBe(200);
    await waitFor(() => consoleFeed.received.some((a) => a.key === got.key && a.status === 'resolved'), 20_000, 'resolution delivered');
  }, 45_000);
});
