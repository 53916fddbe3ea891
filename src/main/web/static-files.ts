// The built renderer over the bridge: files under one folder only, with the
// content security policy and frame denial on every page.
import type { IncomingMessage, ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { extname, join, normalize, sep } from 'node:path';
import { refuse, securityHeaders } from './http-reply.js';

const MIME: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.woff2': 'font/woff2',
  '.json': 'application/json',
};

export function contentSecurityPolicy(origin: string): string {
  const ws = origin.replace(/^http/, 'ws');
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "font-src 'self'",
    `connect-src 'self' ${ws}`,
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
    "object-src 'none'",
  ].join('; ');
}

/** Serve a file of the built renderer (GET/HEAD), never outside its folder. */
export async function serveStatic(req: IncomingMessage, res: ServerResponse, staticDir: string | undefined, origin: string): Promise<void> {
  if (req.method !== 'GET' && req.method !== 'HEAD') {
    return refuse(res, 405, { code: 'E_METHOD', category: 'input', message: 'only GET serves files' });
  }
  if (!staticDir) return refuse(res, 404, { code: 'E_NOT_FOUND', category: 'input', message: 'no renderer is served here' });
  let path: string;
  try {
    path = decodeURIComponent(new URL(req.url ?? '/', origin).pathname);
  } catch {
    return refuse(res, 400, { code: 'E_BAD_PATH', category: 'input', message: 'the path is not valid percent-encoding' });
  }
  const rel = normalize(path === '/' ? '/index.html' : path).replace(/^([/\\])+/, '');
  const file = join(staticDir, rel);
  if (!file.startsWith(staticDir + sep) || rel.includes('\0')) {
    return refuse(res, 404, { code: 'E_NOT_FOUND', category: 'input', message: 'not found' });
  }
  try {
    const data = await readFile(file);
    securityHeaders(res);
    res.setHeader('Content-Security-Policy', contentSecurityPolicy(origin));
    res.setHeader('X-Frame-Options', 'DENY');
    res.writeHead(200, { 'Content-Type': MIME[extname(file)] ?? 'application/octet-stream' });
    res.end(req.method === 'HEAD' ? undefined : data);
  } catch {
    refuse(res, 404, { code: 'E_NOT_FOUND', category: 'input', message: 'not found' });
  }
}
