import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { Agent, request } from 'node:http';
import { join, resolve } from 'node:path';

export const ROOT = resolve(__dirname, '..');
export const nowAbs = (): number => performance.timeOrigin + performance.now();
export const agent = new Agent({ keepAlive: true, maxSockets: 32 });

export function post(url: string, body: string): Promise<number> {
  return new Promise((res, rej) => {
    const r = request(url, { method: 'POST', agent, headers: { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body) } }, (resp) => {
      resp.resume();
      resp.on('end', () => res(resp.statusCode ?? 0));
    });
    r.on('error', rej);
    r.end(body);
  });
}

export function pct(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.floor((p / 100) * sorted.length))]!;
}

/** Resolve with the first JSON line starting with {"ready" that a child prints. */
export function readyLine<T>(proc: ChildProcess): Promise<T> {
  return new Promise((res) => {
    let out = '';
    proc.stdout!.on('data', (c: Buffer) => {
      out += c.toString();
      const line = out.split('\n').find((l) => l.startsWith('{"ready"'));
      if (line) res(JSON.parse(line) as T);
    });
  });
}

export interface RelayProcess {
  pid: number;
  url: string;
  stream: string;
  token: string;
  tokenFile: string;
  stop(): Promise<void>;
}

/** The relay in its own process, as deployed (from the build: `npm run build` first), with one console token. */
export async function startRelayProcess(dir: string, options: { databaseUrl?: string } = {}): Promise<RelayProcess> {
  const main = join(ROOT, 'dist/relay/relay.cjs');
  if (!existsSync(main)) throw new Error('run `npm run build` first: the benches run the relay from dist/');
  const token = randomBytes(32).toString('base64url');
  const tokenFile = join(dir, 'console.token');
  writeFileSync(tokenFile, token, { mode: 0o600 });
  writeFileSync(
    join(dir, 'relay.yaml'),
    `listen: { host: 127.0.0.1, port: 0 }\ndataDir: ${join(dir, 'relay')}\nconsoles: [{ id: bench, token: "${token}" }]\nrateLimit: { alertsPerSecond: 1000000, burst: 1000000 }\n${process.env.BENCH_RELAY_INGEST_WORKERS ? `ingestWorkers: ${Number(process.env.BENCH_RELAY_INGEST_WORKERS)}\n` : ''}${options.databaseUrl ? `databaseUrl: "${options.databaseUrl}"\n` : ''}`,
  );
  const proc: ChildProcess = spawn(process.execPath, [...(process.env.BENCH_RELAY_CPU_PROF ? ['--cpu-prof', '--cpu-prof-dir', process.env.BENCH_RELAY_CPU_PROF] : []), main, '--config', join(dir, 'relay.yaml')], { cwd: ROOT, stdio: ['ignore', 'pipe', 'ignore'] });
  const ready = await readyLine<{ url: string; stream: string }>(proc);
  return {
    ...ready,
    pid: proc.pid!,
    token,
    tokenFile,
    stop: () =>
      new Promise((res) => {
        proc.once('exit', () => res());
        proc.kill('SIGTERM');
      }),
  };
}

/** CPU seconds a process has used so far (user + system, from /proc). */
export function cpuSeconds(pid: number): number {
  try {
    const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    return (Number(fields[11]) + Number(fields[12])) / 100; // utime, stime in clock ticks (100 a second on Linux)
  } catch {
    return NaN;
  }
}
