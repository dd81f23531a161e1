// The live channel sessions one worker process hosts. The supervisor runs each session here as a
// long activity on this process's own task queue; sends for those channels come to the same
// queue and find the live client in this registry.
import crypto from 'node:crypto';
import os from 'node:os';
import { ApplicationFailure, Context } from '@temporalio/activity';
import { Channel } from '../../db/models';
import { readSettings } from '../../db/settings';
import type { Services } from '../../lib/services';
import {
  CHANNEL_GONE,
  SESSION_ENDED,
  type SessionRunInput,
} from '../../workflows/channel-session-api';
import { Ingest } from '../ingest';
import { channelContext } from './registry';
import { TelegramAdapter } from './telegram';
import { describe, failure, withTimeout } from './timing';
import { SessionEnded, type ChannelAdapter } from './types';
import { WhatsappAdapter, type WhatsappClientFactory } from './whatsapp';

/** How this process reaches the networks that need a live client; tests swap in fakes. */
export interface ChannelDrivers {
  whatsappClient: WhatsappClientFactory;
}

interface LiveSession {
  adapter: ChannelAdapter;
  abort: AbortController;
  done: Promise<void>;
}

/** A closing client gets this long before the host stops waiting for it. */
const TEARDOWN_GRACE_MS = 30_000;

/** Whether a channel keeps a live session (and so a supervisor) rather than receiving webhooks. */
export function hasLiveSession(channel: Pick<Channel, 'type' | 'config'>): boolean {
  return (
    channel.type === 'whatsapp' ||
    (channel.type === 'telegram' && channel.config.mode !== 'webhook')
  );
}

/**
 * The task queue that can send for a channel: the worker hosting its live session, else the
 * shared queue. A WhatsApp channel between sessions has no one to send for it yet: the route is
 * asked again later (retryable), unless a manager stopped the channel.
 */
export function deliveryQueue(channel: Channel, sharedQueue: string): string {
  if (!hasLiveSession(channel)) return sharedQueue;
  if (channel.sessionQueue) return channel.sessionQueue;
  if (channel.type === 'telegram') return sharedQueue;
  if (channel.status === 'stopped') {
    throw ApplicationFailure.nonRetryable(
      'The WhatsApp channel is stopped; start it to send.',
      'PermanentDeliveryError',
    );
  }
  throw ApplicationFailure.retryable(
    'WhatsApp is reconnecting; the message goes out once it is back.',
    'ChannelReconnecting',
  );
}

export class SessionHost {
  /** This process's own task queue; named after the host, unique per process start. */
  readonly queue: string;
  private readonly live = new Map<number, LiveSession>();

  constructor(
    private readonly services: Services,
    private readonly drivers: ChannelDrivers,
  ) {
    const { temporalTaskQueue } = services.config;
    const suffix = crypto.randomBytes(3).toString('hex');
    this.queue = `${temporalTaskQueue}-host-${os.hostname()}-${process.pid}-${suffix}`;
  }

  get heartbeatTimeoutMs(): number {
    return this.services.config.sessionHeartbeatTimeoutMs;
  }

  /** The live adapter of a channel whose session runs in this process. */
  adapter(channelId: number): ChannelAdapter | undefined {
    return this.live.get(channelId)?.adapter;
  }

