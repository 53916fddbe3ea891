// A web page on another origin, open in the workstation's browser, tries to
// post a forged SEV1 to the loopback relay with every request a browser sends
// without a CORS preflight. Nothing may be stored.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Browser } from 'playwright-core';
import type { Relay } from '../../src/relay/server.js';
import { launchChromium } from '../support/browser-mode.js';
import { nativeAlert, startRelay } from '../support/relay-fixture.js';
import { tempDir } from '../helpers.js';

// The three CORS-safelisted content types (Fetch standard), with parameters a page may add.
const SIMPLE_TYPES = ['text/plain', 'text/plain;charset=json', 'text/plain; charset=UTF-8', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=----x'];

describe('a page on another origin cannot post to the relay', () => {
  const { dir, cleanup } = tempDir();
  let relay: Relay;
  let attacker: Server;
  let attackerUrl = '';
  let browser: Browser;

  beforeAll(async () => {
    relay = await startRelay(`${dir}/relay`);
    const body = JSON.stringify({ alerts: [nativeAlert('forged-from-a-web-page', { severity: 'SEV1', summary: 'forged' })] });
    const page = `<!doctype html><html><body><script>
      const relay = ${JSON.stringify(relay.url)};
      const body = ${JSON.stringify(body)};
      const types = ${JSON.stringify(SIMPLE_TYPES)};
      window.done = (async () => {
        const results = [];
        for (const path of ['/v1/alerts', '/v1/alertmanager', '/v1/pagerduty']) {
          for (const t of types) {
            try { await fetch(relay + path, { method: 'POST', mode: 'no-cors', headers: { 'Content-Type': t }, body }); results.push('sent'); }
            catch (e) { results.push('blocked'); }
          }
          // a request with no content type at all, and a sendBeacon
          try { await fetch(relay + path, { method: 'POST', mode: 'no-cors', body }); results.push('sent'); } catch { results.push('blocked'); }
          navigator.sendBeacon(relay + path, body);
        }
        // a plain HTML form, text/plain encoded so the body is the JSON
        const frame = document.createElement('iframe'); frame.name = 'sink'; document.body.appendChild(frame);
        const form = document.createElement('form');
        form.method = 'POST'; form.action = relay + '/v1/alerts'; form.enctype = 'text/plain'; form.target = 'sink';
        const input = document.createElement('input'); input.name = body.slice(0, -2); input.value = body.slice(-2); form.appendChild(input);
        document.body.appendChild(form); form.submit();
        await new Promise((r) => setTimeout(r, 500));
        return results;
      })();
    </script></body></html>`;
    attacker = createServer((_req, res) => {
      res.writeHead(200, { 'Content-Type': 'text/html' });
      res.end(page);
    });
    await new Promise<void>((r) => attacker.listen(0, '127.0.0.1', () => r()));
    attackerUrl = `http://127.0.0.1:${(attacker.address() as AddressInfo).port}/`;
    browser = await launchChromium();
  });

  afterAll(async () => {
    await browser?.close();
    attacker?.close();
    await relay?.close();
    cleanup();
  });

  it('stores nothing from any CORS-simple request, form post or beacon', async () => {
    const before = relay.store.count();
    const page = await browser.newPage();
    await page.goto(attackerUrl);
    const results = (await page.evaluate('window.done')) as string[];
    await new Promise((r) => setTimeout(r, 500));
    const metrics = await fetch(`${relay.url}/metrics`).then((r) => r.text());
    const refused = metrics
      .split('\n')
      .filter((l) => l.startsWith('relay_requests_rejected_total'))
      .map((l) => Number(l.split(' ').at(-1)))
      .reduce((a, b) => a + b, 0);
    console.log(`cross-origin page: ${results.length} fetches (${results.filter((r) => r === 'sent').length} left the browser), ${refused} refused by the relay, ${relay.store.count() - before} stored`);
    expect(relay.store.count()).toBe(before);
    expect(refused).toBeGreaterThan(0); // the requests did reach the relay, and were refused there
    await page.close();
  });

  it('answers a DNS-rebinding Host with 421', async () => {
    const { request } = await import('node:http');
    const status = await new Promise<number>((resolve, reject) => {
      const req = request(`${relay.url}/v1/alerts`, { method: 'POST', setHost: false, headers: { Host: 'rebind.example', 'Content-Type': 'application/json' } }, (res) => {
        res.resume();
        resolve(res.statusCode ?? 0);
      });
      req.on('error', reject);
      req.end(JSON.stringify(nativeAlert('rebound')));
    });
    expect([403, 421]).toContain(status);
  });
});
