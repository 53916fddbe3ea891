// A data folder for on-call tests: the bundled directory (its people) and a
// schedules.yaml, plus any files beside it (a calendar).
import { copyFileSync, mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';

const ROOT = resolve(__dirname, '../..');

export function onCallFolder(dir: string, schedules: string, files: Record<string, string> = {}): void {
  mkdirSync(dir, { recursive: true });
  copyFileSync(join(ROOT, 'resources/contacts.example.yaml'), join(dir, 'contacts.yaml'));
  writeFileSync(join(dir, 'schedules.yaml'), schedules);
  for (const [name, from] of Object.entries(files)) copyFileSync(join(ROOT, from), join(dir, name));
}

/** schedules.yaml's start: Dana and Omar take weekly turns from Monday 16 November 2026, 08:00 (UTC and London agree in November). */
export const ENGINEERS_WEEKLY = `schedules:
  - role: On-Call Engineer
    layers:
      - name: weekly
        rotation: weekly
        start: "2026-11-16T08:00"
        participants: [Dana Whitfield, Omar Haddad]
`;
