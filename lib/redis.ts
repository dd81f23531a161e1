// Redis clients for the realtime bus. Redis holds nothing that matters, so a process keeps
// serving while it is unreachable: the socket.io adapter and emitter send commands without
// awaiting them, and a failed one is logged instead of ending the process as an unhandled
// rejection.
import { Redis } from 'ioredis';
import type { Logger } from './logger';

/** Commands give up after two reconnect attempts, so readiness answers "down" quickly. */
export function connectRedis(url: string, log: Logger): Redis {
  return observed(new Redis(url, { maxRetriesPerRequest: 2 }), log);
}

/** A second connection on the same server, for subscribing; it needs the same care. */
export function duplicateRedis(redis: Redis, log: Logger): Redis {
  return observed(redis.duplicate(), log);
}

function observed(redis: Redis, log: Logger): Redis {
  redis.on('error', (error) => log.warn({ err: error }, 'redis unreachable'));
  const send = redis.sendCommand.bind(redis);
  redis.sendCommand = (command, stream) => {
    command.promise.catch((error: unknown) =>
      log.warn({ err: error, command: command.name }, 'redis command failed'),
    );
    return send(command, stream);
  };
  return redis;
}
