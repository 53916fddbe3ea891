import { connect as netConnect } from 'node:net';
import { connect as tlsConnect } from 'node:tls';
import { statfs } from 'node:fs/promises';
import { request as httpsRequest } from 'node:https';
import { cpus, freemem, totalmem } from 'node:os';
import pg from 'pg';
import parsePrometheus from 'parse-prometheus-text-format';
import type { ProbeState } from '../../shared/domain/probe.js';
import type { ProbeConfig } from './probe-config.js';

export interface Outcome {
  state: ProbeState;
  latencyMs: number | null;
  detail: string;
  values?: Record<string, number>;
}

const up = (latencyMs: number, detail: string, values?: Record<string, number>): Outcome => ({ state: 'up', latencyMs, detail, ...(values ? { values } : {}) });
const warn = (latencyMs: number | null, detail: string, values?: Record<string, number>): Outcome => ({ state: 'warning', latencyMs, detail, ...(values ? { values } : {}) });
const down = (detail: string, latencyMs: number | null = null): Outcome => ({ state: 'down', latencyMs, detail });

function errorCode(err: unknown): string {
  const e = err as { code?: string; cause?: { code?: string }; name?: string; message?: string };
  return e.cause?.code ?? e.code ?? (e.name === 'TimeoutError' || e.name === 'AbortError' ? 'TIMEOUT' : (e.message ?? 'error').slice(0, 80));
}

async function fetchWithTimeout(url: string, timeout: number, headers: Record<string, string> = {}, insecure = false): Promise<Response> {
  if (!(insecure && url.startsWith('https:'))) return fetch(url, { headers, signal: AbortSignal.timeout(timeout) });
  // Certificate verification is on unless a probe opts out (self-signed internal endpoints).
  return new Promise((resolve, reject) => {
    const req = httpsRequest(url, { headers, rejectUnauthorized: false, timeout }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => resolve(new Response(Buffer.concat(chunks), { status: res.statusCode ?? 0 })));
      res.on('error', reject);
    });
    req.on('timeout', () => req.destroy(Object.assign(new Error('timeout'), { code: 'TIMEOUT' })));
    req.on('error', reject);
    req.end();
  });
}

function pick(value: unknown, path: string): unknown {
  return path.split('.').reduce<unknown>((v, k) => (v !== null && typeof v === 'object' ? (v as Record<string, unknown>)[k] : undefined), value);
}

