// The real pipeline in a storm: the relay and the console each in its own
// process from the build (`npm run build` first), the console paging to a file
// sink (the OS daemon's stand-in). For each rate, Alertmanager-sized batches of
// new keys (every alert a new incident); printed: alerts/s made into incidents,
// how long the console took to catch up after the storm, the latency from an
// alert's post to its incident (when its page is asked for), the console's
// event-loop delay (Node's own histogram, preloaded: bench/loop-probe.cjs), its
// RSS and the CPU of each process. Mixed runs post a SEV1 every second during a
// storm: its page latency (post → notification written) on its own. Last, the
// relay's intake of Alertmanager webhook bodies against Alertmanager's own
// /api/v2/alerts, on the same alerts at the same concurrency.
//
// STORM_RUNS=r1000,mixed5000 picks runs; STORM_CPU_PROF=dir profiles the console.
import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Database from 'better-sqlite3';
import { startAlertmanager } from '../test/support/alertmanager.js';
import { agent, cpuSeconds, pct, post, ROOT, startRelayProcess } from './support.js';

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

/** How many (each time counting `weight`) fell in each whole second of a storm's middle, its first and last two left out; ascending. */
function middleSeconds(times: number[], weight: number, begin: number, seconds: number): number[] {
  const per = new Map<number, number>();
  for (const t of times) {
    const s = Math.floor((t - begin) / 1000);
    per.set(s, (per.get(s) ?? 0) + weight);
  }
  return Array.from({ length: Math.max(0, seconds - 4) }, (_, i) => per.get(i + 2) ?? 0).sort((a, b) => a - b);
}

const n0 = (n: number) => Math.round(n).toLocaleString('en-US');

interface Run {
  label: string;
  rate: number;
  seconds: number;
  sev1EverySecond: boolean;
}

const RUNS: Run[] = [
  { label: 'r200', rate: 200, seconds: 8, sev1EverySecond: false },
  { label: 'r1000', rate: 1000, seconds: 8, sev1EverySecond: false },
  { label: 'mixed1000', rate: 1000, seconds: 8, sev1EverySecond: true },
  { label: 'r5000', rate: 5000, seconds: 20, sev1EverySecond: false },
  { label: 'mixed5000', rate: 5000, seconds: 20, sev1EverySecond: true },
  // offered twice what it must keep up with: what it makes a second is the console's capacity, not the offer
  { label: 'r10000', rate: 10000, seconds: 10, sev1EverySecond: false },
];

