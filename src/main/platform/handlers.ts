// What a domain registers for the contract: a handler per request, each with
// its access policy. The merge point joins the domains' partial tables into
// the one table both transports serve, refuses a request registered twice or
// not at all, and applies the policy where the handler is registered.
import { REQUEST_NAMES, type ParsedInput, type RequestName, type RequestResult } from '../../shared/contract.js';

/** Which transport a request came through; handlers may not care, logs do. */
export interface RequestContext {
  transport: 'ipc' | 'bridge' | 'test';
}

export type Handler<N extends RequestName> = (input: ParsedInput<N>, ctx: RequestContext) => RequestResult<N> | Promise<RequestResult<N>>;

/** One handler per contract request; both transports serve this table. */
export type HandlerTable = { [N in RequestName]: Handler<N> };

/**
 * `open`: answered even while the console is locked (status counts, the way
 * back in). `unlocked`: refused while locked — automatic logoff is enforced in
 * main, not only by hiding the UI.
 */
export type Access = 'open' | 'unlocked';
export interface Registered<N extends RequestName> {
  access: Access;
  run: Handler<N>;
}
export type HandlerSlice = { [N in RequestName]?: Registered<N> };

export const open = <N extends RequestName>(run: Handler<N>): Registered<N> => ({ access: 'open', run });
export const unlocked = <N extends RequestName>(run: Handler<N>): Registered<N> => ({ access: 'unlocked', run });

export function mergeHandlers(slices: HandlerSlice[], policy: { requireUnlocked(): void }): HandlerTable {
  const table: Record<string, Handler<RequestName>> = {};
  for (const slice of slices) {
    for (const [name, reg] of Object.entries(slice) as [RequestName, Registered<RequestName>][]) {
      if (table[name]) throw new Error(`E_CONTRACT: request "${name}" is registered twice`);
      const run = reg.run;
      table[name] =
        reg.access === 'open'
          ? run
          : (input, ctx) => {
              policy.requireUnlocked();
              return run(input, ctx);
            };
    }
  }
  const missing = REQUEST_NAMES.filter((n) => !table[n]);
  if (missing.length) throw new Error(`E_CONTRACT: no handler for ${missing.join(', ')}`);
  return table as unknown as HandlerTable;
}
