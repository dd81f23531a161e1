// The ticket workflow's messages, shared by the workflow and the code that talks to it.
import { defineQuery, defineSignal, defineUpdate } from '@temporalio/workflow';

export type TicketStatus = 'bot' | 'pending' | 'open' | 'closed';

export interface TicketWorkflowInput {
  tenantId: number;
  ticketId: number;
  channelId: number;
  contactId: number;
  /** State carried over by continue-as-new; absent on the first run. */
  carried?: TicketState;
  /** History length at which a run hands over to a fresh one; the default suits production. */
  historyLimit?: number;
}

export interface ScheduledSend {
  messageId: number;
  at: number;
}

export interface TicketState {
  status: TicketStatus;
  queueId: number | null;
  userId: number | null;
  lastInboundAt: number | null;
  lastAgentReplyAt: number | null;
  lastActivityAt: number;
  pendingSince: number;
  slaBreached: boolean;
  /** Inbound signals received; the main loop compares it to what it has handled. */
  inboundSeen: number;
  /** Closed business-hours periods already answered, so the out-of-hours reply goes once. */
  outOfHoursAnswered: string[];
  scheduled: ScheduledSend[];
}

export interface InboundSignal {
  messageId: number;
  at: number;
}

export interface ActorInput {
  byUserId: number | null;
}

export interface AcceptInput extends ActorInput {
  userId: number;
}

export interface TransferInput extends ActorInput {
  queueId?: number | null;
  userId?: number | null;
  note?: string;
}

export interface CloseInput extends ActorInput {
  reason?: string;
}

export interface SendInput extends ActorInput {
  body: string;
  isPrivate?: boolean;
  quotedMessageId?: number;
  scheduledAt?: number;
  media?: { key: string; mimeType: string; fileName: string };
}

/** Answers of updates: the ticket or message as the API presents it. */
export type Presented = Record<string, unknown> & { id: number };

export const inboundSignal = defineSignal<[InboundSignal]>('inbound');
export const capacityFreedSignal = defineSignal('capacityFreed');
export const acceptUpdate = defineUpdate<Presented, [AcceptInput]>('accept');
export const transferUpdate = defineUpdate<Presented, [TransferInput]>('transfer');
export const closeUpdate = defineUpdate<Presented, [CloseInput]>('close');
export const reopenUpdate = defineUpdate<Presented, [ActorInput]>('reopen');
export const sendUpdate = defineUpdate<Presented, [SendInput]>('send');
export const stateQuery = defineQuery<TicketState>('state');

export const ticketWorkflowId = (tenantId: number, ticketId: number) =>
  `ticket:${tenantId}:${ticketId}`;

/** Failure type the API turns into 409 with the ticket's current status. */
export const INVALID_TRANSITION = 'InvalidTransition';
