import { useEffect, useRef } from 'react';
import { useVirtualizer } from '@tanstack/react-virtual';
import { useConsole } from '../state/context.js';
import { download } from '../download.js';

const ROW_HEIGHT = 34;


function VerificationState() {
  const verification = useConsole((s) => s.audit.verification ?? s.status?.audit.lastVerification ?? null);
  if (!verification) return <span className="muted">Not verified yet</span>;
  if (verification.ok) {
    return (
      <span className="ok" data-testid="audit-verification">
        Chain verified ({verification.mode}, {verification.checked} records checked, {new Date(verification.verifiedAt).toLocaleString()})
      </span>
    );
  }
  return (
    <span className="bad" role="alert" data-testid="audit-verification">
      Integrity fault at record #{verification.fault?.seq}: {verification.fault?.message}
    </span>
  );
}

export function AuditView() {
  const records = useConsole((s) => s.audit.records);
  const total = useConsole((s) => s.audit.total);
  const loading = useConsole((s) => s.audit.loading);
  const filter = useConsole((s) => s.audit.filter);
  const setFilter = useConsole((s) => s.setAuditFilter);
  const load = useConsole((s) => s.loadAudit);
  const verify = useConsole((s) => s.verifyAudit);
  const exportAudit = useConsole((s) => s.exportAudit);
  const parentRef = useRef<HTMLDivElement>(null);

  useEffect(() => {
    void load(true);
  }, [load, filter]);

  const virtualizer = useVirtualizer({
    count: records.length,
    getScrollElement: () => parentRef.current,
    estimateSize: () => ROW_HEIGHT,
    overscan: 12,
  });
  const items = virtualizer.getVirtualItems();
  const lastIndex = items.at(-1)?.index ?? 0;
  useEffect(() => {
    if (records.length > 0 && lastIndex >= records.length - 20 && records.length < total) void load(false);
  }, [lastIndex, records.length, total, load]);

  const doExport = async (format: 'jsonl' | 'csv') => {
    const result = await exportAudit(format);
    if (result) download(result.filename, result.mimeType, result.content);
  };

  return (
    <section className="view audit-view" aria-labelledby="view-audit">
      <div className="view-header">
        <h1 id="view-audit">Audit trail</h1>
        <VerificationState />
      </div>
      <div className="toolbar">
        <label>
          Operator
          <input value={filter.operator} onChange={(e) => setFilter({ operator: e.target.value.trim() })} placeholder="any" />
        </label>
        <label>
          Action
          <input value={filter.action} onChange={(e) => setFilter({ action: e.target.value.trim() })} placeholder="any" />
        </label>
        <label>
          From
          <input type="datetime-local" value={filter.since} onChange={(e) => setFilter({ since: e.target.value })} />
        </label>
        <label>
          To
          <input type="datetime-local" value={filter.until} onChange={(e) => setFilter({ until: e.target.value })} />
        </label>
        <span className="spacer" />
        <button type="button" onClick={() => void verify()}>
          Verify chain
        </button>
        <button type="button" onClick={() => void doExport('jsonl')}>
          Export JSONL
        </button>
        <button type="button" onClick={() => void doExport('csv')}>
          Export CSV
        </button>
      </div>
      <div className="audit-table" role="table" aria-label="Audit records" aria-rowcount={total + 1}>
        <div role="rowgroup">
          <div className="table-head audit-row" role="row" aria-rowindex={1}>
            {['#', 'Time', 'Operator', 'Action', 'Subject', 'Details'].map((h) => (
              <span key={h} role="columnheader">
                {h}
              </span>
            ))}
          </div>
        </div>
        <div ref={parentRef} className="audit-scroll" role="rowgroup" tabIndex={0} aria-label="Records (scroll)" data-testid="audit-list">
          {records.length === 0 && !loading && <p className="empty">No audit records match this filter.</p>}
          <div style={{ height: virtualizer.getTotalSize(), position: 'relative' }}>
            {items.map((item) => {
              const r = records[item.index]!;
              return (
                <div
                  key={r.seq}
                  role="row"
                  aria-rowindex={item.index + 2}
                  className="audit-row"
                  data-testid="audit-row"
                  style={{ position: 'absolute', top: 0, left: 0, right: 0, height: ROW_HEIGHT, transform: `translateY(${item.start}px)` }}
                >
                  <span role="cell">{r.seq}</span>
                  <span role="cell" title={r.ts}>
                    {new Date(r.ts).toLocaleString()}
                  </span>
                  <span role="cell">{r.operator}</span>
                  <span role="cell">{r.action}</span>
                  <span role="cell">
                    {r.subjectType}:{r.subjectId}
                  </span>
                  <span role="cell" className="details" title={r.details}>
                    {r.details === '{}' ? '' : r.details}
                  </span>
                </div>
              );
            })}
          </div>
        </div>
      </div>
      <p className="muted">
        {records.length} of {total} records shown{loading ? ' · loading…' : ''}
      </p>
    </section>
  );
}
