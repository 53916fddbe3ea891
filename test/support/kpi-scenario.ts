import type { OnCallConsole } from '../../src/main/core/console.js';
import type { Alert, Severity } from '../../src/shared/domain/alert.js';
import type { FakeClock } from '../helpers.js';

export const SCENARIO_START = Date.parse('2026-11-01T00:00:00.000Z');
const MIN = 60_000;

/** One incident's life, in minutes: when it opens and, after opening, when each thing happens. */
export interface ScenarioIncident {
  key: string;
  severity: Severity;
  category?: string;
  summary?: string;
  openAtMin: number;
  /** acknowledged by the operator this long after opening */
  ackAfterMin?: number;
  /** resolved by the operator this long after opening */
  resolveAfterMin?: number;
  /** resolved by its source (alert resolved) this long after opening */
  sourceResolveAfterMin?: number;
}

/**
 * Play the incidents through a running console on a fake clock: alerts are
 * stored and ingested as the feed would, acks and resolves go through the same
 * engine calls the contract uses, each at its own moment. Leaves the clock at
 * `endMin`.
 */
export function playScenario(oncall: OnCallConsole, clock: FakeClock, incidents: ScenarioIncident[], endMin: number, start = SCENARIO_START): void {
  const s = oncall.services();
  const operator = s.operator.operator;
  if (!operator) throw new Error('sign an operator in before playing the scenario');
  let seq = (s.db.prepare("SELECT max(seq) FROM feed_alert WHERE relay_id = 'scenario'").pluck().get() as number | null) ?? 0;
  const alert = (x: ScenarioIncident, status: Alert['status']): Alert => {
    const at = new Date(clock.now()).toISOString();
    return {
      relayId: 'scenario', seq: ++seq, key: x.key, source: 'native', status, severity: x.severity,
      summary: x.summary ?? `${x.key} alert`, service: 'model-service', labels: x.category ? { category: x.category } : {}, annotations: {}, links: [],
      startsAt: at, receivedAt: at,
    };
  };
  const ingest = (a: Alert) => {
    s.feedStore.storePage('scenario', [a]);
    s.incidents.ingest([a]);
  };
  const idOf = new Map<string, string>();
  const steps: { atMin: number; order: number; run: () => void }[] = [];
  for (const x of incidents) {
    steps.push({ atMin: x.openAtMin, order: 0, run: () => (ingest(alert(x, 'firing')), idOf.set(x.key, s.incidents.findOpen(x.key)!.id)) });
    if (x.ackAfterMin !== undefined) steps.push({ atMin: x.openAtMin + x.ackAfterMin, order: 1, run: () => s.incidents.acknowledge(idOf.get(x.key)!, operator) });
    if (x.resolveAfterMin !== undefined) steps.push({ atMin: x.openAtMin + x.resolveAfterMin, order: 2, run: () => s.incidents.resolve(idOf.get(x.key)!, operator) });
    if (x.sourceResolveAfterMin !== undefined) steps.push({ atMin: x.openAtMin + x.sourceResolveAfterMin, order: 2, run: () => ingest(alert(x, 'resolved')) });
  }
  steps.sort((a, b) => a.atMin - b.atMin || a.order - b.order);
  for (const step of steps) {
    clock.set(new Date(start + step.atMin * MIN).toISOString());
    step.run();
  }
  clock.set(new Date(start + endMin * MIN).toISOString());
}
