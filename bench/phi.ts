// PHI detection throughput: lines/s of findPhi and maskPhi over ≥ 100,000 mixed lines
// (the corpus lines, PHI and look-alikes, repeated with their numbers varied).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { findPhi, maskPhi } from '../src/shared/phi.js';

export async function run(): Promise<void> {
  const base = readFileSync(join(__dirname, '../test/fixtures/phi-corpus.txt'), 'utf8')
    .split('\n')
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => l.replace(/\[\[\w+\|(.+?)\]\]/g, '$1'));
  const N = 120_000;
  let seed = 7;
  const rnd = () => ((seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff);
  // vary every digit so no line repeats exactly (no regex or cache gets lucky)
  const lines = Array.from({ length: N }, (_, i) => base[i % base.length]!.replace(/\d/g, () => String(Math.floor(rnd() * 10))));
  const chars = lines.reduce((a, l) => a + l.length, 0);
  for (let i = 0; i < 2000; i++) findPhi(lines[i]!); // warm-up
  for (const [name, fn] of [['findPhi', findPhi], ['maskPhi', maskPhi]] as const) {
    const t0 = performance.now();
    let n = 0;
    for (const l of lines) n += fn(l).length;
    const ms = performance.now() - t0;
    const perS = (N / ms) * 1000;
    console.log(`${name} at STRICT: ${Math.round(perS).toLocaleString('en-US')} lines/s (${N.toLocaleString('en-US')} lines, ${(chars / 1e6).toFixed(1)} MB, mean ${(chars / N).toFixed(0)} chars, in ${ms.toFixed(0)} ms; checksum ${n})`);
    if (name === 'findPhi') console.log(`  a storm of 1,000 alerts/s (summary and description each) costs ${((2000 / perS) * 100).toFixed(2)} % of one core`);
  }
}
