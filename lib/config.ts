// Every setting the processes read from the environment, with its default, in one place.
import path from 'node:path';

export interface Config {
  port: number;
  host: string;
  publicUrl: string;
  dataDir: string;
  databaseUrl: string | undefined;
  databasePoolMax: number;
  redisUrl: string | undefined;
  /** Prefix of the realtime bus's Redis channels: one per installation sharing a Redis. */
  redisKeyPrefix: string;
  temporalAddress: string | undefined;
  temporalNamespace: string;
  temporalTaskQueue: string;
  temporalPort: number;
  temporalUiPort: number;
  /** Where people open the Temporal Web UI; links to runs start here. */
  temporalUiUrl: string;
  embeddedPostgresPort: number;
  jwtSecret: string | undefined;
  encryptionKey: string | undefined;
  adminEmail: string;
  adminPassword: string | undefined;
  logLevel: string;
  webchatRateLimit: number;
  mediaMaxBytes: number;
  mediaAllowedTypes: string[];
  chromiumPath: string;
  webDistDir: string;
  /** Length of a "minute" in ticket timers; shorter only in tests and demos. */
  timerMinuteMs: number;
  /** Whether this worker process hosts live channel sessions (it needs Chromium for WhatsApp). */
  channelSessions: boolean;
  /** First wait before a failed session is started again; doubles up to the maximum. */
  sessionBackoffMs: number;
  sessionMaxBackoffMs: number;
  /** A session whose worker stays silent this long is considered lost and started elsewhere. */
  sessionHeartbeatTimeoutMs: number;
  /** How long WhatsApp may take to show a QR code or restore a session before it is retried. */
  sessionConnectTimeoutMs: number;
}

function int(value: string | undefined, fallback: number): number {
  if (value === undefined || value === '') return fallback;
  const parsed = Number(value);
  if (!Number.isInteger(parsed) || parsed < 0) {
    throw new Error(`Expected a whole number, got "${value}"`);
  }
  return parsed;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const port = int(env.PORT, 3000);
  return {
    port,
    host: env.HOST ?? '0.0.0.0',
    publicUrl: env.PUBLIC_URL ?? `http://localhost:${port}`,
    dataDir: path.resolve(env.DATA_DIR ?? './data'),
    databaseUrl: env.DATABASE_URL || undefined,
    databasePoolMax: int(env.DATABASE_POOL_MAX, 20),
    redisUrl: env.REDIS_URL || undefined,
    redisKeyPrefix: env.REDIS_KEY_PREFIX || 'socket.io',
    temporalAddress: env.TEMPORAL_ADDRESS || undefined,
    temporalNamespace: env.TEMPORAL_NAMESPACE ?? 'default',
    temporalTaskQueue: env.TEMPORAL_TASK_QUEUE ?? 'tiktickets',
    temporalPort: int(env.TEMPORAL_PORT, 7233),
    temporalUiPort: int(env.TEMPORAL_UI_PORT, 8233),
    temporalUiUrl: env.TEMPORAL_UI_URL ?? `http://localhost:${int(env.TEMPORAL_UI_PORT, 8233)}`,
    embeddedPostgresPort: int(env.EMBEDDED_POSTGRES_PORT, 5488),
    jwtSecret: env.JWT_SECRET || undefined,
    encryptionKey: env.ENCRYPTION_KEY || undefined,
    adminEmail: env.ADMIN_EMAIL ?? 'admin@tiktickets.local',
    adminPassword: env.ADMIN_PASSWORD || undefined,
    logLevel: env.LOG_LEVEL ?? 'info',
    webchatRateLimit: int(env.WEBCHAT_RATE_LIMIT, 60),
    mediaMaxBytes: int(env.MEDIA_MAX_BYTES, 16 * 1024 * 1024),
    mediaAllowedTypes: (
      env.MEDIA_ALLOWED_TYPES ??
      'image/*,audio/*,video/*,application/pdf,text/plain,text/csv,application/zip,' +
        'application/msword,application/vnd.openxmlformats-officedocument.*'
    )
      .split(',')
      .map((type) => type.trim())
      .filter(Boolean),
    chromiumPath: env.CHROMIUM_PATH ?? '/usr/bin/chromium',
    webDistDir: path.resolve(env.WEB_DIST_DIR ?? 'web/dist'),
    timerMinuteMs: int(env.TIMER_MINUTE_MS, 60_000),
    channelSessions: env.CHANNEL_SESSIONS !== 'false',
    sessionBackoffMs: int(env.CHANNEL_SESSION_BACKOFF_MS, 2_000),
    sessionMaxBackoffMs: int(env.CHANNEL_SESSION_MAX_BACKOFF_MS, 5 * 60_000),
    sessionHeartbeatTimeoutMs: int(env.CHANNEL_SESSION_HEARTBEAT_TIMEOUT_MS, 30_000),
    sessionConnectTimeoutMs: int(env.CHANNEL_SESSION_CONNECT_TIMEOUT_MS, 120_000),
  };
}
