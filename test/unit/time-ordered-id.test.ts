// Runbook run ids are RFC 9562 version-7 UUIDs: checked against the RFC's own
// layout (and its test vector), not against the helper's code.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { z } from 'zod';
import { timeOrderedId } from '../../src/main/store/time-ordered-id.js';

// RFC 9562 §5.7: unix_ts_ms (48) | ver = 0b0111 (4) | rand_a (12) | var = 0b10 (2) | rand_b (62)
const LAYOUT = /^([0-9a-f]{8})-([0-9a-f]{4})-7[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const msOf = (id: string) => parseInt(id.slice(0, 8) + id.slice(9, 13), 16);

describe('time-ordered ids (UUID version 7)', () => {
  it("writes the RFC's test vector's time as it does (Tuesday, February 22, 2022 2:22:22.00 PM GMT-05:00)", () => {
    // RFC 9562 Appendix A.6: 017F22E2-79B0-7CC3-98C4-DC0C0C07398F, unix_ts_ms 0x017F22E279B0
    const id = timeOrderedId(0x017f22e279b0, () => '00000000-0000-4cc3-98c4-dc0c0c07398f');
    expect(id).toBe('017f22e2-79b0-7cc3-98c4-dc0c0c07398f');
  });

  it('is a UUID to every reader, version 7, and sorts by the time it was made', () => {
    let checked = 0;
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 2 ** 48 - 1 }), fc.integer({ min: 0, max: 2 ** 48 - 1 }), (a, b) => {
        const x = timeOrderedId(a);
        const y = timeOrderedId(b);
        for (const id of [x, y]) {
          expect(id).toMatch(LAYOUT);
          expect(z.uuid().safeParse(id).success).toBe(true);
        }
        expect(msOf(x)).toBe(a);
        if (a !== b) expect(x < y).toBe(a < b);
        checked++;
      }),
      { numRuns: 500 },
    );
    console.log(`time-ordered ids: ${checked} pairs checked for layout, time and order`);
  });

  it('never repeats within one millisecond, and clamps times outside 48 bits', () => {
    const ids = new Set(Array.from({ length: 20_000 }, () => timeOrderedId(1_700_000_000_000)));
    expect(ids.size).toBe(20_000);
    expect(msOf(timeOrderedId(-5))).toBe(0);
    expect(msOf(timeOrderedId(2 ** 60))).toBe(2 ** 48 - 1);
    expect(timeOrderedId(Number.NaN)).toMatch(LAYOUT);
  });
});
