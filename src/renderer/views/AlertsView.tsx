import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useConsole } from '../state/context.js';

const ROW = 36;

/** Alerts as received from the relay, newest first. Text is rendered as text, never as HTML. */
export function AlertsView() {
  const items = useConsole((s) => s.alerts.items);
  const loaded = useConsole((s) => s.alerts.loaded);
  const load = useConsole((s) => s.loadAlerts);
  const feedState = useConsole((s) => s.status?.feed.state);
  const parentRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void load();
  }, [load]);

  const virtualizer = useVirtualizer({ count: items.length, getScrollElement: () => parentRef.current, estimateSize: () => ROW, overscan: 10 });

  return (
    <section className="view" aria-labelledby="view-incidents">
      <div className="view-header">
        <h1 id="view-incidents">Incidents</h1>
        <span className="muted">Alerts received from the relay, newest first.</span>
      </div>
      {loaded && items.length === 0 ? (
        <p className="empty">
          {feedState === 'not_configured'
            ? 'No relay configured: this console runs local only. Start it with --relay-url (see README) or try npm run demo.'
            : 'No alerts received yet.'}
        </p>
      ) : (
        <div ref={parentRef} className="audit-scroll" role="table" aria-label="Alerts" data-testid="alert-list">
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {virtualizer.getVirtualItems().map((v) => {
              const a = items[v.index]!;
              return (
                <div
                  key={`${a.relayId}:${a.seq}`}
                  role="row"
                  className="alert-row"
                  data-testid="alert-row"
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW, transform: `translateY(${v.start}px)` }}
                >
                  <span className={`sev sev-${a.severity}`}>{a.severity}</span>
                  <span className={`alert-status status-${a.status}`}>{a.status}</span>
                  <span className="summary" title={a.summary}>
                    {a.summary}
                  </span>
                  <span>{a.service}</span>
                  <span className="muted">{a.source}</span>
                  <span className="muted" title={a.receivedAt}>
                    {new Date(a.receivedAt).toLocaleTimeString()}
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      )}
    </section>
  );
}
