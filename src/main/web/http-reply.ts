// Answers of the loopback bridge: security headers on every reply, JSON
// bodies, and typed refusals in the contract's reply shape.
import type { ServerResponse } from 'node:http';
import type { Reply } from '../../shared/contract.js';
import type { ConsoleErrorShape } from '../../shared/errors.js';

export function securityHeaders(res: ServerResponse): void {
  res.setHeader('X-Content-Type-Options', 'nosniff');
  res.setHeader('Referrer-Policy', 'no-referrer');
  res.setHeader('Cross-Origin-Opener-Policy', 'same-origin');
  res.setHeader('Cross-Origin-Resource-Policy', 'same-origin');
  res.setHeader('Cache-Control', 'no-store');
}

export function sendJson(res: ServerResponse, status: number, body: unknown): void {
  securityHeaders(res);
  res.writeHead(status, { 'Content-Type': 'application/json; charset=utf-8' });
  res.end(JSON.stringify(body));
}

export function refuse(res: ServerResponse, status: number, error: ConsoleErrorShape): void {
  const reply: Reply<never> = { ok: false, error };
  sendJson(res, status, reply);
}