/** One try of one probe. Never throws: every failure is an outcome with a reason. */
export async function runProbe(p: ProbeConfig): Promise<Outcome> {
  const t0 = performance.now();
  const ms = () => Math.round((performance.now() - t0) * 10) / 10;
  try {
    switch (p.kind) {
      case 'http': {
        const res = await fetchWithTimeout(p.url, p.timeout, p.headers, p.insecure);
        const body = p.bodyContains !== undefined || p.jsonPath !== undefined ? await res.text() : (await res.arrayBuffer(), '');
        const latency = ms();
        if (res.status !== p.expectStatus) return down(`HTTP ${res.status}, expected ${p.expectStatus}`, latency);
        if (p.bodyContains !== undefined && !body.includes(p.bodyContains)) return down(`body lacks "${p.bodyContains}"`, latency);
        if (p.jsonPath !== undefined) {
          let got: unknown;
          try {
            got = pick(JSON.parse(body), p.jsonPath);
          } catch {
            return down('body is not JSON', latency);
          }
          if (p.jsonEquals !== undefined && got !== p.jsonEquals) return down(`${p.jsonPath} is ${JSON.stringify(got)}, expected ${JSON.stringify(p.jsonEquals)}`, latency);
        }
        return latency > p.slowMs ? warn(latency, `slow: ${latency} ms > ${p.slowMs} ms`) : up(latency, `HTTP ${res.status}`);
      }
      case 'tcp':
        await new Promise<void>((resolve, reject) => {
          const s = netConnect({ host: p.host, port: p.port, timeout: p.timeout }, () => {
            s.destroy();
            resolve();
          });
          s.on('timeout', () => (s.destroy(), reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }))));
          s.on('error', reject);
        });
        return up(ms(), 'connected');
      case 'postgres': {
        // Like pg_isready: accepting (even if this user may not log in) / rejecting / no response.
        const client = new pg.Client({ host: p.host, port: p.port, database: p.database, user: p.user, password: '', connectionTimeoutMillis: p.timeout });
        client.on('error', () => undefined);
        try {
          await client.connect();
          await client.end();
          return up(ms(), 'accepting connections');
        } catch (err) {
          const code = (err as { code?: string }).code;
          if (code === '28P01' || code === '28000' || code === '3D000') return up(ms(), `accepting connections (login refused: ${code})`);
          if (code === '57P03') return down('rejecting connections (starting up or shutting down)', ms());
          return down(`no response (${errorCode(err)})`);
        }
      }
      case 'redis': {
        const reply = await new Promise<string>((resolve, reject) => {
          const s = netConnect({ host: p.host, port: p.port, timeout: p.timeout }, () => s.write('*1\r\n$4\r\nPING\r\n'));
          let data = '';
          s.on('data', (d) => {
            data += d.toString();
            if (data.includes('\r\n')) {
              s.destroy();
              resolve(data.split('\r\n')[0]!);
            }
          });
          s.on('timeout', () => (s.destroy(), reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }))));
          s.on('error', reject);
        });
        return reply === '+PONG' ? up(ms(), 'PONG') : down(`unexpected reply ${JSON.stringify(reply.slice(0, 40))}`, ms());
      }
      case 'tls': {
        const validTo = await new Promise<string>((resolve, reject) => {
          const s = tlsConnect({ host: p.host, port: p.port, servername: p.servername ?? p.host, rejectUnauthorized: !p.insecure, timeout: p.timeout }, () => {
            const cert = s.getPeerCertificate();
            s.destroy();
            resolve(cert.valid_to);
          });
          s.on('timeout', () => (s.destroy(), reject(Object.assign(new Error('timeout'), { code: 'TIMEOUT' }))));
          s.on('error', reject);
        });
        const days = Math.floor((Date.parse(validTo) - Date.now()) / 86_400_000);
        const detail = `certificate expires in ${days} days (${new Date(validTo).toISOString().slice(0, 10)})`;
        if (days < p.criticalDays) return down(detail, ms());
        return days < p.warnDays ? warn(ms(), detail, { tls_days_left: days }) : up(ms(), detail, { tls_days_left: days });
      }
      case 'metrics': {
        const res = await fetchWithTimeout(p.url, p.timeout);
        const text = await res.text();
        const latency = ms();
        if (!res.ok) return down(`HTTP ${res.status}`, latency);
        const values: Record<string, number> = {};
        for (const fam of parsePrometheus(text)) {
          for (const m of fam.metrics) {
            const labels = m.labels ?? {};
            const key = Object.keys(labels).length ? `${fam.name}{${Object.entries(labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : fam.name;
            if (m.value !== undefined) values[key] = Number(m.value);
            for (const [q, v] of Object.entries(m.quantiles ?? {})) values[`${fam.name}{quantile="${q}"}`] = Number(v);
          }
        }
        const crossed: string[] = [];
        let level: 'ok' | 'warning' | 'critical' = 'ok';
        for (const t of p.thresholds) {
          const key = t.labels ? `${t.metric}{${Object.entries(t.labels).map(([k, v]) => `${k}="${v}"`).join(',')}}` : t.metric;
          const v = values[key];
          if (v === undefined) continue;
          const hit = t.op === '<' ? v < t.value : t.op === '<=' ? v <= t.value : t.op === '>' ? v > t.value : v >= t.value;
          if (hit) {
            crossed.push(`${key} ${v} ${t.op} ${t.value}`);
            if (t.level === 'critical') level = 'critical';
            else if (level === 'ok') level = 'warning';
          }
        }
        if (level === 'critical') return { state: 'down', latencyMs: latency, detail: `critical: ${crossed.join('; ')}`, values };
        return level === 'warning' ? warn(latency, `warning: ${crossed.join('; ')}`, values) : up(latency, `${Object.keys(values).length} series`, values);
      }
      case 'system': {
        const before = cpus().map((c) => c.times);
        await new Promise((r) => setTimeout(r, 100));
        const after = cpus().map((c) => c.times);
        let idle = 0;
        let total = 0;
        after.forEach((a, i) => {
          const b = before[i]!;
          idle += a.idle - b.idle;
          total += a.user + a.nice + a.sys + a.idle + a.irq - (b.user + b.nice + b.sys + b.idle + b.irq);
        });
        const cpu = total > 0 ? Math.round((1 - idle / total) * 1000) / 10 : 0;
        const memory = Math.round((1 - freemem() / totalmem()) * 1000) / 10;
        const fs = await statfs(p.diskPath);
        const disk = Math.round((1 - fs.bavail / fs.blocks) * 1000) / 10;
        const values = { cpu_percent: cpu, memory_percent: memory, disk_percent: disk };
        const over = [cpu > p.cpuWarn && `CPU ${cpu}%`, memory > p.memoryWarn && `memory ${memory}%`, disk > p.diskWarn && `disk ${disk}%`].filter(Boolean);
        const detail = `CPU ${cpu}%, memory ${memory}%, disk ${disk}%`;
        return over.length ? warn(ms(), `above threshold: ${over.join(', ')}`, values) : up(ms(), detail, values);
      }
    }
  } catch (err) {
    return down(errorCode(err));
  }
}