export async function run(): Promise<void> {
  const cli = join(ROOT, 'dist/main/cli.cjs');
  if (!existsSync(cli)) throw new Error('run `npm run build` first: the storm bench runs the console from dist/');
  const dir = mkdtempSync(join(tmpdir(), 'maoc-bench-storm-'));
  const relay = await startRelayProcess(dir);
  const sinkFile = join(dir, 'pages.jsonl');
  writeFileSync(sinkFile, '');
  const loopFile = join(dir, 'loop.json');
  const consoleDir = join(dir, 'console');
  const prof = process.env.STORM_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.STORM_CPU_PROF] : [];
  const child: ChildProcess = spawn(process.execPath, [...prof, '-r', join(ROOT, 'bench/loop-probe.cjs'), cli, '--data-dir', consoleDir, '--relay-url', relay.stream, '--relay-token-file', relay.tokenFile, '--probes', 'none', '--notify-sink', `file:${sinkFile}`, '--no-open'], {
    stdio: ['ignore', 'ignore', 'pipe'],
    env: { ...process.env, MAOC_LOOP_FILE: loopFile },
  });
  let stderr = '';
  child.stderr!.on('data', (c: Buffer) => (stderr = (stderr + c.toString()).slice(-4000)));
  const loop = async (): Promise<{ p50: number; p99: number; max: number }> => {
    rmSync(loopFile, { force: true });
    child.kill('SIGUSR2');
    for (let i = 0; i < 100 && !existsSync(loopFile); i++) await new Promise((r) => setTimeout(r, 20));
    return existsSync(loopFile) ? (JSON.parse(readFileSync(loopFile, 'utf8')) as { p50: number; p99: number; max: number }) : { p50: NaN, p99: NaN, max: NaN };
  };
  try {
    // the console's database appears once it has started; read it read-only
    const dbFile = join(consoleDir, 'console.db');
    for (let i = 0; i < 300 && !existsSync(dbFile); i++) await new Promise((r) => setTimeout(r, 100));
    await new Promise((r) => setTimeout(r, 1500));
    const db = new Database(dbFile, { readonly: true, fileMustExist: true });
    db.pragma('busy_timeout = 5000');
    // incidents opened since an instant: an index range (a count that scanned the table would slow the console it watches)
    const count = db.prepare(`SELECT count(*) FROM incident WHERE opened_ms >= ?`).pluck();
    const rss0 = rssMb(child.pid!);
    console.log(`console RSS at rest: ${rss0.toFixed(0)} MB`);

    const storm = async ({ label, rate, seconds, sev1EverySecond }: Run) => {
      const PER = Math.max(1, Math.min(500, Math.round(rate / 20))); // Alertmanager-sized groups, 20 posts a second
      const total = rate * seconds;
      let sent = 0;
      const rssStart = rssMb(child.pid!);
      let rssMax = rssStart;
      const sev1Sent = new Map<string, number>();
      const batchSentAt: number[] = [];
      const cpu0 = { console: cpuSeconds(child.pid!), relay: cpuSeconds(relay.pid) };
      await loop(); // measured afresh from here
      const begin = Date.now();
      const posts: Promise<number>[] = [];
      while (sent < total) {
        const due = Math.min(total, Math.floor(((Date.now() - begin) / 1000) * rate));
        while (sent + PER <= due || (sent < due && due === total)) {
          const n = Math.min(PER, total - sent);
          const alerts = Array.from({ length: n }, (_, i) => ({ key: `${label}-${sent + i}`, severity: 'SEV3', summary: 'p95 latency above 2000 ms', service: `storm-${label}` }));
          batchSentAt.push(Date.now());
          sent += n;
          posts.push(post(`${relay.url}/v1/alerts`, JSON.stringify({ alerts })));
        }
        if (sev1EverySecond && sev1Sent.size < Math.floor((Date.now() - begin) / 1000) + 1) {
          const s = `sevone-${letters(rate)}-${letters(sev1Sent.size)}`; // a new incident each, in every run
          sev1Sent.set(s, Date.now());
          posts.push(post(`${relay.url}/v1/alerts`, JSON.stringify({ key: s, severity: 'SEV1', summary: 'inference API down', service: s })));
        }
        rssMax = Math.max(rssMax, rssMb(child.pid!));
        await new Promise((r) => setTimeout(r, 10));
      }
      const postedAt = Date.now();
      const statuses = await Promise.all(posts);
      const refused = statuses.filter((s) => s !== 202).length;
      const expected = total + sev1Sent.size;
      let done = count.get(begin) as number;
      while (done < expected && Date.now() - postedAt < 180_000) {
        await new Promise((r) => setTimeout(r, 100));
        done = count.get(begin) as number;
        rssMax = Math.max(rssMax, rssMb(child.pid!));
      }
      const caughtUp = Date.now() - postedAt;
      const lag = await loop();
      const cpu = { console: cpuSeconds(child.pid!) - cpu0.console, relay: cpuSeconds(relay.pid) - cpu0.relay };
      const wall = (Date.now() - begin) / 1000;
      // post → incident stored (the moment its page is asked for), per alert
      const opened = db.prepare(`SELECT key, opened_at FROM incident WHERE opened_ms >= ? AND key LIKE ?`).all(begin, `native:${label}-%`) as { key: string; opened_at: string }[];
      // the rate sustained while the storm lasted: incidents made in each whole second of its middle (its first and last
      // two seconds left out: the pipeline filling and draining), as the console's own opening times say
      const middle = middleSeconds(opened.map((o) => Date.parse(o.opened_at)), 1, begin, seconds);
      const postedMiddle = middleSeconds(batchSentAt, PER, begin, seconds);
      const latency = opened.map((o) => Date.parse(o.opened_at) - batchSentAt[Math.floor(Number(o.key.slice(`native:${label}-`.length)) / PER)]!).sort((a, b) => a - b);
      console.log(
        `${label}: offered ${n0(rate)} alerts/s for ${seconds} s (${n0(total)} new incidents, ${PER} per request${refused ? `, ${refused} requests refused` : ''}): ` +
          `${n0(done / ((postedAt - begin) / 1000 + caughtUp / 1000))} alerts/s made into incidents (seconds 2–${seconds - 2} of the storm: made lowest ${n0(middle[0] ?? 0)}/s, median ${n0(pct(middle, 50))}/s; posted lowest ${n0(postedMiddle[0] ?? 0)}/s, median ${n0(pct(postedMiddle, 50))}/s); caught up ${(caughtUp / 1000).toFixed(1)} s after the storm; ` +
          `post → incident p50 ${n0(pct(latency, 50))} ms, p99 ${n0(pct(latency, 99))} ms; event-loop delay p50 ${lag.p50} ms, p99 ${lag.p99} ms, max ${lag.max} ms; ` +
          `RSS max ${rssMax.toFixed(0)} MB (+${(rssMax - rssStart).toFixed(0)} over the run, +${(rssMax - rss0).toFixed(0)} since rest); CPU over ${wall.toFixed(0)} s: console ${cpu.console.toFixed(1)} s, relay ${cpu.relay.toFixed(1)} s`,
      );
      if (sev1EverySecond) {
        await new Promise((r) => setTimeout(r, 500));
        const lines = readFileSync(sinkFile, 'utf8').split('\n').filter(Boolean).map((l) => JSON.parse(l) as { at: string; title: string });
        const lat: number[] = [];
        for (const [s, t0] of sev1Sent) {
          const line = lines.find((l) => l.title.endsWith(` · ${s}`) && Date.parse(l.at) >= begin);
          if (line) lat.push(Date.parse(line.at) - t0);
        }
        lat.sort((a, b) => a - b);
        console.log(`${label}: SEV1 pages during the storm, n=${lat.length} of ${sev1Sent.size}: p50 ${pct(lat, 50).toFixed(0)} ms, p99 ${pct(lat, 99).toFixed(0)} ms, max ${(lat.at(-1) ?? NaN).toFixed(0)} ms (post → notification written)`);
      }
    };

    const only = process.env.STORM_RUNS?.split(',');
    for (const r of RUNS) if (!only || only.includes(r.label)) await storm(r);
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
  }
  try {
    if (!process.env.STORM_RUNS || process.env.STORM_RUNS.includes('alertmanager')) await againstAlertmanager(dir);
  } finally {
    agent.destroy();
    rmSync(dir, { recursive: true, force: true });
  }
}

