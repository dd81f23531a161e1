// Tickets as agents see them: lists, history and every action, each a workflow Update.
import fs from 'node:fs';
import multer from 'multer';
import type { Request, Response } from 'express';
import { z } from 'zod';
import { Channel, Message, QuickReply, Queue, Ticket, TicketEvent, User } from '../../db/models';
import type { TenantScope } from '../../db/tenant-scope';
import { presentMessages, ticketViewQuery, toTicketView } from '../../db/views';
import { AppError, badRequest, conflict, notFound } from '../../lib/errors';
import { windowClosesAt } from '../../lib/presenters';
import { ticketRooms } from '../../lib/realtime';
import type { Services } from '../../lib/services';
import { TicketCommands } from '../../temporal/tickets';
import {
  acceptUpdate,
  closeUpdate,
  reopenUpdate,
  sendUpdate,
  transferUpdate,
  type SendInput,
} from '../../workflows/ticket-api';
import type { Principal } from '../auth/principal';
import { idParams, type ApiRegistry } from '../http/route';
import { canSeeTicket, onlyVisible } from '../tickets/visibility';

const statuses = ['bot', 'pending', 'open', 'closed'] as const;
const ACTIVITY_MICROS =
  '(extract(epoch from coalesce(tickets.last_message_at, tickets.created_at)) * 1000000)::bigint';
const flag = z.enum(['true', 'false']).transform((value) => value === 'true');
const positiveId = z.coerce.number().int().positive();

