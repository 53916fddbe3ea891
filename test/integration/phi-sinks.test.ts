// The places PHI must never reach — the OS notification, the in-app page, the
// lock screen's status, log lines and error messages — checked with alerts
// whose every field is filled with generated identifiers (fast-check), sent
// through a real console: the feed intake (valid and refused alerts), the
// incident engine, the pager, a locked session, the dispatcher.
import fc from 'fast-check';
import { describe, expect } from 'vitest';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { createLogger } from '../../src/main/platform/logger.js';
import type { DesktopNotification, NotificationSink } from '../../src/main/notify/pager.js';
import { errorText, vocabulary } from '../../src/shared/safe-text.js';
import { consoleTest } from '../support/fixtures.js';

// Identifiers written from their formats, not from the detector's patterns.
const digits = (n: number) => fc.string({ unit: fc.constantFrom(...'0123456789'), minLength: n, maxLength: n });
const upper = fc.constantFrom(...'ABCDEFGHJKLMNPQRSTUVWXYZ');
const given = fc.constantFrom('Hannah', 'Chidi', 'Maria', 'José', 'Siobhan', 'Pieter', 'Aoife', 'Mei', 'Kofi', 'Ingrid', 'Yusuf', 'Beatriz', 'Thanh', 'Olusegun', 'Greta', 'Harold');
const family = fc.constantFrom('Lindqvist', 'Okafor', 'Gonzalez', 'Núñez', "O'Brien", 'van der Berg', 'Wiśniewski', 'Zhang', 'Asante', 'Halvorsen', 'Al-Rashid', 'Carvalho', 'Nguyen', 'Adeyemi', 'Lindgren', 'Whitcombe');
const identifier = fc.oneof(
  fc.tuple(given, family).map(([g, f]) => `${g} ${f}`),
  fc.tuple(given, family).map(([g, f]) => `${f.toUpperCase()}, ${g.toUpperCase()}`),
  fc.tuple(digits(3), digits(2), digits(4)).map(([a, b, c]) => `${a}-${b}-${c}`), // SSN
  fc.tuple(upper, digits(7)).map(([l, d]) => `${l}${d}`), // MRN
  digits(8), // MRN, all digits
  fc.tuple(digits(3), digits(3), digits(4)).map(([a, b, c]) => `(${a}) ${b}-${c}`),
  fc.tuple(given, family).map(([g, f]) => `${g.toLowerCase()}.${f.toLowerCase().replace(/[^a-z]/g, '')}@gmail.com`),
  fc.tuple(fc.integer({ min: 1930, max: 2005 }), fc.integer({ min: 1, max: 12 }), fc.integer({ min: 1, max: 28 })).map(([y, m, d]) => `${String(m).padStart(2, '0')}/${String(d).padStart(2, '0')}/${y}`),
  fc.tuple(digits(3), fc.constantFrom('Chestnut St', 'Beacon Street', 'Orchard Lane')).map(([n, s]) => `${Number(n) + 1} ${s}`),
);

/** Every identifier that went in, and the forms it could take on the way out. */
function traces(ids: string[]): string[] {
  const out = new Set<string>();
  for (const id of ids) {
    out.add(id);
    for (const part of id.split(/[\s,]+/)) if (part.length >= 4 && /\d{4}|\p{Lu}\p{Ll}{3}/u.test(part)) out.add(part);
  }
  return [...out];
}

function leaks(text: string, ids: string[]): string[] {
  const low = text.toLowerCase();
  return traces(ids).filter((t) => low.includes(t.toLowerCase()));
}

class CapturingSink implements NotificationSink {
  readonly name = 'capture';
  readonly shown: DesktopNotification[] = [];
  async notify(n: DesktopNotification): Promise<void> {
    this.shown.push(n);
  }
}

