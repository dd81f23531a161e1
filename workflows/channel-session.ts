import {
  ActivityCancellationType,
  ActivityFailure,
  ApplicationFailure,
  CancellationScope,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  TimeoutFailure,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { SessionState } from '../activities/channels/types';
import {
  CHANNEL_GONE,
  logoutSignal,
  restartSignal,
  SESSION_ENDED,
  sessionPlacementQueue,
  sessionStatusQuery,
  startSignal,
  stopSignal,
  type ChannelSessionInput,
  type ChannelSessionStatus,
  type SessionCommand,
  type SessionHostClaim,
} from './channel-session-api';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '30 seconds' },
});

/** A session that stayed up this long was healthy: its end starts the backoff from the beginning. */
const STABLE_SESSION_MS = 60_000;
const HISTORY_EVENTS_BEFORE_CONTINUE = 2_000;
/** Later commands win over earlier ones only when they ask for more. */
const PRIORITY: Record<SessionCommand, number> = { start: 0, restart: 1, logout: 2, stop: 3 };

type Outcome =
  | { kind: 'interrupted' }
  | { kind: 'gone' }
  | { kind: 'ended'; state: SessionState; reason: string; sessionId: string; lastedMs: number };

/**
 * Keeps one WhatsApp or Telegram-polling session alive for a channel. Each attempt asks the
 * session hosts for one to take it, then runs the live client there as a heartbeating activity
 * pinned to that host's own task queue. When the session ends, its host crashes or its page
 * hangs, the supervisor waits (doubling the wait after each failure) and places it again, on
 * whichever host is alive. Start, restart, logout and stop arrive as signals; stop ends the run.
 */
export async function channelSessionWorkflow(input: ChannelSessionInput): Promise<void> {
  const { tenantId, channelId } = input;
  let failures = input.carried?.failures ?? 0;
  let pending: SessionCommand | null = input.carried?.pending ?? null;
  const status: ChannelSessionStatus = {
    phase: 'placing',
    hostQueue: null,
    attempt: input.carried?.attempt ?? 0,
    failures,
    lastFailure: null,
    retryAt: null,
  };

  const command = (next: SessionCommand) => {
    if (pending === null || PRIORITY[next] > PRIORITY[pending]) pending = next;
  };
  setHandler(startSignal, () => command('start'));
  setHandler(restartSignal, () => command('restart'));
  setHandler(logoutSignal, () => command('logout'));
  setHandler(stopSignal, () => command('stop'));
  setHandler(sessionStatusQuery, () => status);

  for (;;) {
    if (pending === 'stop') {
      status.phase = 'stopped';
      await acts.reportChannelState({
        tenantId,
        channelId,
        state: 'stopped',
        reason: 'Stopped by a manager.',
      });
      return;
    }
    if (pending === 'logout') {
      await acts.forgetChannelSession({ tenantId, channelId });
      await acts.reportChannelState({
        tenantId,
        channelId,
        state: 'disconnected',
        reason: 'Logged out; scan the new QR code.',
      });
    }
    if (pending === 'restart' || pending === 'logout') failures = 0;
    pending = null;

    const outcome = await runSession();
    if (outcome.kind === 'gone') return;
    if (outcome.kind === 'interrupted') continue;

    failures = outcome.lastedMs >= STABLE_SESSION_MS ? 1 : failures + 1;
    const delay = backoff(input.backoff, failures);
    log.warn('channel session ended', {
      tenantId,
      channelId,
      state: outcome.state,
      reason: outcome.reason,
      retryInMs: delay,
    });
    await acts.reportChannelState({
      tenantId,
      channelId,
      state: outcome.state,
      reason: `${outcome.reason} Retrying in ${Math.ceil(delay / 1000)} s.`,
      releaseSessionId: outcome.sessionId,
    });
    Object.assign(status, {
      phase: 'backing-off',
      hostQueue: null,
      failures,
      lastFailure: outcome.reason,
      retryAt: new Date(Date.now() + delay).toISOString(),
    });
    await condition(() => pending !== null, delay);
    status.retryAt = null;

    const info = workflowInfo();
    const limit = input.historyLimit ?? HISTORY_EVENTS_BEFORE_CONTINUE;
    if (info.historyLength > limit || info.continueAsNewSuggested) {
      await continueAsNew<typeof channelSessionWorkflow>({
        ...input,
        carried: { failures, pending, attempt: status.attempt },
      });
    }
  }

  /** One placement and run of the live session, until it ends or a command interrupts it. */
  async function runSession(): Promise<Outcome> {
    status.attempt += 1;
    const sessionId = `${workflowInfo().runId}:${status.attempt}`;
    const startedAt = Date.now();
    let host: SessionHostClaim | undefined;
    let ended: { error?: unknown } | undefined;
    Object.assign(status, { phase: 'placing', hostQueue: null });

    const scope = new CancellationScope();
    const session = scope.run(async () => {
      host = await placement().claimSessionHost();
      Object.assign(status, { phase: 'running', hostQueue: host.queue });
      await pinnedTo(host).runChannelSession({ tenantId, channelId, sessionId });
    });
    session.then(
      () => (ended = {}),
      (error: unknown) => (ended = { error }),
    );

    const interrupted = () => pending !== null && pending !== 'start';
    await condition(() => ended !== undefined || interrupted());
    if (!ended) {
      if (pending === 'logout' && host) await logoutOn(host);
      scope.cancel();
      await condition(() => ended !== undefined);
      return { kind: 'interrupted' };
    }

    const lastedMs = Date.now() - startedAt;
    if (isFailureOfType(ended.error, CHANNEL_GONE)) return { kind: 'gone' };
    return { kind: 'ended', ...describeEnd(ended.error), sessionId, lastedMs };
  }

  async function logoutOn(host: SessionHostClaim) {
    const { logoutChannelSession } = proxyActivities<Activities>({
      taskQueue: host.queue,
      scheduleToStartTimeout: '10 seconds',
      startToCloseTimeout: '30 seconds',
      retry: { maximumAttempts: 1 },
    });
    await logoutChannelSession({ channelId }).catch((error: unknown) =>
      log.warn('logout at the live session failed; its stored login is removed anyway', {
        tenantId,
        channelId,
        error: String(error),
      }),
    );
  }
}