const listQuery = z.object({
  status: z.enum(statuses).optional(),
  queueId: positiveId.optional(),
  userId: positiveId.optional(),
  channelId: positiveId.optional(),
  contactId: positiveId.optional(),
  tagId: positiveId.optional(),
  unread: flag.optional(),
  mine: flag.optional(),
  q: z.string().trim().min(1).max(100).optional(),
  cursor: z
    .string()
    .regex(/^\d+_\d+$/, 'cursor must come from a previous page')
    .optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

const sendBody = z.object({
  body: z.string().max(4096).default(''),
  isPrivate: z.union([z.boolean(), flag]).optional(),
  quotedMessageId: positiveId.optional(),
  quickReplyId: positiveId.optional(),
  scheduledAt: z.iso.datetime({ offset: true }).optional(),
});

async function visibleTicket(
  scope: TenantScope,
  principal: Principal,
  id: number,
): Promise<Ticket> {
  const ticket = await scope.find(Ticket, id, 'Ticket');
  if (!canSeeTicket(principal, ticket)) throw notFound('Ticket');
  return ticket;
}

function mimeAllowed(allowed: string[], mimeType: string): boolean {
  return allowed.some((pattern) =>
    pattern.endsWith('*') ? mimeType.startsWith(pattern.slice(0, -1)) : pattern === mimeType,
  );
}

/** Accepts JSON or multipart (one `file` plus text fields) for sending a message. */
function mediaUpload(services: Services) {
  const upload = multer({
    storage: multer.memoryStorage(),
    limits: { fileSize: services.config.mediaMaxBytes, files: 1 },
  }).single('file');
  return (req: Request, res: Response) =>
    new Promise<void>((resolve, reject) => {
      if (!req.is('multipart/form-data')) return resolve();
      upload(req, res, (error: unknown) => {
        if (!error) return resolve();
        const code = (error as { code?: string }).code;
        if (code === 'LIMIT_FILE_SIZE') {
          return reject(
            new AppError(
              413,
              'file_too_large',
              `Files may be at most ${services.config.mediaMaxBytes} bytes.`,
              [{ path: 'file', message: 'too large' }],
            ),
          );
        }
        reject(
          badRequest('invalid_upload', 'The upload could not be read.', [
            { path: 'file', message: String(error) },
          ]),
        );
      });
    });
}

export function ticketRoutes(api: ApiRegistry, services: Services) {
  const { db, storage } = services;
  const commands = new TicketCommands(services.temporal, services.config.temporalTaskQueue);
  const receiveUpload = mediaUpload(services);
  const agents = ['admin', 'agent'] as const;

  api.route({
    method: 'get',
    path: '/tickets',
    summary: 'List tickets the caller may see, newest activity first',
    tag: 'tickets',
    access: [...agents],
    query: listQuery,
    handler: async ({ scope, principal, query }) => {
      const rows = ticketViewQuery(db, scope.tenantId);
      onlyVisible(rows as never, principal);
      if (query.status) rows.where('tickets.status', query.status);
      if (query.queueId) rows.where('tickets.queueId', query.queueId);
      if (query.userId) rows.where('tickets.userId', query.userId);
      if (query.channelId) rows.where('tickets.channelId', query.channelId);
      if (query.contactId) rows.where('tickets.contactId', query.contactId);
      if (query.mine) rows.where('tickets.userId', principal.userId ?? 0);
      if (query.unread) rows.where('tickets.unreadCount', '>', 0);
      if (query.tagId) {
        rows.whereExists(
          db('ticketTags')
            .whereRaw('ticket_tags.ticket_id = tickets.id')
            .where('tagId', query.tagId),
        );
      }
      if (query.q) {
        const like = `%${query.q}%`;
        rows.where((where) =>
          where
            .whereILike('contacts.name', like)
            .orWhereILike('contacts.phone', like)
            .orWhereExists(
              db('messages')
                .whereRaw('messages.ticket_id = tickets.id')
                .whereILike('messages.body', like),
            ),
        );
      }
      // Keyset on (activity time in microseconds, id): milliseconds would skip tickets that
      // share a millisecond with the last one of a page.
      rows.select(db.raw(`${ACTIVITY_MICROS} as activity_micros`));
      if (query.cursor) {
        const [micros, id] = query.cursor.split('_');
        rows.whereRaw(`(${ACTIVITY_MICROS}, tickets.id) < (?::bigint, ?::bigint)`, [micros, id]);
      }
      const found = await rows
        .orderByRaw(`${ACTIVITY_MICROS} desc, tickets.id desc`)
        .limit(query.limit + 1);
      const page = found.slice(0, query.limit);
      const last = page[page.length - 1];
      return {
        data: page.map(toTicketView),
        nextCursor: found.length > query.limit ? `${last.activityMicros}_${last.id}` : null,
      };
    },
  });

  api.route({
    method: 'get',
    path: '/tickets/counts',
    summary: 'How many visible tickets are in each status',
    tag: 'tickets',
    access: [...agents],
    handler: async ({ scope, principal }) => {
      const rows = await onlyVisible(scope.query(Ticket), principal)
        .select('status')
        .count('* as count')
        .groupBy('status');
      const counts = Object.fromEntries(statuses.map((status) => [status, 0]));
      for (const row of rows as unknown as { status: string; count: string }[])
        counts[row.status] = Number(row.count);
      return counts;
    },
  });

  api.route({
    method: 'get',
    path: '/tickets/:id',
    summary: 'Get one ticket',
    tag: 'tickets',
    access: [...agents],
    params: idParams,
    handler: async ({ scope, principal, params }) => {
      await visibleTicket(scope, principal, params.id);
      return toTicketView(
        await ticketViewQuery(db, scope.tenantId).where('tickets.id', params.id).first(),
      );
    },
  });

  api.route({
    method: 'get',
    path: '/tickets/:id/messages',
    summary: "A ticket's messages, newest first; the cursor pages to older ones",
    tag: 'tickets',
    access: [...agents],
    params: idParams,
    query: z.object({
      cursor: z.string().regex(/^\d+$/).optional(),
      limit: z.coerce.number().int().min(1).max(200).default(50),
    }),
    handler: async ({ scope, principal, params, query }) => {
      await visibleTicket(scope, principal, params.id);
      const rows = scope.query(Message).where('ticketId', params.id);
      if (query.cursor) rows.where('id', '<', Number(query.cursor));
      const found = await rows.orderBy('id', 'desc').limit(query.limit + 1);
      const page = found.slice(0, query.limit);
      return {
        data: await presentMessages(db, page),
        nextCursor: found.length > query.limit ? String(page[page.length - 1].id) : null,
      };
    },
  });

  api.route({
    method: 'get',
    path: '/tickets/:id/events',
    summary: "A ticket's event trail: who moved it where, and when",
    tag: 'tickets',
    access: [...agents],
    params: idParams,
    handler: async ({ scope, principal, params }) => {
      await visibleTicket(scope, principal, params.id);
      return { data: await scope.query(TicketEvent).where('ticketId', params.id).orderBy('id') };
    },
  });

  api.route({
    method: 'post',
    path: '/tickets/:id/read',
    summary: 'Mark what the customer wrote as read',
    tag: 'tickets',
    access: [...agents],
    params: idParams,
    handler: async ({ scope, principal, params }) => {
      const ticket = await visibleTicket(scope, principal, params.id);
      await scope.query(Ticket).patch({ unreadCount: 0 }).where('id', ticket.id);
      const view = toTicketView(
        await ticketViewQuery(db, scope.tenantId).where('tickets.id', ticket.id).first(),
      );
      await services.publisher.publish(scope.tenantId, ticketRooms(ticket), 'ticket:updated', {
        ticket: view,
      });
      return view;
    },
  });

  api.route({
    method: 'post',
    path: '/tickets/:id/accept',
    summary: 'Take a waiting ticket',
    tag: 'tickets',
    access: [...agents],
    params: idParams,
    handler: async ({ scope, principal, params }) => {
      const ticket = await visibleTicket(scope, principal, params.id);
      if (!principal.userId) throw badRequest('user_required', 'Only a user can accept a ticket.');
      return commands.run(ticket, acceptUpdate, {
        userId: principal.userId,
        byUserId: principal.userId,
      });
    },
  });

  api.route({
    method: 'post',
    path: '/tickets/:id/transfer',
    summary: 'Move a ticket to another queue and/or agent, with a note',
    tag: 'tickets',
    access: [...agents],
    params: idParams,
    body: z
      .object({
        queueId: positiveId.nullable().optional(),
        userId: positiveId.nullable().optional(),
        note: z.string().trim().max(1000).optional(),
      })
      .refine((body) => body.queueId !== undefined || body.userId !== undefined, {
        message: 'give a queueId, a userId, or both',
        path: ['queueId'],
      }),
    handler: async ({ scope, principal, params, body }) => {
      const ticket = await visibleTicket(scope, principal, params.id);
      if (body.queueId) await scope.assertOwned(Queue, [body.queueId], 'Queue');
      if (body.userId) await scope.assertOwned(User, [body.userId], 'User');
      return commands.run(ticket, transferUpdate, { ...body, byUserId: principal.userId });
    },
  });

  api.route({
    method: 'post',
    path: '/tickets/:id/close',
    summary: 'Close a ticket; the channel farewell message is sent',
    tag: 'tickets',
    access: [...agents],
    params: idParams,
    body: z.object({ reason: z.string().trim().max(500).optional() }),
    handler: async ({ scope, principal, params, body }) => {
      const ticket = await visibleTicket(scope, principal, params.id);
      return commands.run(ticket, closeUpdate, { reason: body.reason, byUserId: principal.userId });
    },
  });

  api.route({
    method: 'post',
    path: '/tickets/:id/reopen',
    summary: 'Reopen a closed ticket',
    tag: 'tickets',
    access: [...agents],
    params: idParams,
    handler: async ({ scope, principal, params }) => {
      const ticket = await visibleTicket(scope, principal, params.id);
      return commands.run(ticket, reopenUpdate, { byUserId: principal.userId });
    },
  });

  api.route({
    method: 'post',
    path: '/tickets/:id/messages',
    summary: 'Send a message (JSON, or multipart with a `file`), a private note, or schedule one',
    tag: 'tickets',
    access: [...agents],
    params: idParams,
    status: 201,
    raw: true,
    handler: async ({ scope, principal, params, req, res }) => {
      const ticket = await visibleTicket(scope, principal, params.id);
      await receiveUpload(req, res);
      const parsed = sendBody.safeParse(req.body ?? {});
      if (!parsed.success) {
        throw new AppError(
          400,
          'validation_failed',
          'Invalid message.',
          parsed.error.issues.map((issue) => ({
            path: issue.path.join('.'),
            message: issue.message,
          })),
        );
      }
      const input = await sendInput(scope, ticket, parsed.data, req.file);
      const message = await commands.run(ticket, sendUpdate, {
        ...input,
        byUserId: principal.userId,
      });
      res.status(201).json(message);
    },
  });

  api.route({
    method: 'get',
    path: '/messages/:id/media',
    summary: "A message's file, for users of the owning tenant",
    tag: 'tickets',
    access: [...agents],
    params: idParams,
    raw: true,
    handler: async ({ scope, principal, params, res }) => {
      const message = await scope.find(Message, params.id, 'Message');
      await visibleTicket(scope, principal, message.ticketId);
      if (!message.mediaPath || !fs.existsSync(storage.pathOf(message.mediaPath)))
        throw notFound('Media');
      res.setHeader('content-type', message.mediaType ?? 'application/octet-stream');
      res.setHeader(
        'content-disposition',
        `inline; filename="${encodeURIComponent(message.mediaName ?? 'file')}"`,
      );
      res.sendFile(storage.pathOf(message.mediaPath));
    },
  });

  /** Messenger and Instagram accept free-form replies only within 24 hours of the person's last message. */
  async function assertMessagingWindow(scope: TenantScope, ticket: Ticket, at: number) {
    const channel = await scope.find(Channel, ticket.channelId, 'Channel');
    const closesAt = windowClosesAt(channel.type, ticket.lastInboundAt);
    if (closesAt && new Date(closesAt).getTime() <= at) {
      throw conflict(
        'messaging_window_closed',
        `The 24-hour window to answer on ${channel.type} closed at ${closesAt}; the person must write again first.`,
        [{ path: 'body', message: `window closed at ${closesAt}` }],
      );
    }
  }

  async function sendInput(
    scope: TenantScope,
    ticket: Ticket,
    body: z.infer<typeof sendBody>,
    file: Express.Multer.File | undefined,
  ): Promise<Omit<SendInput, 'byUserId'>> {
    let text = body.body;
    if (body.quickReplyId)
      text = (await scope.find(QuickReply, body.quickReplyId, 'Quick reply')).body;
    if (!text.trim() && !file) {
      throw badRequest('validation_failed', 'Write a message or attach a file.', [
        { path: 'body', message: 'required' },
      ]);
    }
    if (body.quotedMessageId) {
      const quoted = await scope.find(Message, body.quotedMessageId, 'Quoted message');
      if (quoted.ticketId !== ticket.id) throw notFound('Quoted message');
    }
    const scheduledAt = body.scheduledAt ? new Date(body.scheduledAt).getTime() : undefined;
    if (scheduledAt !== undefined && scheduledAt <= Date.now()) {
      throw badRequest('validation_failed', 'A scheduled message must be in the future.', [
        { path: 'scheduledAt', message: 'must be in the future' },
      ]);
    }
    if (!body.isPrivate) await assertMessagingWindow(scope, ticket, scheduledAt ?? Date.now());
    let media: SendInput['media'];
    if (file) {
      if (!mimeAllowed(services.config.mediaAllowedTypes, file.mimetype)) {
        throw new AppError(
          415,
          'unsupported_media_type',
          `Files of type ${file.mimetype} are not accepted.`,
          [{ path: 'file', message: file.mimetype }],
        );
      }
      const stored = await storage.put(scope.tenantId, file.originalname, file.buffer);
      media = { key: stored.key, mimeType: file.mimetype, fileName: file.originalname };
    }
    return {
      body: text,
      isPrivate: Boolean(body.isPrivate),
      quotedMessageId: body.quotedMessageId,
      scheduledAt,
      media,
    };
  }
}
