// The hospital's own PHI allow-list file: values on it are never masked; a
// broken file is reported and the console starts anyway.
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect } from 'vitest';
import { maskPhi } from '../../src/shared/phi.js';
import { consoleTest as it } from '../support/fixtures.js';

describe('<data dir>/phi-allowlist.txt', () => {
  it('keeps the listed values visible (a pavilion named after a person, a vendor mailbox) and still masks the rest', async ({ dir, boot }) => {
    const line = 'Harold Whitcombe paged from the ward; patient Hannah Lindqvist, MRN 00482913; vendor support@acme-imaging.example';
    expect(maskPhi(line)).not.toContain('Harold Whitcombe');
    writeFileSync(join(dir, 'phi-allowlist.txt'), '# our own names, never PHI\nHarold Whitcombe   # the pavilion\nsupport@acme-imaging.example\nx\n');
    await boot();
    const masked = maskPhi(line);
    expect(masked).toContain('Harold Whitcombe');
    expect(masked).toContain('support@acme-imaging.example');
    expect(masked).not.toContain('Hannah Lindqvist');
    expect(masked).not.toContain('00482913');
  });

  it('reports a list that is not a file, and starts anyway', async ({ dir, boot }) => {
    mkdirSync(join(dir, 'phi-allowlist.txt'));
    const lines: string[] = [];
    const oncall = await boot({ logger: { log: (_l, code, msg) => lines.push(`${code} ${msg}`) } });
    expect(lines.some((l) => l.startsWith('E_PHI_ALLOWLIST') && l.includes('not a regular file'))).toBe(true);
    expect(oncall.status().incidents.open).toBe(0);
  });
});