  /**
   * Runs one session until Temporal cancels it or it ends by itself. A watchdog probes the client
   * and heartbeats only while it answers; it also steps down if another session took the channel.
   */
  async run(input: SessionRunInput): Promise<void> {
    const { db } = this.services;
    const context = Context.current();
    const channel = await Channel.query(db).findOne({
      id: input.channelId,
      tenantId: input.tenantId,
    });
    if (!channel) throw ApplicationFailure.nonRetryable('The channel was deleted.', CHANNEL_GONE);
    if (!hasLiveSession(channel)) {
      throw ApplicationFailure.nonRetryable(
        'This channel receives webhooks and has no live session.',
        CHANNEL_GONE,
      );
    }

    await this.stopLocal(channel.id);
    await Channel.query(db)
      .patch({ sessionQueue: this.queue, sessionId: input.sessionId })
      .where({ id: channel.id });

    // Cancellation may have come while we were reading the channel: it must still stop us.
    const abort = new AbortController();
    if (context.cancellationSignal.aborted) abort.abort();
    context.cancellationSignal.addEventListener('abort', () => abort.abort(), { once: true });
    const adapter = await this.build(channel);
    const running = adapter.start!(abort.signal);
    const session: LiveSession = { adapter, abort, done: running.then(noop, noop) };
    this.live.set(channel.id, session);
    const watchdog = this.watch(session, input);

    try {
      await Promise.race([running, watchdog.failed]);
    } catch (error) {
      throw sessionFailure(error);
    } finally {
      watchdog.stop();
      abort.abort();
      await withTimeout(session.done, TEARDOWN_GRACE_MS, 'closing the session').catch((error) =>
        this.services.log.error(
          { err: error, channelId: channel.id },
          'channel session did not close',
        ),
      );
      if (this.live.get(channel.id) === session) this.live.delete(channel.id);
      await Channel.query(db)
        .patch({ sessionQueue: null, sessionId: null })
        .where({ id: channel.id, sessionId: input.sessionId });
      // The supervisor cannot say it while no worker runs it: the channel shows it at once.
      if (context.cancellationDetails?.workerShutdown) {
        await new Ingest(this.services).state(channel.tenantId, channel.id, 'disconnected', {
          reason: 'The worker hosting this session shut down; another one takes it over.',
        });
      }
    }
  }

  /** Logs the live WhatsApp session out at WhatsApp, so the phone forgets this device. */
  async logout(channelId: number): Promise<void> {
    await this.live.get(channelId)?.adapter.logout?.();
  }

  private async stopLocal(channelId: number): Promise<void> {
    const previous = this.live.get(channelId);
    if (!previous) return;
    previous.abort.abort();
    await withTimeout(previous.done, TEARDOWN_GRACE_MS, 'closing the previous session').catch(noop);
  }

  private async build(channel: Channel): Promise<ChannelAdapter> {
    const { config, db, log } = this.services;
    const context = channelContext(this.services, channel, new Ingest(this.services));
    if (channel.type === 'telegram') return new TelegramAdapter(context);
    // The tenant's call settings apply unless the channel sets its own.
    const { rejectCalls, rejectCallMessage } = await readSettings(db, channel.tenantId);
    context.config = { rejectCalls, rejectCallMessage, ...context.config };
    return new WhatsappAdapter(context, {
      createClient: this.drivers.whatsappClient,
      connectTimeoutMs: config.sessionConnectTimeoutMs,
      log: log.child({ tenantId: channel.tenantId, channelId: channel.id }),
    });
  }

  /**
   * Every third of the heartbeat timeout: probe the client (a hung page does not answer), check
   * this session still owns the channel, then heartbeat. A probe that fails ends the session.
   */
  private watch(session: LiveSession, input: SessionRunInput) {
    const { db, log } = this.services;
    const context = Context.current();
    const intervalMs = Math.max(250, Math.floor(this.heartbeatTimeoutMs / 3));
    const hung = failure();
    let timer: NodeJS.Timeout | undefined;
    let stopped = false;

    const beat = async () => {
      const probe = session.adapter.probe?.() ?? Promise.resolve('running');
      const state = await withTimeout(probe, intervalMs, 'the session probe').catch((error) => {
        hung.fail(
          new SessionEnded('disconnected', `The session stopped responding: ${describe(error)}`),
        );
        return undefined;
      });
      if (state === undefined) return;

      const owner = await Channel.query(db)
        .findById(input.channelId)
        .select('sessionId')
        .catch((error) => {
          log.warn({ err: error, channelId: input.channelId }, 'could not check session ownership');
          return { sessionId: input.sessionId };
        });
      if (owner?.sessionId !== input.sessionId) {
        log.warn(
          { channelId: input.channelId, sessionId: input.sessionId },
          'session superseded; stepping down',
        );
        session.abort.abort();
        return;
      }
      if (stopped) return;
      context.heartbeat({ state });
      timer = setTimeout(beat, intervalMs);
    };
    timer = setTimeout(beat, intervalMs);

    return {
      failed: hung.promise,
      stop: () => {
        stopped = true;
        clearTimeout(timer);
      },
    };
  }
}

function sessionFailure(error: unknown): ApplicationFailure {
  const ended =
    error instanceof SessionEnded ? error : new SessionEnded('disconnected', describe(error));
  return ApplicationFailure.create({
    type: SESSION_ENDED,
    message: ended.message,
    details: [ended.state],
    nonRetryable: true,
  });
}

const noop = () => undefined;
