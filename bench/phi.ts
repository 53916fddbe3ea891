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
  // five rounds each: the median is the figure, the best shows what the machine gives when nothing else runs
  for (const [name, fn] of [['findPhi', findPhi], ['maskPhi', maskPhi]] as const) {
    const rates: number[] = [];
    let n = 0;
    for (let round = 0; round < 5; round++) {
      const t0 = performance.now();
      for (const l of lines) n += fn(l).length;
      rates.push((N / (performance.now() - t0)) * 1000);
    }
    rates.sort((a, b) => a - b);
    const median = rates[2]!;
    const fmt = (x: number) => Math.round(x).toLocaleString('en-US');
    console.log(`${name} at STRICT: median ${fmt(median)} lines/s, best ${fmt(rates[4]!)}, worst ${fmt(rates[0]!)} (5 rounds of ${N.toLocaleString('en-US')} lines, ${(chars / 1e6).toFixed(1)} MB, mean ${(chars / N).toFixed(0)} chars; checksum ${n})`);
    if (name === 'findPhi') console.log(`  a storm of 1,000 alerts/s (summary and description each) costs ${((2000 / median) * 100).toFixed(2)} % of one core`);
  }
}