/**
 * The same alerts at the same concurrency: to Alertmanager's own API (kept in
 * memory) and, as Alertmanager's webhook bodies, to the relay (stored durably:
 * 2xx only after the commit). In rounds, each side taking its turn first in
 * every other one: this machine's speed drifts by a quarter within a minute,
 * and one pair of measurements a second long shows that drift as much as
 * either side. Each round's alerts are new to both.
 */
async function againstAlertmanager(dir: string): Promise<void> {
  const relayDir = join(dir, 'am-relay');
  mkdirSync(relayDir, { recursive: true });
  const relay = await startRelayProcess(relayDir);
  const am = await startAlertmanager(join(dir, 'alertmanager'), `${relay.url}/v1/alertmanager`, '  group_wait: 1h\n  group_interval: 1h\n  repeat_interval: 4h');
  try {
    const N = 40_000;
    const WARM = 10_000;
    const ROUNDS = 3;
    const PER = 100;
    const CONCURRENCY = 8;
    const startsAt = new Date().toISOString();
    // the warm-up's alerts first, then each round's: every alert distinct, so neither side takes one for a repeat
    const batch = (b: number) =>
      Array.from({ length: PER }, (_, i) => ({ labels: { alertname: 'StormBench', service: 'radiology-ai', instance: `node-${b * PER + i}`, severity: 'warning' }, annotations: { summary: 'p95 latency above 2000 ms' }, startsAt }));
    const batches = Array.from({ length: (WARM + ROUNDS * N) / PER }, (_, b) => batch(b));
    // each alert's fingerprint as Alertmanager makes it (a hash of its labels): keys arrive in no order, as they do in service
    const fingerprints = batches.map((alerts) => alerts.map((a) => alertmanagerFingerprint(a.labels)));
    type Rate = { rate: number; refused: number; cpuUs: number; clientUs: number };
    /** Batches [from, to) posted CONCURRENCY at a time, and the rate they went at (a warm-up's is not used). */
    const drive = async (pid: number, send: (b: number) => Promise<number>, from: number, to: number): Promise<Rate> => {
      let next = from;
      let refused = 0;
      const cpu0 = cpuSeconds(pid);
      const client0 = process.cpuUsage();
      const t0 = performance.now();
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < to) {
            const status = await send(next++);
            if (status < 200 || status >= 300) refused++;
          }
        }),
      );
      const n = (to - from) * PER;
      const rate = n / ((performance.now() - t0) / 1000);
      const client = process.cpuUsage(client0);
      return { rate, refused, cpuUs: ((cpuSeconds(pid) - cpu0) * 1e6) / n, clientUs: (client.user + client.system) / n };
    };
    // every body written before either side is timed: the machine's two cores measure the servers, not this bench's JSON
    const amBodies = batches.map((alerts) => JSON.stringify(alerts));
    const groupLabels = { alertname: 'StormBench', service: 'radiology-ai' };
    const webhookBodies = batches.map((alerts, b) =>
      JSON.stringify({
        version: '4', groupKey: `{}:{alertname="StormBench", service="radiology-ai", batch="${b}"}`, status: 'firing', receiver: 'oncall-relay', groupLabels, commonLabels: groupLabels, commonAnnotations: {}, externalURL: am.url,
        alerts: alerts.map((a, i) => ({ status: 'firing', labels: a.labels, annotations: a.annotations, startsAt: a.startsAt, endsAt: '0001-01-01T00:00:00Z', generatorURL: '', fingerprint: fingerprints[b]![i]! })),
      }),
    );
    const toAm = (b: number) => post(`${am.url}/api/v2/alerts`, amBodies[b]!);
    const toRelay = (b: number) => post(`${relay.url}/v1/alertmanager`, webhookBodies[b]!);
    // warm-up (both sides alike: a JIT compiling, pools and heaps growing), not measured
    await drive(am.child.pid!, toAm, 0, WARM / PER);
    await drive(relay.pid, toRelay, 0, WARM / PER);
    const rounds: { am: Rate; relay: Rate }[] = [];
    for (let r = 0; r < ROUNDS; r++) {
      const from = (WARM + r * N) / PER;
      const to = from + N / PER;
      const amFirst = r % 2 === 0;
      const first = amFirst ? await drive(am.child.pid!, toAm, from, to) : await drive(relay.pid, toRelay, from, to);
      const second = amFirst ? await drive(relay.pid, toRelay, from, to) : await drive(am.child.pid!, toAm, from, to);
      rounds.push(amFirst ? { am: first, relay: second } : { am: second, relay: first });
    }
    const ratios = rounds.map((r) => r.relay.rate / r.am.rate);
    const median = [...ratios].sort((a, b) => a - b)[Math.floor(ROUNDS / 2)]!;
    const mean = (pick: (r: { am: Rate; relay: Rate }) => number) => rounds.reduce((sum, r) => sum + pick(r), 0) / ROUNDS;
    const refused = rounds.reduce((n, r) => n + r.am.refused + r.relay.refused, 0);
    console.log(
      `relay vs Alertmanager, ${n0(N)} alerts a round in requests of ${PER}, ${CONCURRENCY} at a time, ${ROUNDS} rounds (each side first in turn), after ${n0(WARM)} each to warm up: ` +
        rounds.map((r, i) => `round ${i + 1}: Alertmanager ${n0(r.am.rate)}, relay ${n0(r.relay.rate)} alerts/s (${ratios[i]!.toFixed(2)}×)`).join('; ') +
        `. Alertmanager /api/v2/alerts in memory, the relay /v1/alertmanager stored (fsync before 2xx); CPU per alert: Alertmanager ${mean((r) => r.am.cpuUs).toFixed(1)} µs, relay ${mean((r) => r.relay.cpuUs).toFixed(1)} µs, the posting bench ${mean((r) => r.am.clientUs).toFixed(1)} / ${mean((r) => r.relay.clientUs).toFixed(1)} µs${refused ? ` [refused: ${refused}]` : ''}; ratio ${median.toFixed(2)}× (the median round)`,
    );
  } finally {
    await am.stop();
    await relay.stop();
  }
}

/**
 * A label set's fingerprint as Alertmanager writes it in webhooks (prometheus/common model.LabelSet.Fingerprint):
 * FNV-1a, 64 bits, over the names in order, each name and value followed by the byte 0xff; 16 hex digits.
 */
export function alertmanagerFingerprint(labels: Record<string, string>): string {
  const MASK = 0xffffffffffffffffn;
  let h = 0xcbf29ce484222325n;
  const add = (bytes: Uint8Array) => {
    for (const b of bytes) h = ((h ^ BigInt(b)) * 0x100000001b3n) & MASK;
  };
  const sep = Uint8Array.of(0xff);
  for (const name of Object.keys(labels).sort()) {
    add(Buffer.from(name, 'utf8'));
    add(sep);
    add(Buffer.from(labels[name]!, 'utf8'));
    add(sep);
  }
  return h.toString(16).padStart(16, '0');
}
