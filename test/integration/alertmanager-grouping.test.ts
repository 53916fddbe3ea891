// Acceptance with a real Alertmanager (Debian's): `group_by: [alertname,
// service]`, 2,000 alerts in 20 groups through the relay to a console.
import { describe, expect } from 'vitest';
import { relayTest } from '../support/fixtures.js';
import { waitFor } from '../support/relay-fixture.js';

const it = relayTest;

const ROUTE = ["  group_by: ['alertname', 'service']", '  group_wait: 1s', '  group_interval: 2s', '  repeat_interval: 1h'].join('\n');

function alerts(groups: number, perGroup: number, endsAt?: string) {
  const startsAt = new Date(Date.now() - 60_000).toISOString();
  return Array.from({ length: groups * perGroup }, (_, n) => {
    const g = Math.floor(n / perGroup);
    return {
      labels: { alertname: `ModelLatencyHigh${g % 4}`, service: `model-${Math.floor(g / 4)}`, instance: `gpu-${n % perGroup}.hospital.example:9100`, severity: 'warning' },
      annotations: { summary: `latency above 2 s on gpu-${n % perGroup}` },
      startsAt,
      ...(endsAt ? { endsAt } : {}),
    };
  });
}

describe('a real Alertmanager grouping by alertname and service', () => {
  it('2,000 alerts in 20 groups are 20 incidents of 100; resolving half of one group leaves it open with the count', async ({ relayConsole, alertmanager }) => {
    const oncall = await relayConsole('console');
    const am = await alertmanager(ROUTE);
    const all = alerts(20, 100);
    for (let i = 0; i < all.length; i += 500) await am.postAlerts(all.slice(i, i + 500));
    const open = () => oncall.services().incidents.list({ state: 'open' });
    await waitFor(() => open().length === 20 && open().every((i) => i.alertCount === 100), 60_000, () => `20 incidents of 100 alerts (have ${open().length}: ${open().map((i) => i.alertCount).join(',')})`);
    const group0 = open().filter((i) => i.service === 'model-0');
    expect(group0).toHaveLength(4);

    // resolve half of the alerts of group 0 (alertname ModelLatencyHigh0, service model-0)
    const half = all.slice(0, 50).map((a) => ({ ...a, endsAt: new Date(Date.now() - 1000).toISOString() }));
    await am.postAlerts(half);
    const target = () => open().find((i) => i.service === 'model-0' && i.firingCount < 100);
    await waitFor(() => target()?.firingCount === 50, 30_000, () => `half of one group resolved (have ${open().map((i) => i.firingCount).join(',')})`);
    const t = target()!;
    expect(t).toMatchObject({ alertCount: 100, firingCount: 50 });
    expect(t.state).not.toBe('resolved');
    const detail = oncall.services().incidents.detail(t.id);
    expect(detail.members.total).toBe(100);
    expect(detail.members.alerts.filter((m) => m.status === 'resolved')).toHaveLength(50);
    console.log(`alertmanager grouping: 2,000 alerts sent in 20 groups → ${open().length} open incidents, alerts each ${[...new Set(open().map((i) => i.alertCount))].join('/')}; after resolving 50: ${t.firingCount} of ${t.alertCount} firing, state ${t.state}`);
    expect(open()).toHaveLength(20);
  }, 120_000);
});
