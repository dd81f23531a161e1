// The channel session workflow's messages and names, shared by the workflow, its activities and
// the code that starts and signals it.
import { defineQuery, defineSignal } from '@temporalio/workflow';

export type SessionCommand = 'start' | 'restart' | 'logout' | 'stop';

export interface ChannelSessionInput {
  tenantId: number;
  channelId: number;
  /** Waits between failed sessions: the first one, doubled per failure up to the maximum. */
  backoff: { initialMs: number; maxMs: number };
  /** History events after which the run continues as new; tests lower it. */
  historyLimit?: number;
  /** State carried over by continue-as-new; absent on the first run. */
  carried?: { failures: number; pending: SessionCommand | null; attempt: number };
}

/** What a session host answers when it takes a session: where to run it and how it heartbeats. */
export interface SessionHostClaim {
  queue: string;
  heartbeatTimeoutMs: number;
}

export interface SessionRunInput {
  tenantId: number;
  channelId: number;
  /** Unique per attempt; the channel row names the one session allowed to run. */
  sessionId: string;
}

export interface ChannelSessionStatus {
  /** `unreachable` is the API's word for a supervisor no worker answered for just now. */
  phase: 'placing' | 'running' | 'backing-off' | 'stopped' | 'unreachable';
  hostQueue: string | null;
  attempt: number;
  failures: number;
  lastFailure: string | null;
  retryAt: string | null;
}

export const startSignal = defineSignal('start');
export const restartSignal = defineSignal('restart');
export const logoutSignal = defineSignal('logout');
export const stopSignal = defineSignal('stop');
export const sessionStatusQuery = defineQuery<ChannelSessionStatus>('sessionStatus');

export const channelSessionWorkflowId = (tenantId: number, channelId: number) =>
  `channel-session:${tenantId}:${channelId}`;

/** Every process that hosts sessions listens here; whoever takes a claim gets the session. */
export const sessionPlacementQueue = (taskQueue: string) => `${taskQueue}-sessions`;

/** Failure types the session activities raise. */
export const SESSION_ENDED = 'SessionEnded';
export const CHANNEL_GONE = 'ChannelGone';
/** A send reached a worker that no longer hosts the channel's session: route it again. */
export const SESSION_NOT_HERE = 'SessionNotHere';
