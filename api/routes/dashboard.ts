// Figures for the managers' dashboard, over a date range (default: the last 30 days).
import { z } from 'zod';
import type { Services } from '../../lib/services';
import type { ApiRegistry } from '../http/route';

const DAY = 86_400_000;

export function dashboardRoutes(api: ApiRegistry, { db }: Services) {
  api.route({
    method: 'get',
    path: '/dashboard',
    summary: 'Ticket volumes, response times, agent load and SLA breaches',
    tag: 'dashboard',
    access: ['admin'],
    query: z.object({
      from: z.iso.datetime({ offset: true }).optional(),
      to: z.iso.datetime({ offset: true }).optional(),
    }),
    handler: async ({ scope, query }) => {
      const to = query.to ? new Date(query.to) : new Date();
      const from = query.from ? new Date(query.from) : new Date(to.getTime() - 30 * DAY);
      const tenantId = scope.tenantId;
      const inRange = () =>
        db('tickets')
          .where('tickets.tenantId', tenantId)
          .whereBetween('tickets.createdAt', [from, to]);

      const [byStatus, byQueue, byChannel, perDay, times, agents, breaches] = await Promise.all([
        db('tickets').where({ tenantId }).select('status').count('* as count').groupBy('status'),
        inRange()
          .leftJoin('queues', 'queues.id', 'tickets.queueId')
          .select('tickets.queueId', 'queues.name')
          .count('* as count')
          .groupBy('tickets.queueId', 'queues.name'),
        inRange()
          .join('channels', 'channels.id', 'tickets.channelId')
          .select('channels.type as channelType')
          .count('* as count')
          .groupBy('channels.type'),
        db.raw(
          `select to_char(day, 'YYYY-MM-DD') as day,
             (select count(*) from tickets t where t.tenant_id = ? and date_trunc('day', t.created_at) = day) as opened,
             (select count(*) from tickets t where t.tenant_id = ? and date_trunc('day', t.closed_at) = day) as closed
           from generate_series(date_trunc('day', ?::timestamptz), date_trunc('day', ?::timestamptz), interval '1 day') as day
           order by day`,
          [tenantId, tenantId, from, to],
        ),
        inRange()
          .select(
            db.raw(
              'avg(extract(epoch from (first_response_at - tickets.created_at))) as first_response',
            ),
            db.raw('avg(extract(epoch from (closed_at - tickets.created_at))) as resolution'),
          )
          .first(),
        db('users')
          .where({ tenantId, role: 'agent' })
          .select('users.id as userId', 'users.name', 'users.status')
          .select(
            db('tickets')
              .count('*')
              .where('tickets.userId', db.ref('users.id'))
              .where('tickets.status', 'open')
              .as('open'),
          ),
        inRange().whereNotNull('slaBreachedAt').count('* as count').first(),
      ]);

      return {
        from: from.toISOString(),
        to: to.toISOString(),
        byStatus: Object.fromEntries(byStatus.map((row: any) => [row.status, Number(row.count)])),
        byQueue: byQueue.map((row: any) => ({
          queueId: row.queueId,
          name: row.name,
          count: Number(row.count),
        })),
        byChannel: byChannel.map((row: any) => ({
          channelType: row.channelType,
          count: Number(row.count),
        })),
        perDay: perDay.rows.map((row: any) => ({
          day: row.day,
          opened: Number(row.opened),
          closed: Number(row.closed),
        })),
        firstResponseAvgSeconds:
          times?.firstResponse === null ? null : Math.round(Number(times?.firstResponse)),
        resolutionAvgSeconds:
          times?.resolution === null ? null : Math.round(Number(times?.resolution)),
        agents: agents.map((row: any) => ({
          userId: row.userId,
          name: row.name,
          status: row.status,
          open: Number(row.open),
        })),
        slaBreaches: Number((breaches as any)?.count ?? 0),
      };
    },
  });
}
