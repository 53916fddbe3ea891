// How a domain declares its slice of the contract: each request with its input
// schema and result type together, each pushed event with its payload type.
import { z } from 'zod';

/** A request: the schema main validates its input with, and (as a type only) what it answers. */
export interface RequestSpec<S extends z.ZodType, R> {
  input: S;
  /** phantom: carries the result type, never read */
  result?: R;
}

/** `request<Result>()(schema)`: the result type first, the schema inferred. */
export const request =
  <R>() =>
  <S extends z.ZodType>(input: S): RequestSpec<S, R> => ({ input });

/** An event and (as a type only) its payload. */
export interface EventSpec<P> {
  payload?: P;
}
export const event = <P>(): EventSpec<P> => ({});

export const IsoTime = z.iso.datetime({ offset: true, message: 'must be an ISO-8601 date-time, e.g. 2026-11-22T08:00:00Z' });
export const Empty = z.object({}).strict();
export const IncidentId = z.string().regex(/^MAI-\d{8}-\d{6}(-\d{1,4})?$/, 'must be an incident id like MAI-20261122-080000');

/**
 * The one merge point's rule: slices are joined into one table, and a name
 * declared by two slices is refused (at load, before anything is served).
 */
export function mergeSlices<T extends object[]>(...slices: T): UnionToIntersection<T[number]> {
  const out: Record<string, unknown> = {};
  for (const slice of slices) {
    for (const [name, spec] of Object.entries(slice)) {
      if (Object.prototype.hasOwnProperty.call(out, name)) throw new Error(`E_CONTRACT: "${name}" is declared by two domains`);
      out[name] = spec;
    }
  }
  return out as UnionToIntersection<T[number]>;
}

type UnionToIntersection<U> = (U extends unknown ? (x: U) => void : never) extends (x: infer I) => void ? I : never;
