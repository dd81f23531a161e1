// The JSON shapes the API answers with; secrets and hashes never leave through here.
import type { Channel, Tenant, User } from '../db/models';

export function presentUser(user: User, queueIds: number[]) {
  return {
    id: user.id,
    tenantId: user.tenantId,
    name: user.name,
    email: user.email,
    role: user.role,
    status: user.status,
    maxOpenTickets: user.maxOpenTickets,
    active: user.active,
    queueIds,
    createdAt: user.createdAt,
  };
}

export function presentTenant(tenant: Tenant) {
  const { ticketSeq: _seq, ...visible } = tenant;
  return visible;
}

export function presentChannel(channel: Channel) {
  const { secrets: _secrets, ...visible } = channel;
  return visible;
}
