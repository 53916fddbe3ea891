import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { ROOT } from '../support/browser-mode.js';

describe('README', () => {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');

  it('links only files that exist in the repository (screenshots under docs/ included)', () => {
    const targets = [...readme.matchAll(/\]\(([^)#\s]+)\)/g)].map((m) => m[1]!).filter((t) => !/^[a-z]+:/.test(t));
    expect(targets.some((t) => t.startsWith('docs/screenshots/'))).toBe(true);
    const missing = targets.filter((t) => !existsSync(join(ROOT, t)));
    expect(missing).toEqual([]);
  });

  it('opens with the two quick-start commands, and .ci/run runs the test one exactly', () => {
    const quick = readme.slice(readme.indexOf('## Quick start'), readme.indexOf('## User guide'));
    expect(quick).toContain('npm ci && npm start');
    const testLine = './scripts/install-system-deps && npm ci && npm test';
    expect(quick).toContain(testLine);
    expect(readFileSync(join(ROOT, '.ci/run'), 'utf8')).toContain(testLine);
  });
});
