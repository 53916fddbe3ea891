// The hospital's own allow-list for PHI detection: `<data dir>/phi-allowlist.txt`,
// one value per line (a system, model or host name, a shared mailbox, a ward's
// number), `#` starts a comment. A missing file is no list; an unreadable or
// oversized one is reported and ignored — never a reason not to start.
import { readFileSync, statSync } from 'node:fs';
import { join } from 'node:path';

export const PHI_ALLOWLIST_FILE = 'phi-allowlist.txt';
const MAX_BYTES = 1024 * 1024;
const MAX_VALUE = 200;

export function readAllowListFile(dataDir: string): { values: string[]; error: string | null } {
  const file = join(dataDir, PHI_ALLOWLIST_FILE);
  let text: string;
  try {
    const st = statSync(file);
    if (!st.isFile()) return { values: [], error: `${file}: not a regular file` };
    if (st.size > MAX_BYTES) return { values: [], error: `${file}: larger than ${MAX_BYTES} bytes` };
    text = readFileSync(file, 'utf8');
  } catch (err) {
    return (err as NodeJS.ErrnoException).code === 'ENOENT' ? { values: [], error: null } : { values: [], error: `${file}: ${(err as NodeJS.ErrnoException).code ?? 'unreadable'}` };
  }
  const values = text
    .split(/\r?\n/)
    .map((l) => l.replace(/(^|\s)#.*$/, '').trim())
    .filter((l) => l.length >= 3 && l.length <= MAX_VALUE);
  return { values, error: null };
}
