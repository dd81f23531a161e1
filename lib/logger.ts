import { pino, type Logger } from 'pino';

export type { Logger };

/** Secrets that must never reach a log line, wherever they appear in a logged object. */
const redact = [
  'password',
  '*.password',
  'token',
  '*.token',
  'accessToken',
  '*.accessToken',
  'refreshToken',
  'req.headers.authorization',
  'req.headers.cookie',
  'config.token',
  'config.pageAccessToken',
  'config.appSecret',
];

export function createLogger(level = process.env.LOG_LEVEL ?? 'info'): Logger {
  return pino({ level, redact, base: { pid: process.pid } });
}

export const logger = createLogger();
