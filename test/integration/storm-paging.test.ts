// A storm of 300 new SEV3 incidents with 5 SEV1s inside it, through a real
// console to a capturing notification sink: every SEV1 is notified at once,
// alone; the SEV3s come as a few, then one summary per window — never hundreds
// of notifications — and none is lost (the summary counts them all).
import { describe, expect } from 'vitest';
import type { DesktopNotification, NotificationSink } from '../../src/main/notify/pager.js';
import { consoleTest } from '../support/fixtures.js';

class CapturingSink implements NotificationSink {
  readonly name = 'capture';
  readonly shown: (DesktopNotification & { at: number })[] = [];
  notify(n: DesktopNotification): Promise<void> {
    this.shown.push({ ...n, at: Date.now() });
    return Promise.resolve();
  }
}

const sink = new CapturingSink();
const it = consoleTest.override({ consoleDeps: { notificationSink: sink } });

describe('paging in a storm', () => {
  it('notifies each SEV1 at once and summarises the SEV3 flood per window, counting every one', async ({ oncall, alert }) => {
    sink.shown.length = 0;
    const s = oncall.services();
    const t0 = Date.now();
    for (let i = 0; i < 300; i++) {
      const batch = [alert(`sev3-${i}`, { severity: 'SEV3', summary: `Cache latency high on node ${i}`, service: 'redis' })];
      if (i % 60 === 30) batch.push(alert(`sev1-${i}`, { severity: 'SEV1', summary: 'Inference API down', service: 'medical-ai-api' }));
      s.intake.receive('relay-1', batch);
    }
    await new Promise((r) => setTimeout(r, 50));
    const sev1 = sink.shown.filter((n) => n.title.startsWith('SEV1'));
    expect(sev1).toHaveLength(5);
    expect(Math.max(...sev1.map((n) => n.at - t0))).toBeLessThan(5_000);
    const sev3Now = sink.shown.filter((n) => !n.title.startsWith('SEV1'));
    expect(sev3Now).toHaveLength(3); // the first few go out as they come
    await oncall.stop(); // stopping sends what the window holds
    const summaries = sink.shown.filter((n) => /^\d+ new SEV3 incidents$/.test(n.title));
    expect(summaries).toHaveLength(1);
    expect(summaries[0]!.title).toBe('297 new SEV3 incidents');
    expect(summaries[0]!.message).toMatch(/^MAI-\d{8}-\d{6}(-\d+)? and 296 more · respond within 120 min$/);
    expect(summaries[0]!.sound).toBe(false);
    console.info(`[storm-paging] 300 SEV3 + 5 SEV1 incidents: ${sink.shown.length} notifications (5 SEV1 alone, 3 SEV3, 1 summary of 297); lost 0`);
  });
});
