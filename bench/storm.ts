// The real pipeline in a storm: the relay and the console each in its own
// process from the build (`npm run build` first), the console paging to a file
// sink (the OS daemon's stand-in). For each rate, Alertmanager-shaped batches
// of new keys (every alert a new incident) for 8 s; printed: alerts/s made into
// incidents, how long the console took to catch up after the storm, and its
// RSS. Then a mixed run: a SEV1 every second during a 5,000/s SEV3 storm, its
// page latency (send → notification written) reported on its own.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { agent, pct, post, ROOT, startRelayProcess } from './support.js';

const SECONDS = 8;

function rssMb(pid: number): number {
  try {
    const line = readFileSync(`/proc/${pid}/status`, 'utf8').split('\n').find((l) => l.startsWith('VmRSS:'));
    return line ? Number(line.replace(/\D+/g, '')) / 1024 : 0;
  } catch {
    return 0;
  }
}

/** A name made of letters only (numbers in a service name could read as an identifier and be masked). */
function letters(n: number): string {
  let s = '';
  do {
    s = String.fromCharCode(97 + (n % 26)) + s;
    n = Math.floor(n / 26);
  } while (n > 0);
  return s;
}

export async function run(): Promise<void> {
  const cli = join(ROOT, 'dist/main/cli.cjs');
  if (!existsSync(cli)) throw new Error('run `npm run build` first: the storm bench runs the console from dist/');
  const dir = mkdtempSync(join(tmpdir(), 'maoc-bench-storm-'));
  const relay = await startRelayProcess(dir);
  const sinkFile = join(dir, 'pages.jsonl');
  writeFileSync(sinkFile, '');
  const consoleDir = join(dir, 'console');
  const child: ChildProcess = spawn(process.execPath, [...(process.env.STORM_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.STORM_CPU_PROF] : []), cli, '--data-dir', consoleDir, '--relay-url', relay.stream, '--relay-token-file', relay.tokenFile, '--probes', 'none', '--notify-sink', `file:${sinkFile}`, '--no-open'], { stdio: ['ignore', 'ignore', 'pipe'] });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  try {
    // the console's database appears once it has started; read it read-only
    const dbFile = join(consoleDir, 'console.db');
    for (let i = 0; i < 300 && !existsSync(dbFile); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    const count = db.prepare(`SELECT count(*) FROM incident WHERE service LIKE ?`).pluck();
    const rss0 = rssMb(child.pid!);
    console.log(`console RSS at rest: ${rss0.toFixed(0)} MB`);

    const storm = async (label: string, rate: number, sev1EverySecond = false) => {
      const service = `storm-${label}`;
      const PER = Math.max(1, Math.min(500, Math.round(rate / 20))); // Alertmanager-sized groups, 20 posts a second
      const total = rate * SECONDS;
      let sent = 0;
      let rssMax = rssMb(child.pid!);
      const sev1Sent = new Map<string, number>();
      const begin = Date.now();
      const posts: Promise<number>[] = [];
      while (sent < total) {
        const due = Math.min(total, Math.floor(((Date.now() - begin) / 1000) * rate));
        while (sent + PER <= due || (sent < due && due === total)) {
          const n = Math.min(PER, total - sent);
          const alerts = Array.from({ length: n }, (_, i) => ({ key: `${label}-${sent + i}`, severity: 'SEV3', summary: 'p95 latency above 2000 ms', service }));
          sent += n;
          posts.push(post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts })));
        }
        if (sev1EverySecond && sev1Sent.size < Math.floor((Date.now() - begin) / 1000) + 1) {
          const s = `sevone-${label}-${letters(sev1Sent.size)}`;
          sev1Sent.set(s, Date.now());
          posts.push(post(`${relay.url}/v1/alerts`, JSON.stringify({ key: s, severity: 'SEV1', summary: 'inference API down', service: s })));
        }
        rssMax = Math.max(rssMax, rssMb(child.pid!));
        await new Promise((r) => setTimeout(r, 10));
      }
      const postedAt = Date.now();
      const statuses = await Promise.all(posts);
      const refused = statuses.filter((s) => s !== 202).length;
      let done = count.get(`${service}%`) as number;
      while (done < total && Date.now() - postedAt < 120_000) {
        await new Promise((r) => setTimeout(r, 50));
        done = count.get(`${service}%`) as number;
        rssMax = Math.max(rssMax, rssMb(child.pid!));
      }
      const caughtUp = Date.now() - postedAt;
      const seconds = (Date.now() - begin) / 1000;
      console.log(
        `${label}: offered ${rate.toLocaleString('en-US')} alerts/s for ${SECONDS} s (${total.toLocaleString('en-US')} new incidents, ${PER} per request${refused ? `, ${refused} requests refused` : ''}): ` +
          `${Math.round(done / seconds).toLocaleString('en-US')} alerts/s made into incidents; caught up ${(caughtUp / 1000).toFixed(1)} s after the storm; RSS max ${rssMax.toFixed(0)} MB (+${(rssMax - rss0).toFixed(0)})`,
      );
      if (sev1EverySecond) {
        await new Promise((r) => setTimeout(r, 500));
        const lines = readFileSync(sinkFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { at: string; title: string });
        const lat: number[] = [];
        for (const [s, t0] of sev1Sent) {
          const line = lines.find((l) => l.title.endsWith(` · ${s}`));
          if (line) lat.push(Date.parse(line.at) - t0);
        }
        lat.sort((a, b) => a - b);
        console.log(`${label}: SEV1 pages during the storm, n=${lat.length} of ${sev1Sent.size}: p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, max ${(lat.at(-1) ?? NaN).toFixed(0)} ms (send → notification written)`);
      }
    };

    const only = process.env.STORM_RUNS?.split(',');
    for (const [label, rate, sev1] of [['r200', 200, false], ['r1000', 1000, false], ['r5000', 5000, false], ['mixed', 5000, true]] as const) {
      if (!only || only.includes(label)) await storm(label, rate, sev1);
    }
    const lines = readFileSync(sinkFile, 'utf8').split('\n').filter(Boolean).length;
    console.log(`notifications written in all: ${lines} (SEV3 storms are summarised per 10 s window)`);
    db.close();
  } catch (err) {
    console.error(stderr.slice(-2000));
    throw err;
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => child.once('exit', r));
    await relay.stop();
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}
