// How the API acts on a ticket: every action is an Update on the ticket's workflow, started on
// the spot if no run is live (a reopened ticket, or one whose run ended), so the caller always
// gets the workflow's own answer.
import {
  WithStartWorkflowOperation,
  WorkflowUpdateFailedError,
  type Client,
} from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import type { Ticket } from '../db/models';
import { AppError } from '../lib/errors';
import {
  INVALID_TRANSITION,
  ticketWorkflowId,
  type Presented,
  type TicketWorkflowInput,
} from '../workflows/ticket-api';
import { searchAttributes } from './search-attributes';

export class TicketCommands {
  constructor(
    private readonly client: Client,
    private readonly taskQueue: string,
  ) {}

  async run<Args extends unknown[]>(
    ticket: Pick<Ticket, 'id' | 'tenantId' | 'channelId' | 'contactId'>,
    update: UpdateDefinition<Presented, Args>,
    ...args: Args
  ): Promise<Presented> {
    const input: TicketWorkflowInput = {
      tenantId: ticket.tenantId,
      ticketId: ticket.id,
      channelId: ticket.channelId,
      contactId: ticket.contactId,
    };
    const startWorkflowOperation = new WithStartWorkflowOperation('ticketWorkflow', {
      workflowId: ticketWorkflowId(ticket.tenantId, ticket.id),
      taskQueue: this.taskQueue,
      args: [input],
      workflowIdConflictPolicy: 'USE_EXISTING',
      typedSearchAttributes: searchAttributes({
        TenantId: ticket.tenantId,
        TicketId: ticket.id,
        ChannelId: ticket.channelId,
        ContactId: ticket.contactId,
      }),
    });
    try {
      return await this.client.workflow.executeUpdateWithStart(update, {
        args,
        startWorkflowOperation,
      });
    } catch (error) {
      throw asConflict(error) ?? error;
    }
  }
}

/** An update the workflow refused because of the ticket's state becomes a 409. */
function asConflict(error: unknown): AppError | undefined {
  const cause = error instanceof WorkflowUpdateFailedError ? error.cause : undefined;
  const failure = cause as { type?: string; message?: string; details?: unknown[] } | undefined;
  if (failure?.type !== INVALID_TRANSITION) return undefined;
  const status = String(failure.details?.[0] ?? 'unknown');
  return new AppError(409, 'invalid_transition', failure.message ?? 'Not allowed now.', [
    { path: 'status', message: status },
  ]);
}
