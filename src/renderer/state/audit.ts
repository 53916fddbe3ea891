// Slice: the audit trail view — filtered pages backwards, verification, export.
import type { AuditRecord, AuditVerifyReport } from '../../shared/domain/audit.js';
import { message, toIso, type SliceCreator } from './slice.js';

export interface AuditFilterState {
  operator: string;
  action: string;
  since: string; // datetime-local value or ''
  until: string;
}

export interface AuditSlice {
  audit: { records: AuditRecord[]; total: number; loading: boolean; filter: AuditFilterState; verification: AuditVerifyReport | null };
  setAuditFilter(patch: Partial<AuditFilterState>): void;
  loadAudit(reset: boolean): Promise<void>;
  verifyAudit(): Promise<void>;
  exportAudit(format: 'jsonl' | 'csv'): Promise<{ filename: string; mimeType: string; content: string } | null>;
  resetAudit(): void;
}

const PAGE = 200;

export const createAuditSlice: SliceCreator<AuditSlice, { lastError: string | null; canRead(): boolean }> = (set, get, client) => ({
  audit: { records: [], total: 0, loading: false, filter: { operator: '', action: '', since: '', until: '' }, verification: null },
  setAuditFilter(patch) {
    set((s) => ({ audit: { ...s.audit, filter: { ...s.audit.filter, ...patch } } }));
  },
  async loadAudit(reset) {
    const { audit } = get();
    if (audit.loading) return;
    if (!reset && audit.records.length >= audit.total && audit.total > 0) return;
    set((s) => ({ audit: { ...s.audit, loading: true } }));
    const f = audit.filter;
    const last = reset ? undefined : audit.records.at(-1)?.seq;
    try {
      const page = await client.request('audit.list', {
        limit: PAGE,
        ...(last ? { beforeSeq: last } : {}),
        ...(f.operator ? { operator: f.operator } : {}),
        ...(f.action ? { action: f.action } : {}),
        ...(toIso(f.since) ? { since: toIso(f.since) } : {}),
        ...(toIso(f.until) ? { until: toIso(f.until) } : {}),
      });
      if (!get().canRead()) return set((s) => ({ audit: { ...s.audit, loading: false } }));
      set((s) => ({ lastError: null, audit: { ...s.audit, loading: false, total: page.total, records: reset ? page.records : [...s.audit.records, ...page.records] } }));
    } catch (err) {
      set((s) => ({ lastError: message(err), audit: { ...s.audit, loading: false } }));
    }
  },
  async verifyAudit() {
    try {
      const verification = await client.request('audit.verify', { mode: 'full' });
      set((s) => ({ audit: { ...s.audit, verification } }));
    } catch (err) {
      set({ lastError: message(err) });
    }
  },
  async exportAudit(format) {
    const f = get().audit.filter;
    try {
      return await client.request('audit.export', { format, ...(toIso(f.since) ? { since: toIso(f.since) } : {}), ...(toIso(f.until) ? { until: toIso(f.until) } : {}) });
    } catch (err) {
      set({ lastError: message(err) });
      return null;
    }
  },
  resetAudit: () => set((s) => ({ audit: { ...s.audit, records: [], total: 0, loading: false, verification: null } })),
});
