import { afterAll, describe, expect, it } from 'vitest';
import { Relay } from '../../src/relay/server.js';
import { parseRelayConfig } from '../../src/relay/config.js';
import { FakeClock, tempDir } from '../helpers.js';
import { nativeAlert, post } from '../support/relay-fixture.js';

describe('relay log retention', () => {
  const { dir, cleanup } = tempDir();
  afterAll(() => cleanup());

  it('purges alerts older than retentionDays at start, keeps younger ones, and never reuses a sequence number', async () => {
    const clock = new FakeClock(Date.parse('2026-10-01T00:00:00Z'));
    const config = parseRelayConfig({ dataDir: `${dir}/relay`, listen: { host: '127.0.0.1', port: 0 }, retentionDays: 30 });
    let relay = new Relay(config, clock);
    await relay.start();
    await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('old')));
    clock.set('2026-11-10T00:00:00Z');
    await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('young')));
    await relay.close();

    clock.set('2026-11-22T00:00:00Z'); // 'old' is 52 days old, 'young' 12
    relay = new Relay(config, clock);
    await relay.start();
    expect(relay.store.readAfter(0, 10).map((a) => [a.key, a.seq])).toEqual([['native:young', 2]]);
    await post(`${relay.url}/v1/alerts`, JSON.stringify(nativeAlert('next')));
    expect(relay.store.lastSeq()).toBe(3);
    await relay.close();
  });

  it('refuses a retention outside 1–3650 days, naming the field', () => {
    expect(() => parseRelayConfig({ retentionDays: 0 })).toThrow(/E_RELAY_CONFIG: relay config: retentionDays/);
  });

  it('names the file and line of broken YAML, and the file and field of a bad value', async () => {
    const { writeFileSync } = await import('node:fs');
    const { loadRelayConfig } = await import('../../src/relay/config.js');
    writeFileSync(`${dir}/broken.yaml`, 'listen:\n  port: 8787\n consoles: [\n');
    expect(() => loadRelayConfig(`${dir}/broken.yaml`)).toThrow(new RegExp(`E_RELAY_CONFIG: ${dir}/broken.yaml: line \\d+`));
    writeFileSync(`${dir}/short.yaml`, 'consoles:\n  - { id: ward-1, token: short }\n');
    expect(() => loadRelayConfig(`${dir}/short.yaml`)).toThrow(/short\.yaml: consoles\[0\]\.token: must be at least 32 characters/);
  });
});
