// The renderer's side of the contract. It never knows which transport it has:
// Electron's preload (window.oncall) or the browser-mode loopback bridge.
import type { ContractClient, EventName, EventPayloads, RequestInput, RequestName, RequestResult } from '../shared/contract.js';
import { ConsoleError } from '../shared/errors.js';
import { unwrapReply } from '../shared/reply.js';

interface PreloadApi {
  request(name: string, input: unknown): Promise<unknown>;
  onEvent(listener: (name: string, payload: unknown) => void): () => void;
}

declare global {
  interface Window {
    oncall?: PreloadApi;
  }
}

type Listener = <E extends EventName>(name: E, payload: EventPayloads[E]) => void;

function ipcClient(api: PreloadApi): ContractClient {
  return {
    async request<N extends RequestName>(name: N, input: RequestInput<N>) {
      return unwrapReply<RequestResult<N>>(await api.request(name, input));
    },
    onEvent(listener: Listener) {
      return api.onEvent((name, payload) => listener(name as EventName, payload as never));
    },
  };
}

const TOKEN_KEY = 'oncall.bridgeToken';

/** The launch URL carries the token in its fragment; keep it for this tab only and hide it. */
function takeBridgeToken(): string {
  const match = /(?:^#|&)token=([A-Za-z0-9_-]+)/.exec(window.location.hash);
  if (match?.[1]) {
    sessionStorage.setItem(TOKEN_KEY, match[1]);
    history.replaceState(null, '', window.location.pathname);
  }
  return sessionStorage.getItem(TOKEN_KEY) ?? '';
}

function bridgeClient(): ContractClient {
  const token = takeBridgeToken();
  const listeners = new Set<Listener>();
  let socket: WebSocket | null = null;
  let retry = 500;

  const connect = () => {
    // the session cookie (from the one-time launch link) authenticates; a token, when a program passed one, too
    const ws = new WebSocket(`${window.location.origin.replace(/^http/, 'ws')}/api/events`, token ? ['oncall.v1', `bearer.${token}`] : ['oncall.v1']);
    socket = ws;
    ws.onopen = () => {
      retry = 500;
    };
    ws.onmessage = (m) => {
      try {
        const { event, payload } = JSON.parse(String(m.data)) as { event: EventName; payload: never };
        for (const l of listeners) l(event, payload);
      } catch {
        // ignore malformed frames; main is the only sender
      }
    };
    ws.onclose = () => {
      socket = null;
      // Reconnect with capped backoff: the console process may be restarting.
      setTimeout(connect, retry);
      retry = Math.min(retry * 2, 10_000);
    };
  };
  connect();

  return {
    async request<N extends RequestName>(name: N, input: RequestInput<N>) {
      let res: Response;
      try {
        res = await fetch('/api/request', {
          method: 'POST',
          headers: token ? { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` } : { 'Content-Type': 'application/json' },
          credentials: 'same-origin',
          body: JSON.stringify({ name, input }),
        });
      } catch {
        throw new ConsoleError('E_BRIDGE_DOWN', 'unavailable', 'the console process is not answering; is it still running?');
      }
      return unwrapReply<RequestResult<N>>(await res.json());
    },
    onEvent(listener: Listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    // keep a reference for debugging without exposing the socket
    toString: () => `bridge(${socket ? 'events connected' : 'events reconnecting'})`,
  } as ContractClient;
}

export function createClient(): ContractClient {
  return window.oncall ? ipcClient(window.oncall) : bridgeClient();
}
