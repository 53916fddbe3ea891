// A corpus of broken config files in the data folder. Each must be named with
// its file and line; the console must start and keep running on the last good
// set (or the bundled default), never on nothing.
import { copyFileSync, mkdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, expect } from 'vitest';
import { consoleTest } from '../support/fixtures.js';

const ROOT = resolve(__dirname, '../..');

const GOOD_PROBES = `probes:
  - &tcp { id: ward-gateway, name: Ward gateway, kind: tcp, host: 127.0.0.1, port: 9, interval: 3600000 }
  - { <<: *tcp, id: lab-gateway, name: Lab gateway }
`;
const GOOD_RUNBOOK = `id: ward-network-outage
title: Ward network outage
description: what to do when the ward's network is down
appliesTo: { auto: false }
steps:
  - { id: call, kind: manual, title: Call the network on-call }
`;
const BOMB = `a: &a ["lol","lol","lol","lol","lol","lol","lol","lol","lol"]
b: &b [*a,*a,*a,*a,*a,*a,*a,*a,*a]
c: &c [*b,*b,*b,*b,*b,*b,*b,*b,*b]
d: &d [*c,*c,*c,*c,*c,*c,*c,*c,*c]
e: &e [*d,*d,*d,*d,*d,*d,*d,*d,*d]
f: &f [*e,*e,*e,*e,*e,*e,*e,*e,*e]
g: &g [*f,*f,*f,*f,*f,*f,*f,*f,*f]
`;

type Place = 'probes' | 'runbook' | 'contacts' | 'runbooks-dir';
interface Case {
  name: string;
  place: Place;
  write: (dir: string) => void;
  /** the message names this file */
  file: (dir: string) => string;
}

const at = {
  probes: (d: string) => join(d, 'probes.yaml'),
  runbook: (d: string) => join(d, 'runbooks', 'ward-network.yaml'),
  contacts: (d: string) => join(d, 'contacts.yaml'),
  dir: (d: string) => join(d, 'runbooks'),
};
const text = (place: Place, body: string | Buffer) => (d: string) => writeFileSync(place === 'probes' ? at.probes(d) : place === 'runbook' ? at.runbook(d) : at.contacts(d), body);
const folder = (path: (d: string) => string) => (d: string) => {
  rmSync(path(d), { recursive: true, force: true });
  mkdirSync(path(d), { recursive: true });
};

const CASES: Case[] = [
  { name: 'probes: YAML syntax error', place: 'probes', write: text('probes', 'probes:\n  - id: x\n   kind: tcp\n'), file: at.probes },
  { name: 'probes: alias bomb', place: 'probes', write: text('probes', `${BOMB}probes: *g\n`), file: at.probes },
  { name: 'probes: a folder named probes.yaml', place: 'probes', write: folder(at.probes), file: at.probes },
  { name: 'probes: 2 MiB file', place: 'probes', write: text('probes', `# ${'x'.repeat(2 * 1024 * 1024)}\nprobes: []\n`), file: at.probes },
  { name: 'probes: a scalar at the top', place: 'probes', write: text('probes', 'just some text\n'), file: at.probes },
  { name: 'probes: probes is a map', place: 'probes', write: text('probes', 'probes: { id: x }\n'), file: at.probes },
  { name: 'probes: duplicate keys', place: 'probes', write: text('probes', 'probes: []\nprobes: []\n'), file: at.probes },
  { name: 'probes: binary garbage', place: 'probes', write: text('probes', Buffer.from([0xff, 0xfe, 0x00, 0x01, 0x7b, 0x5b, 0x3a, 0x0a])), file: at.probes },
  { name: 'probes: empty file', place: 'probes', write: text('probes', ''), file: at.probes },
  { name: 'runbook: YAML syntax error', place: 'runbook', write: text('runbook', 'id: ward-network-outage\ntitle: [unclosed\n'), file: at.runbook },
  { name: 'runbook: alias bomb', place: 'runbook', write: text('runbook', `${BOMB}id: ward-network-outage\ntitle: t\nsteps: *g\n`), file: at.runbook },
  { name: 'runbook: a folder named like a runbook', place: 'runbook', write: folder(at.runbook), file: at.runbook },
  { name: 'runbook: missing title', place: 'runbook', write: text('runbook', GOOD_RUNBOOK.replace(/^title:.*\n/m, '')), file: at.runbook },
  { name: 'runbook: a step of an unknown kind', place: 'runbook', write: text('runbook', GOOD_RUNBOOK.replace('kind: manual', 'kind: telepathy')), file: at.runbook },
  {
    name: 'runbooks: two runbooks with one id',
    place: 'runbooks-dir',
    write: (d) => writeFileSync(join(d, 'runbooks', 'zz-copy.yaml'), GOOD_RUNBOOK.replace('Ward network outage', 'Another title')),
    file: (d) => join(d, 'runbooks', 'zz-copy.yaml'),
  },
  {
    name: 'runbooks: the folder is a file',
    place: 'runbooks-dir',
    write: (d) => {
      rmSync(at.dir(d), { recursive: true, force: true });
      writeFileSync(at.dir(d), 'not a folder');
    },
    file: at.dir,
  },
  { name: 'contacts: alias bomb', place: 'contacts', write: text('contacts', `${BOMB}groups: *g\nlevels: *g\n`), file: at.contacts },
  { name: 'contacts: YAML syntax error', place: 'contacts', write: text('contacts', 'groups:\n  - name: "unterminated\n'), file: at.contacts },
  { name: 'contacts: duplicate escalation levels', place: 'contacts', write: (d) => writeFileSync(at.contacts(d), readFileSync(join(ROOT, 'resources/contacts.example.yaml'), 'utf8').replace('- { level: 2,', '- { level: 1,')), file: at.contacts },
  { name: 'contacts: a folder named contacts.yaml', place: 'contacts', write: folder(at.contacts), file: at.contacts },
  { name: 'contacts: empty file', place: 'contacts', write: text('contacts', ''), file: at.contacts },
  { name: 'contacts: a contact without a phone', place: 'contacts', write: (d) => writeFileSync(at.contacts(d), readFileSync(join(ROOT, 'resources/contacts.example.yaml'), 'utf8').replace('phone: "+1-555-0100", ', '')), file: at.contacts },
];

