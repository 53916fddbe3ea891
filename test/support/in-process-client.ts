// A ContractClient over a real console's handlers, in this process: the
// renderer store runs against it in vitest, without Chromium. It counts the
// requests the store makes.
import type { ContractClient, EventName, EventPayloads, RequestInput, RequestName, RequestResult } from '../../src/shared/contract.js';
import { unwrapReply } from '../../src/shared/reply.js';
import type { OnCallConsole } from '../../src/main/core/console.js';
import { dispatch } from '../../src/main/core/dispatch.js';

export interface CountingClient extends ContractClient {
  readonly requests: RequestName[];
}

export function inProcessClient(c: OnCallConsole): CountingClient {
  const requests: RequestName[] = [];
  return {
    requests,
    async request<N extends RequestName>(name: N, input: RequestInput<N>): Promise<RequestResult<N>> {
      requests.push(name);
      return unwrapReply<RequestResult<N>>(await dispatch(c.handlers, name, input, { transport: 'test' }));
    },
    onEvent(listener: <E extends EventName>(name: E, payload: EventPayloads[E]) => void) {
      // as over IPC: delivered after the request that caused it has returned to its caller
      return c.events.on((name, payload) => void Promise.resolve().then(() => listener(name, payload)));
    },
  };
}
