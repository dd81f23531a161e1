// How the API and the workers drive channel session supervisors: every command is a signal,
// sent with start when no supervisor runs, so starting twice or after a crash is harmless.
import { WorkflowNotFoundError } from '@temporalio/client';
import type { SignalDefinition } from '@temporalio/common';
import { hasLiveSession } from '../activities/channels/session-host';
import { Channel } from '../db/models';
import type { Services } from '../lib/services';
import {
  channelSessionWorkflowId,
  logoutSignal,
  restartSignal,
  sessionStatusQuery,
  startSignal,
  stopSignal,
  type ChannelSessionInput,
  type ChannelSessionStatus,
  type SessionCommand,
} from '../workflows/channel-session-api';
import { Ingest } from '../activities/ingest';
import { searchAttributes } from './search-attributes';

const SIGNALS: Record<SessionCommand, SignalDefinition> = {
  start: startSignal,
  restart: restartSignal,
  logout: logoutSignal,
  stop: stopSignal,
};

type SessionChannel = Pick<Channel, 'id' | 'tenantId' | 'type' | 'config'>;

/** Sends a command to the channel's supervisor, starting one unless the command is stop. */
export async function commandSession(
  services: Services,
  channel: SessionChannel,
  command: SessionCommand,
) {
  const { temporal } = services;
  if (command === 'stop') {
    try {
      await temporal.workflow
        .getHandle(channelSessionWorkflowId(channel.tenantId, channel.id))
        .signal(stopSignal);
    } catch (error) {
      if (!(error instanceof WorkflowNotFoundError)) throw error;
      // Nothing supervises the channel: it is stopped already, only its status may say otherwise.
      await new Ingest(services).state(channel.tenantId, channel.id, 'stopped', {
        reason: 'Stopped by a manager.',
      });
    }
    return;
  }

  await temporal.workflow.signalWithStart('channelSessionWorkflow', {
    ...supervisorOptions(services, channel),
    signal: SIGNALS[command],
  });
}

function supervisorOptions(services: Services, channel: SessionChannel) {
  const { config } = services;
  const input: ChannelSessionInput = {
    tenantId: channel.tenantId,
    channelId: channel.id,
    backoff: { initialMs: config.sessionBackoffMs, maxMs: config.sessionMaxBackoffMs },
  };
  return {
    workflowId: channelSessionWorkflowId(channel.tenantId, channel.id),
    taskQueue: config.temporalTaskQueue,
    args: [input] as [ChannelSessionInput],
    typedSearchAttributes: searchAttributes({ TenantId: channel.tenantId, ChannelId: channel.id }),
  };
}

/** A query waits for a worker; a page showing the channel should not wait long for one. */
const QUERY_DEADLINE_MS = 3_000;

/** The supervisor's own account of the session, or undefined when none is running. */
export async function sessionStatus(
  services: Services,
  channel: Pick<Channel, 'id' | 'tenantId'>,
): Promise<ChannelSessionStatus | undefined> {
  const { temporal } = services;
  const handle = temporal.workflow.getHandle(
    channelSessionWorkflowId(channel.tenantId, channel.id),
  );
  try {
    const { status } = await handle.describe();
    if (status.name !== 'RUNNING') return undefined;
  } catch (error) {
    if (error instanceof WorkflowNotFoundError) return undefined;
    throw error;
  }
  return temporal.connection
    .withDeadline(Date.now() + QUERY_DEADLINE_MS, () => handle.query(sessionStatusQuery))
    .catch(() => ({
      phase: 'unreachable' as const,
      hostQueue: null,
      attempt: 0,
      failures: 0,
      lastFailure: 'No worker answered for the supervisor just now.',
      retryAt: null,
    }));
}

/**
 * Makes sure every session channel a manager has not stopped has a supervisor. Temporal keeps
 * supervisors across restarts by itself; this covers a Temporal server that lost its state.
 */
export async function resumeChannelSessions(services: Services): Promise<number> {
  const channels = await Channel.query(services.db)
    .whereIn('type', ['whatsapp', 'telegram'])
    .whereNot('status', 'stopped');
  const resumable = channels.filter(hasLiveSession);
  for (const channel of resumable) {
    // A supervisor that is running (perhaps waiting out a backoff) is left to its own pace.
    await services.temporal.workflow.start('channelSessionWorkflow', {
      ...supervisorOptions(services, channel),
      workflowIdConflictPolicy: 'USE_EXISTING',
    });
  }
  return resumable.length;
}

/**
 * Keeps a channel's supervisor in step with a manager's change: a new session channel connects
 * at once, new credentials reconnect it, and a deleted channel (or one switched to webhooks)
 * stops its session. A channel the manager stopped stays stopped.
 */
export async function followChannelChange(
  services: Services,
  before: SessionChannel | undefined,
  after: (SessionChannel & Pick<Channel, 'status'>) | undefined,
): Promise<void> {
  const wasLive = before !== undefined && hasLiveSession(before);
  const isLive = after !== undefined && hasLiveSession(after);
  if (wasLive && !isLive) await commandSession(services, before, 'stop');
  if (!isLive || after.status === 'stopped') return;
  await commandSession(services, after, before ? 'restart' : 'start');
}
