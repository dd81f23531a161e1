// The activities the channel session supervisor calls: placing a session on a host, running it
// there, logging it out, forgetting its stored login and reporting its state.
import fs from 'node:fs';
import { ApplicationFailure } from '@temporalio/activity';
import { Channel } from '../../db/models';
import type { Services } from '../../lib/services';
import type { SessionHostClaim, SessionRunInput } from '../../workflows/channel-session-api';
import { Ingest } from '../ingest';
import type { SessionHost } from './session-host';
import type { SessionState } from './types';
import { whatsappSessionDir } from './whatsapp';

export interface ChannelStateReport {
  tenantId: number;
  channelId: number;
  state: SessionState;
  reason?: string;
  /** The ended session: it no longer receives sends, unless a newer one took over already. */
  releaseSessionId?: string;
}

export function createSessionActivities(services: Services, host: SessionHost | undefined) {
  const { db } = services;
  const localHost = () => {
    if (!host)
      throw ApplicationFailure.nonRetryable('This worker process does not host channel sessions.');
    return host;
  };

  return {
    /** Runs on the placement queue: whichever host takes it will run the session. */
    async claimSessionHost(): Promise<SessionHostClaim> {
      const taken = localHost();
      return { queue: taken.queue, heartbeatTimeoutMs: taken.heartbeatTimeoutMs };
    },

    async runChannelSession(input: SessionRunInput): Promise<void> {
      await localHost().run(input);
    },

    async logoutChannelSession(input: { channelId: number }): Promise<void> {
      await localHost().logout(input.channelId);
    },

    /** Removes the stored WhatsApp login, so the next session asks for a new QR code. */
    async forgetChannelSession(input: { tenantId: number; channelId: number }): Promise<void> {
      await fs.promises.rm(whatsappSessionDir(services.config.dataDir, input.channelId), {
        recursive: true,
        force: true,
      });
    },

    async reportChannelState(report: ChannelStateReport): Promise<void> {
      const release = Channel.query(db)
        .patch({ sessionQueue: null, sessionId: null })
        .where({ id: report.channelId });
      if (report.state === 'stopped') await release;
      else if (report.releaseSessionId) await release.where({ sessionId: report.releaseSessionId });
      await new Ingest(services).state(report.tenantId, report.channelId, report.state, {
        reason: report.reason,
      });
    },
  };
}
