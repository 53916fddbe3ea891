// isoTime keeps the last millisecond it formatted: whatever the sequence of
// times (repeats, going back, fractions, the ends of Date's range), each answer
// is Date's own, and a time that is not one still throws.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { isoTime } from '../../src/shared/clock.js';

describe('isoTime', () => {
  const ms = fc.oneof(fc.integer({ min: -8.64e15, max: 8.64e15 }), fc.double({ min: -8.64e15, max: 8.64e15, noNaN: true }), fc.constantFrom(0, -0, 1.7e12, 1.7e12 + 0.5));
  it('answers as Date does for any sequence of times, repeated or not', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(ms, fc.constant(-1)), { minLength: 1, maxLength: 40 }), (times) => {
        let prev = 0;
        for (const t of times) {
          const m = t === -1 ? prev : t; // -1: the same time again
          expect(isoTime(m)).toBe(new Date(m).toISOString());
          prev = m;
        }
      }),
    );
  });
  it('throws for a time that is not one, even right after a good one', () => {
    for (const bad of [Number.NaN, Number.POSITIVE_INFINITY, 8.64e15 + 1]) {
      isoTime(0);
      expect(() => isoTime(bad)).toThrow(RangeError);
      expect(() => isoTime(bad)).toThrow(RangeError);
    }
  });
});