describe('PHI-free sinks with PHI in every alert field (property)', () => {
  const logLines: string[] = [];
  const pages: string[] = [];
  const sink = new CapturingSink();
  // the shared console fixture, with a capturing logger and notification sink
  const sinkTest = consoleTest.override({ consoleDeps: { logger: createLogger((l) => logLines.push(l)), notificationSink: sink } });
  let oncall: OnCallConsole;
  sinkTest.beforeEach(({ oncall: started }) => {
    oncall = started;
    oncall.events.on((name, payload) => {
      if (name === 'page') pages.push(JSON.stringify(payload));
    });
  });

  sinkTest('notifications, pages, the locked status, logs and errors carry none of the identifiers', async () => {
    let runs = 0;
    let checkedTexts = 0;
    const allIds: string[] = [];
    await fc.assert(
      fc.asyncProperty(fc.array(identifier, { minLength: 8, maxLength: 8 }), fc.integer({ min: 1, max: 3 }), async (ids, sev) => {
        runs++;
        allIds.push(...ids);
        const [a, b, c, d, e, f, g, h] = ids as [string, string, string, string, string, string, string, string];
        const s = oncall.services();
        const seq = runs * 10;
        const before = { logs: logLines.length, shown: sink.shown.length, pages: pages.length };
        const alert = {
          relayId: 'relay-phi', seq, key: `${a}-${runs}`, source: 'native', status: 'firing', severity: `SEV${sev}`,
          summary: `${b} — ${c}`, service: e, labels: { patient: f, alertname: g, mrn: h }, annotations: { note: `${a} ${b}`, description: d },
          links: [{ href: `https://ehr.example.org/patients/${h.replace(/\W/g, '')}`, text: d }], startsAt: '2026-11-23T03:00:00.000Z', receivedAt: '2026-11-23T03:00:00.000Z',
        };
        // one valid alert, one the console's schema refuses (65 labels), one that is not an object at all
        const refused = { ...alert, seq: seq + 1, key: `${b}-${runs}`, labels: Object.fromEntries(Array.from({ length: 65 }, (_, i) => [`l${i}`, `${c} ${i}`])) };
        s.intake.receive('relay-phi', [alert, refused, `${d} ${e}`]);
        await new Promise((r) => setTimeout(r, 0));
        // a locked console: the status the lock screen reads
        s.operator.lock('manual');
        const locked = JSON.stringify(oncall.status());
        // an error from outside text: a JSON parse error quotes its input
        let parseError = '';
        try {
          JSON.parse(`{"patient": "${a}", ${b}}`);
        } catch (err) {
          parseError = errorText(err);
        }
        createLogger((l) => logLines.push(l)).log('error', 'E_TEST', `parse failed: ${parseError}`, { patient: a, seq: 1, incident: f });
        const texts = [
          ...sink.shown.slice(before.shown).map((n) => `${n.title} ${n.message}`),
          ...pages.slice(before.pages),
          locked.replace(/"operator":\{[^}]*\}/, ''),
          ...logLines.slice(before.logs),
          parseError,
        ];
        checkedTexts += texts.length;
        for (const t of texts) expect(leaks(t, ids), t).toEqual([]);
      }),
      { numRuns: 40, seed: 20261123 },
    );
    const s = oncall.services();
    console.info(`[phi-sinks] ${runs} alerts with PHI in every field; ${sink.shown.length} notifications, ${pages.length} in-app pages, ${logLines.length} log lines, ${checkedTexts} texts checked; leaks 0; quarantined ${oncall.status().feed?.quarantined ?? '?'}`);
    expect(oncall.status().feed?.quarantined).toBeGreaterThanOrEqual(2 * runs);
    void s;
    // every valid alert paged: one notification per new incident, or counted in a storm summary, which is
    // sent when its window closes or the console stops (the refused ones were quarantined, not dropped)
    await oncall.stop();
    const summaries = sink.shown.filter((n) => /^\d+ (new|escalated) SEV[123] incidents$/.test(n.title));
    const notified = sink.shown.length - summaries.length + summaries.reduce((sum, n) => sum + Number(n.title.split(' ')[0]), 0);
    expect(notified).toBe(runs);
    for (const n of summaries) expect(leaks(`${n.title} ${n.message}`, allIds), n.title).toEqual([]);
    expect(summaries.every((n) => /^MAI-\d{8}-\d{6}(-\d+)? and \d+ more · respond within \d+ min$/.test(n.message))).toBe(true);
  });

  sinkTest('shows a service name only when it is vocabulary', () => {
    expect(vocabulary('inference-gateway', 'x')).toBe('inference-gateway');
    expect(vocabulary('postgres-primary', 'x')).toBe('postgres-primary');
    expect(vocabulary('Hannah Lindqvist', 'x')).toBe('x');
    expect(vocabulary('okafor-chidi', 'x')).toBe('x');
    expect(vocabulary('123-45-6789', 'x')).toBe('x');
    expect(vocabulary('E4471209', 'x')).toBe('x');
    expect(vocabulary('maria.gonzalez@gmail.com', 'x')).toBe('x');
  });

  sinkTest('drops the values an error message quotes', () => {
    const err = new Error(`Unexpected token 'H', "Hannah Lindqvist 00482913" is not valid JSON`);
    expect(errorText(err)).toBe(`Unexpected token '…', "…" is not valid JSON`);
    expect(errorText(Object.assign(new Error('UNIQUE constraint failed: patients.mrn (E4471209)'), { code: 'SQLITE_CONSTRAINT' }))).toBe('SQLITE_CONSTRAINT: UNIQUE constraint failed: patients.mrn (…)');
  });
});