/** the good files, written over whatever a case left */
function writeGood(dir: string) {
  for (const p of [at.probes(dir), at.contacts(dir), at.dir(dir)]) rmSync(p, { recursive: true, force: true });
  writeFileSync(at.probes(dir), GOOD_PROBES);
  mkdirSync(at.dir(dir));
  writeFileSync(at.runbook(dir), GOOD_RUNBOOK);
  copyFileSync(join(ROOT, 'resources/contacts.example.yaml'), at.contacts(dir));
}

const it = consoleTest.extend<{ consoleArgv: string[]; named: string[]; lastGood: void }>({
  consoleArgv: ['--probes', 'default'],
  named: [
    // eslint-disable-next-line no-empty-pattern
    async ({}, use) => {
      const named: string[] = [];
      await use(named);
      console.log(`broken config corpus: ${named.length} of ${CASES.length} files named with file and line, the console ran on its last good set each time`);
    },
    { scope: 'file' },
  ],
  /** before each case, a first start on the good files: the last good sets are kept */
  lastGood: [
    async ({ dir, boot }, use) => {
      writeGood(dir);
      const first = await boot();
      const s = first.services();
      expect(s.probes.configs().map((p) => p.id)).toEqual(['ward-gateway', 'lab-gateway']); // the YAML merge key and alias resolved
      expect(s.probeErrors).toEqual([]);
      await first.stop();
      await use();
    },
    { auto: true },
  ],
});

describe('broken config files never stop the console', () => {
  for (const c of CASES) {
    it(`${c.name}: named with file and line; runs on the last good set`, async ({ dir, boot, named }) => {
      writeGood(dir);
      c.write(dir);
      const oncall = await boot();
      const s = oncall.services();
      const errors = [...s.probeErrors, ...s.runbookErrors, ...(s.contacts.error ? [s.contacts.error] : [])];
      const file = c.file(dir);
      const hit = errors.find((e) => e.includes(`${file}: line `));
      expect(hit, `errors were: ${errors.join(' | ')}`).toBeDefined();
      if (c.place === 'probes') expect(s.probes.configs().map((p) => p.id).sort()).toEqual(['lab-gateway', 'ward-gateway']);
      expect(s.runbooks.catalogue().some((r) => r.id === 'ward-network-outage')).toBe(true);
      expect(s.runbooks.catalogue().length).toBeGreaterThanOrEqual(9);
      expect(s.contacts.book?.levels.length).toBeGreaterThanOrEqual(4);
      named.push(hit!);
    });
  }
});
