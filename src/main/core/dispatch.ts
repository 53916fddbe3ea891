import {
  describeIssues,
  isRequestName,
  requestSchemas,
  type ParsedInput,
  type Reply,
  type RequestName,
} from '../../shared/contract.js';
import { ConsoleError, type ConsoleErrorShape } from '../../shared/errors.js';
import type { Logger } from '../platform/logger.js';
import { errorText } from '../../shared/safe-text.js';
import type { Handler, HandlerTable, RequestContext } from '../platform/handlers.js';

export type { Handler, HandlerTable, RequestContext } from '../platform/handlers.js';

/**
 * Validate and run one request. Never throws: the reply carries a typed error
 * (unknown request, schema failure naming each field, or the handler's own).
 */
export async function dispatch(
  table: HandlerTable,
  name: unknown,
  rawInput: unknown,
  ctx: RequestContext,
  logger?: Logger,
): Promise<Reply<unknown>> {
  if (!isRequestName(name)) {
    const shown = typeof name === 'string' ? JSON.stringify(name.slice(0, 64)) : typeof name;
    return fail({ code: 'E_UNKNOWN_REQUEST', category: 'input', message: `no such request: ${shown}` });
  }
  const parsed = requestSchemas[name].safeParse(rawInput ?? {});
  if (!parsed.success) {
    return fail({ code: 'E_INVALID_INPUT', category: 'input', message: `${name}: ${describeIssues(parsed.error)}` });
  }
  try {
    const handler = table[name] as Handler<RequestName>;
    const result = await handler(parsed.data as ParsedInput<RequestName>, ctx);
    return { ok: true, result };
  } catch (err) {
    if (err instanceof ConsoleError) return fail(err.toShape());
    logger?.log('error', 'E_INTERNAL', `${name} failed: ${errorText(err)}`, { transport: ctx.transport });
    return fail({
      code: 'E_INTERNAL',
      category: 'internal',
      message: `${name} failed inside the console; the error was logged for support`,
    });
  }
}

function fail(error: ConsoleErrorShape): Reply<never> {
  return { ok: false, error };
}
