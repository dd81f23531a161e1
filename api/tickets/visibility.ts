// Who may see a ticket: managers see all of their tenant's; agents see the tickets of their
// queues, tickets with no queue, and whatever is assigned to them.
import type { QueryBuilder } from 'objection';
import type { Ticket } from '../../db/models';
import type { Principal } from '../auth/principal';

export function canSeeTicket(
  principal: Principal,
  ticket: Pick<Ticket, 'queueId' | 'userId'>,
): boolean {
  if (principal.role === 'admin') return true;
  if (ticket.userId !== null && ticket.userId === principal.userId) return true;
  return ticket.queueId === null || principal.queueIds.includes(ticket.queueId);
}

export function onlyVisible(query: QueryBuilder<Ticket, Ticket[]>, principal: Principal) {
  if (principal.role === 'admin') return query;
  return query.where((where) => {
    where.whereNull('tickets.queueId');
    if (principal.queueIds.length) where.orWhereIn('tickets.queueId', principal.queueIds);
    if (principal.userId) where.orWhere('tickets.userId', principal.userId);
  });
}
