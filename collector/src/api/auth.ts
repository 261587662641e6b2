import { createHash, timingSafeEqual } from 'node:crypto';
import type { RequestHandler } from 'express';

function digest(text: string): Buffer {
  return createHash('sha256').update(text, 'utf8').digest();
}

/**
 * `Authorization: Bearer <token>` on every request but the public paths. The token is
 * compared through SHA-256 digests of equal length, in constant time.
 */
export function bearerAuth(token: string, publicPaths: ReadonlySet<string>): RequestHandler {
  const expected = digest(token);
  return (req, res, next) => {
    if (publicPaths.has(req.path)) return next();
    const header = req.get('authorization') ?? '';
    const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header);
    if (!match) {
      res.set('WWW-Authenticate', 'Bearer realm="packetflux"');
      res.status(401).json({
        error: header
          ? 'Authorization header must be "Bearer <token>"'
          : 'missing Authorization: Bearer <token>',
      });
      return;
    }
    if (!timingSafeEqual(digest(match[1]), expected)) {
      res.set('WWW-Authenticate', 'Bearer realm="packetflux", error="invalid_token"');
      res.status(401).json({ error: 'invalid API token' });
      return;
    }
    next();
  };
}

/** CORS for one origin (or `*`), answering preflight requests before authentication. */
export function cors(origin: string): RequestHandler {
  return (req, res, next) => {
    res.set('Access-Control-Allow-Origin', origin);
    if (origin !== '*') res.append('Vary', 'Origin');
    if (req.method === 'OPTIONS') {
      res.set('Access-Control-Allow-Methods', 'GET, POST, OPTIONS');
      res.set('Access-Control-Allow-Headers', 'Authorization, Content-Type, Accept');
      res.set('Access-Control-Max-Age', '600');
      res.status(204).end();
      return;
    }
    next();
  };
}
