// The relay's Prometheus metrics (served at /metrics).
import { Counter, Gauge, Histogram, type Registry } from 'prom-client';

export function createRelayMetrics(registry: Registry) {
  const r = [registry];
  return {
    received: new Counter({ name: 'relay_alerts_received_total', help: 'Alerts stored, by source', labelNames: ['source'], registers: r }),
    rejected: new Counter({ name: 'relay_requests_rejected_total', help: 'Ingest requests refused, by source and reason', labelNames: ['source', 'reason'], registers: r }),
    frames: new Counter({ name: 'relay_frames_rejected_total', help: 'WebSocket frames refused, by reason', labelNames: ['reason'], registers: r }),
    acks: new Counter({ name: 'relay_acks_total', help: 'Acks from consoles, by outcome', labelNames: ['status'], registers: r }),
    consoles: new Gauge({ name: 'relay_consoles_connected', help: 'Consoles subscribed now', registers: r, collect: () => undefined }),
    lastSeq: new Gauge({ name: 'relay_last_seq', help: 'Highest sequence number stored', registers: r }),
    storageErrors: new Counter({ name: 'relay_storage_errors_total', help: 'Writes refused by the database (disk full, I/O error, read-only), by operation and code', labelNames: ['op', 'code'], registers: r }),
    storageFault: new Gauge({ name: 'relay_storage_fault', help: '1 while the last write failed for a storage reason', registers: r }),
    watchdogSilent: new Gauge({ name: 'relay_watchdog_silent', help: '1 while the Watchdog alert has not arrived within its timeout', registers: r }),
    duplicates: new Counter({ name: 'relay_deliveries_duplicate_total', help: 'Retried deliveries answered from the first storing', labelNames: ['source'], registers: r }),
    commit: new Histogram({ name: 'relay_ingest_commit_seconds', help: 'Time to commit one ingest batch', buckets: [0.0005, 0.001, 0.002, 0.005, 0.01, 0.025, 0.05, 0.1], registers: r }),
  };
}

export type RelayMetrics = ReturnType<typeof createRelayMetrics>;
