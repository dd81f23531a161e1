// Serves the built web app's scripts and styles gzipped to browsers that accept it. Each file
// is compressed once, on first request, and kept in memory: the set is small and immutable.
import fs from 'node:fs';
import path from 'node:path';
import zlib from 'node:zlib';
import type { NextFunction, Request, Response } from 'express';

const COMPRESSIBLE: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.json': 'application/json',
};

export function compressedStatic(root: string) {
  const cache = new Map<string, Buffer | null>();

  const gzipped = (file: string): Buffer | null => {
    if (!cache.has(file)) {
      const inside = file.startsWith(root + path.sep) && fs.existsSync(file);
      cache.set(file, inside ? zlib.gzipSync(fs.readFileSync(file), { level: 9 }) : null);
    }
    return cache.get(file) ?? null;
  };

  return (req: Request, res: Response, next: NextFunction) => {
    const type = COMPRESSIBLE[path.extname(req.path)];
    if (req.method !== 'GET' || !type || !req.acceptsEncodings('gzip')) return next();
    const body = gzipped(path.join(root, decodeURIComponent(req.path)));
    if (!body) return next();
    res.setHeader('content-type', type);
    res.setHeader('content-encoding', 'gzip');
    res.setHeader('vary', 'accept-encoding');
    res.setHeader('cache-control', 'public, max-age=3600');
    res.end(body);
  };
}
