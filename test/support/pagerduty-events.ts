// A local server implementing PagerDuty's documented Events API v2 contract
// (https://developer.pagerduty.com/docs/events-api-v2/overview/), since
// PagerDuty cannot be reached here: POST /v2/enqueue with routing_key (32
// characters), event_action trigger | acknowledge | resolve, dedup_key
// (required for acknowledge and resolve; at most 255 characters), payload for
// trigger. 202 {status: "success", message: "Event processed", dedup_key};
// 400 {status: "invalid event", message: "Event object is invalid", errors};
// 429 when rate limited. Tests can make it answer 429 / 5xx / 400 next.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ReceivedEvent {
  routing_key: string;
  event_action: string;
  dedup_key?: string;
  /** what the server answered */
  status: number;
}

export interface PagerDutyEventsServer {
  url: string;
  /** every request, with the status answered */
  received: ReceivedEvent[];
  /** answer the next requests with these statuses (then follow the contract again) */
  failNext(...statuses: number[]): void;
  /** answer every request for this dedup key with this status */
  failFor(dedupKey: string, status: number): void;
  close(): Promise<void>;
}

export async function startPagerDutyEvents(): Promise<PagerDutyEventsServer> {
  const forced: number[] = [];
  const perKey = new Map<string, number>();
  const received: ReceivedEvent[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (c: Buffer) => chunks.push(c));
    req.on('end', () => {
      const answer = (status: number, body: unknown) => {
        res.writeHead(status, { 'content-type': 'application/json' });
        res.end(JSON.stringify(body));
      };
      if (req.method !== 'POST' || req.url !== '/v2/enqueue') return answer(404, { status: 'not found' });
      let e: Record<string, unknown>;
      try {
        e = JSON.parse(Buffer.concat(chunks).toString('utf8')) as Record<string, unknown>;
      } catch {
        return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors: ['Malformed JSON'] });
      }
      const errors: string[] = [];
      if (typeof e.routing_key !== 'string' || e.routing_key.length !== 32) errors.push("'routing_key' must be a 32 character integration key");
      if (!['trigger', 'acknowledge', 'resolve'].includes(String(e.event_action))) errors.push("'event_action' is invalid (must be one of the following: 'trigger', 'acknowledge' or 'resolve')");
      if (e.event_action !== 'trigger' && (typeof e.dedup_key !== 'string' || e.dedup_key.length === 0 || e.dedup_key.length > 255)) errors.push("'dedup_key' is required for acknowledge and resolve events");
      const event: ReceivedEvent = { routing_key: String(e.routing_key), event_action: String(e.event_action), ...(typeof e.dedup_key === 'string' ? { dedup_key: e.dedup_key } : {}), status: 0 };
      const status = forced.shift() ?? (event.dedup_key ? perKey.get(event.dedup_key) : undefined) ?? (errors.length ? 400 : 202);
      event.status = status;
      received.push(event);
      if (status === 202) return answer(202, { status: 'success', message: 'Event processed', dedup_key: event.dedup_key });
      if (status === 400) return answer(400, { status: 'invalid event', message: 'Event object is invalid', errors: errors.length ? errors : ['rejected'] });
      if (status === 429) return answer(429, { status: 'throttle event', message: 'Requests for this service are arriving too quickly.  Please retry later.' });
      return answer(status, { status: 'error', message: 'Internal error' });
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}/v2/enqueue`,
    received,
    failNext: (...statuses) => forced.push(...statuses),
    failFor: (key, status) => perKey.set(key, status),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