/** The claim waits in the placement queue until some session host is alive to take it. */
function placement() {
  return proxyActivities<Activities>({
    taskQueue: sessionPlacementQueue(workflowInfo().taskQueue),
    startToCloseTimeout: '10 seconds',
    retry: { initialInterval: '1 second', maximumInterval: '10 seconds' },
  });
}

/**
 * The live client runs on the host's own queue, so nothing else can pick it up. It is attempted
 * once: a retry on a dead host's queue would never start, so the supervisor places it anew. The
 * heartbeat timeout is the host's own promise; waiting for cancellation to complete means the
 * old client is closed before a new one opens.
 */
function pinnedTo(host: SessionHostClaim) {
  return proxyActivities<Activities>({
    taskQueue: host.queue,
    heartbeatTimeout: host.heartbeatTimeoutMs,
    scheduleToStartTimeout: Math.max(10_000, 3 * host.heartbeatTimeoutMs),
    startToCloseTimeout: '3650 days',
    retry: { maximumAttempts: 1 },
    cancellationType: ActivityCancellationType.WAIT_CANCELLATION_COMPLETED,
  });
}

/** Exponential, with up to a fifth added at random so many channels do not retry in step. */
function backoff({ initialMs, maxMs }: ChannelSessionInput['backoff'], failures: number): number {
  const base = Math.min(maxMs, initialMs * 2 ** Math.max(0, failures - 1));
  return Math.round(base * (1 + 0.2 * Math.random()));
}

function isFailureOfType(error: unknown, type: string): boolean {
  return (
    error instanceof ActivityFailure &&
    error.cause instanceof ApplicationFailure &&
    error.cause.type === type
  );
}

function describeEnd(error: unknown): { state: SessionState; reason: string } {
  if (error === undefined) return { state: 'disconnected', reason: 'The session ended.' };
  const cause = error instanceof ActivityFailure ? error.cause : error;
  if (cause instanceof ApplicationFailure && cause.type === SESSION_ENDED) {
    return { state: (cause.details?.[0] as SessionState) ?? 'disconnected', reason: cause.message };
  }
  if (cause instanceof TimeoutFailure) {
    return { state: 'disconnected', reason: 'The worker hosting the session stopped answering.' };
  }
  return { state: 'disconnected', reason: cause instanceof Error ? cause.message : String(cause) };
}
