import { create } from 'zustand';
import type { ContractClient } from '../../shared/contract.js';
import type { AuditRecord, AuditVerifyReport } from '../../shared/domain/audit.js';
import type { Alert } from '../../shared/domain/alert.js';
import type { ConsoleStatus } from '../../shared/domain/status.js';
import { ConsoleError } from '../../shared/errors.js';

export const VIEWS = ['incidents', 'health', 'runbooks', 'contacts', 'audit'] as const;
export type View = (typeof VIEWS)[number];

export interface AuditFilterState {
  operator: string;
  action: string;
  since: string; // datetime-local value or ''
  until: string;
}

const PAGE = 200;

export interface ConsoleStore {
  client: ContractClient;
  // connection / status slice
  status: ConsoleStatus | null;
  lastError: string | null;
  setStatus(status: ConsoleStatus): void;
  refreshStatus(): Promise<void>;
  // operator slice
  signIn(userId: string, displayName: string): Promise<boolean>;
  signOut(): Promise<void>;
  // navigation slice
  view: View;
  setView(view: View): void;
  // alerts slice (received from the relay)
  alerts: { items: Alert[]; loaded: boolean };
  loadAlerts(): Promise<void>;
  // audit slice
  audit: {
    records: AuditRecord[];
    total: number;
    loading: boolean;
    filter: AuditFilterState;
    verification: AuditVerifyReport | null;
  };
  setAuditFilter(patch: Partial<AuditFilterState>): void;
  loadAudit(reset: boolean): Promise<void>;
  verifyAudit(): Promise<void>;
  exportAudit(format: 'jsonl' | 'csv'): Promise<{ filename: string; mimeType: string; content: string } | null>;
}

function message(err: unknown): string {
  return err instanceof ConsoleError ? err.message : 'the console could not be reached';
}

function toIso(local: string): string | undefined {
  if (!local) return undefined;
  const d = new Date(local);
  return Number.isNaN(d.getTime()) ? undefined : d.toISOString();
}

export function createConsoleStore(client: ContractClient) {
  return create<ConsoleStore>((set, get) => ({
    client,
    status: null,
    lastError: null,
    setStatus: (status) => set({ status }),
    async refreshStatus() {
      try {
        set({ status: await client.request('console.status', {}), lastError: null });
      } catch (err) {
        set({ lastError: message(err) });
      }
    },

    async signIn(userId, displayName) {
      try {
        await client.request('operator.signIn', { userId, displayName });
        await get().refreshStatus();
        return true;
      } catch (err) {
        set({ lastError: message(err) });
        return false;
      }
    },
    async signOut() {
      try {
        await client.request('operator.signOut', {});
        await get().refreshStatus();
      } catch (err) {
        set({ lastError: message(err) });
      }
    },

    view: 'incidents',
    setView: (view) => set({ view }),

    alerts: { items: [], loaded: false },
    async loadAlerts() {
      try {
        const { alerts } = await client.request('alerts.recent', { limit: 500 });
        set({ alerts: { items: alerts, loaded: true } });
      } catch (err) {
        set({ lastError: message(err) });
      }
    },

    audit: {
      records: [],
      total: 0,
      loading: false,
      filter: { operator: '', action: '', since: '', until: '' },
      verification: null,
    },
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
        set((s) => ({
          lastError: null,
          audit: {
            ...s.audit,
            loading: false,
            total: page.total,
            records: reset ? page.records : [...s.audit.records, ...page.records],
          },
        }));
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
        return await client.request('audit.export', {
          format,
          ...(toIso(f.since) ? { since: toIso(f.since) } : {}),
          ...(toIso(f.until) ? { until: toIso(f.until) } : {}),
        });
      } catch (err) {
        set({ lastError: message(err) });
        return null;
      }
    },
  }));
}

export type ConsoleStoreHook = ReturnType<typeof createConsoleStore>;
