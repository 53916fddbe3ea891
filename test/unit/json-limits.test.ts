// The depth limit on request bodies, against the definition of depth: one for
// an array or object, plus the deepest of its members.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { jsonDepth } from '../../src/shared/json-limits.js';

const depth = (v: unknown): number => (v !== null && typeof v === 'object' ? 1 + Math.max(0, ...Object.values(v as object).map(depth)) : 0);

describe('jsonDepth', () => {
  it('is the depth of any JSON value, and stops past the limit', () => {
    fc.assert(
      fc.property(fc.jsonValue({ maxDepth: 12 }), fc.integer({ min: 1, max: 14 }), (v, limit) => {
        const d = depth(v);
        const got = jsonDepth(v, limit);
        if (d <= limit) expect(got).toBe(d);
        else expect(got).toBeGreaterThan(limit);
      }),
      { numRuns: 2000 },
    );
  });

  it('measures a hostile depth without running out of stack', () => {
    const text = '['.repeat(100_000) + ']'.repeat(100_000);
    expect(jsonDepth(JSON.parse(text), 32)).toBe(33);
  });
});
