import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { chmodSync, chownSync, existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { connect, createServer, type AddressInfo } from 'node:net';
import { join } from 'node:path';

export function freePort(): Promise<number> {
  return new Promise((resolve) => {
    const s = createServer();
    s.listen(0, '127.0.0.1', () => {
      const { port } = s.address() as AddressInfo;
      s.close(() => resolve(port));
    });
  });
}

function pgBin(): string {
  const base = '/usr/lib/postgresql';
  const versions = existsSync(base) ? readdirSync(base).sort() : [];
  const v = versions.at(-1);
  if (!v) throw new Error('PostgreSQL server binaries not found under /usr/lib/postgresql: run scripts/install-system-deps (package postgresql)');
  return join(base, v, 'bin');
}

const asRoot = process.getuid?.() === 0;
/** PostgreSQL refuses to run as root: run its tools as the postgres user when we are root. */
function pgRun(args: string[]): void {
  const [cmd, ...rest] = args;
  if (asRoot) execFileSync('runuser', ['-u', 'postgres', '--', cmd!, ...rest], { stdio: 'pipe' });
  else execFileSync(cmd!, rest, { stdio: 'pipe' });
}

/** A throwaway PostgreSQL cluster on a loopback port. */
export class PostgresServer {
  constructor(
    readonly dir: string,
    readonly port: number,
  ) {}
  /** Its own temp dir (the postgres user must be able to reach it); removed by remove(). */
  static async create(): Promise<PostgresServer> {
    const dir = mkdtempSync(join(tmpdir(), 'maoc-pg-'));
    if (asRoot) {
      const uid = Number(execFileSync('id', ['-u', 'postgres']).toString().trim());
      const gid = Number(execFileSync('id', ['-g', 'postgres']).toString().trim());
      chownSync(dir, uid, gid);
    }
    chmodSync(dir, 0o700);
    pgRun([join(pgBin(), 'initdb'), '-D', dir, '-A', 'trust', '-U', 'postgres', '--no-sync']);
    return new PostgresServer(dir, await freePort());
  }
  /** `durable`: fsync and synchronous_commit on, as in production (benchmarks); tests run without fsync. */
  start(options: { durable?: boolean } = {}): void {
    const flags = options.durable ? '-c fsync=on -c synchronous_commit=on' : '-c fsync=off';
    pgRun([join(pgBin(), 'pg_ctl'), '-D', this.dir, '-w', '-o', `-p ${this.port} -k ${this.dir} -c listen_addresses=127.0.0.1 ${flags}`, '-l', join(this.dir, 'log'), 'start']);
  }
  stop(): void {
    pgRun([join(pgBin(), 'pg_ctl'), '-D', this.dir, '-w', '-m', 'fast', 'stop']);
  }
  remove(): void {
    rmSync(this.dir, { recursive: true, force: true });
  }
}

export class RedisServer {
  private proc: ChildProcess | null = null;
  constructor(readonly port: number) {}
  async start(): Promise<void> {
    if (!existsSync('/usr/bin/redis-server')) throw new Error('redis-server not found: run scripts/install-system-deps (package redis-server)');
    this.proc = spawn('/usr/bin/redis-server', ['--port', String(this.port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'], { stdio: 'ignore' });
    for (let i = 0; i < 100; i++) {
      if (await canConnect(this.port)) return;
      await new Promise((r) => setTimeout(r, 50));
    }
    throw new Error('redis-server did not start');
  }
  async stop(): Promise<void> {
    const p = this.proc;
    if (!p) return;
    await new Promise((r) => {
      p.once('exit', r);
      p.kill('SIGTERM');
    });
    this.proc = null;
  }
}

function canConnect(port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const c = connect(port, '127.0.0.1', () => (c.destroy(), resolve(true)));
    c.on('error', () => resolve(false));
  });
}

/** A self-signed certificate valid for `days` days, made with openssl. */
export function makeCertificate(dir: string, days: number): { key: Buffer; cert: Buffer } {
  mkdirSync(dir, { recursive: true });
  execFileSync('openssl', ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-keyout', join(dir, 'key.pem'), '-out', join(dir, 'cert.pem'), '-days', String(days), '-subj', '/CN=api.hospital.local'], { stdio: 'pipe' });
  return { key: readFileSync(join(dir, 'key.pem')), cert: readFileSync(join(dir, 'cert.pem')) };
}
