// The relay's data folder on a small tmpfs that the test fills: ingest and a
// console's acks are answered "retry later", the relay process stays up, the
// fault shows in /healthz and /metrics, and service resumes when space returns.
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { closeSync, existsSync, mkdirSync, openSync, rmSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { ROOT } from '../support/browser-mode.js';
import { freePort } from '../support/alertmanager.js';
import { nativeAlert, post, TestConsoleFeed, TOKENS, waitFor } from '../support/relay-fixture.js';
import { tempDir } from '../helpers.js';

function tryMount(dir: string, size: string): string | null {
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', `size=${size}`, 'tmpfs', dir], { stdio: 'pipe' });
    return null;
  } catch (err) {
    return (err as Error).message.split('\n')[0]!;
  }
}

/** Write until the file system refuses; returns the filler's path. */
function fill(dir: string): string {
  const file = join(dir, 'filler');
  const fd = openSync(file, 'w');
  const chunk = Buffer.alloc(16 * 1024, 1);
  try {
    for (;;) writeSync(fd, chunk);
  } catch {
    // ENOSPC: full
  } finally {
    closeSync(fd);
  }
  return file;
}

describe('relay on a full disk', () => {
  const { dir, cleanup } = tempDir();
  const mnt = join(dir, 'mnt');
  mkdirSync(mnt);
  const refused = tryMount(mnt, '6m');
  let relay: ChildProcess | null = null;
  afterAll(() => {
    relay?.kill('SIGKILL');
    if (!refused) {
      try {
        execFileSync('umount', ['-l', mnt]);
      } catch {
        // already gone
      }
    }
    cleanup();
  });

  it.skipIf(refused !== null)('answers 503 to ingest and unavailable to acks while full, stays up, and resumes when space returns', async () => {
    const bundle = join(ROOT, 'dist/relay/relay.cjs');
    if (!existsSync(bundle)) throw new Error('dist/relay/relay.cjs is missing: run `npm run build` first (npm test does)');
    const port = await freePort();
    writeFileSync(join(dir, 'relay.yaml'), [`dataDir: ${join(mnt, 'relay')}`, 'listen: { host: 127.0.0.1, port: ' + port + ' }', 'consoles:', `  - { id: ward-a, token: ${TOKENS.wardA} }`, 'heartbeatMs: 500', ''].join('\n'));
    let stderr = '';
    relay = spawn(process.execPath, [bundle, '--config', join(dir, 'relay.yaml')], { stdio: ['ignore', 'pipe', 'pipe'] });
    relay.stderr!.on('data', (c: Buffer) => (stderr += c.toString()));
    await new Promise<void>((resolve, reject) => {
      relay!.stdout!.on('data', (c: Buffer) => c.toString().includes('"ready":true') && resolve());
      relay!.once('exit', (code) => reject(new Error(`relay exited ${code}: ${stderr}`)));
    });
    const url = `http://127.0.0.1:${port}`;
    const feed = new TestConsoleFeed(join(dir, 'console'), { url: `ws://127.0.0.1:${port}/v1/stream`, token: TOKENS.wardA, pingIntervalMs: 500 }).start();
    await waitFor(() => feed.client.status().state === 'connected', 10_000, 'console connected');
    expect((await post(`${url}/v1/alerts`, JSON.stringify(nativeAlert('before-full')))).status).toBe(202);

    const filler = fill(mnt);
    // Alerts with large annotations until the WAL cannot grow.
    const annotations = Object.fromEntries(Array.from({ length: 16 }, (_, i) => [`a${i}`, 'z'.repeat(4000)]));
    const statuses: number[] = [];
    let full: Awaited<ReturnType<typeof post>> | null = null;
    for (let i = 0; i < 400 && !full; i++) {
      const r = await post(`${url}/v1/alerts`, JSON.stringify(nativeAlert(`filling-${i}`, { annotations })));
      statuses.push(r.status);
      if (r.status !== 202) full = r;
    }
    expect(full, `the disk never filled (${statuses.length} posts)`).not.toBeNull();
    expect(full!.status).toBe(503);
    expect(full!.headers['retry-after']).toMatch(/^\d+$/);
    expect(full!.body.code).toBe('E_RELAY_STORAGE');
    const health = await fetch(`${url}/healthz`);
    expect(health.status).toBe(503);
    expect(((await health.json()) as { storage: { state: string; code: string } }).storage).toMatchObject({ state: 'fault', code: expect.stringMatching(/^SQLITE_(FULL|IOERR)/) });
    expect(await fetch(`${url}/metrics`).then((r) => r.text())).toMatch(/relay_storage_fault 1/);

    // an ack from a console while full: refused as unavailable, kept by the console for a retry
    const ack = { id: randomUUID(), alertKey: 'native:before-full', action: 'acknowledge' as const, operator: { userId: 'rn.okoro', displayName: 'Ada Okoro' }, at: new Date().toISOString() };
    await expect(feed.client.sendAck(ack)).rejects.toThrow(/E_FEED_ACK_UNAVAILABLE/);
    expect(relay.exitCode).toBeNull();
    await waitFor(() => feed.client.status().relayStorageFault !== null, 5000, "the relay's fault in the console's status");
    expect(feed.client.status().relayStorageFault!.code).toMatch(/^SQLITE_/);

    rmSync(filler); // space returns
    let resumed = 0;
    for (let i = 0; i < 50 && resumed !== 202; i++) {
      resumed = (await post(`${url}/v1/alerts`, JSON.stringify(nativeAlert('after-space')))).status;
      if (resumed !== 202) await new Promise((r) => setTimeout(r, 200));
    }
    expect(resumed).toBe(202);
    expect(await feed.client.sendAck(ack)).toBe('stored');
    await waitFor(() => feed.received.some((a) => a.key === 'native:after-space'), 10_000, 'alert after space returned');
    expect((await fetch(`${url}/healthz`)).status).toBe(200);
    await waitFor(() => feed.client.status().relayStorageFault === null, 5000, 'the fault cleared at the console');
    expect(relay.exitCode).toBeNull();
    console.log(`disk full: ${statuses.filter((s) => s === 202).length} posts stored before the disk filled, then 503; relay up; resumed after space returned; log: ${stderr.match(/E_RELAY_STORAGE[^"]*/)?.[0] ?? '-'}`);
    await feed.close();
  }, 60_000);

  if (refused) it('needs a tmpfs mount (root) for the disk-full test', () => console.log(`skipped: cannot mount a size-limited tmpfs here (${refused})`));
});
