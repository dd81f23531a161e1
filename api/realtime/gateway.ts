// socket.io edge: authenticates each socket, lets it join only the rooms its user may see, and
// keeps the user's presence from its open connections.
import type { Server as HttpServer } from 'node:http';
import { createAdapter } from '@socket.io/redis-adapter';
import type { Redis } from 'ioredis';
import { Server } from 'socket.io';
import { Channel, Ticket, User } from '../../db/models';
import { TenantScope } from '../../db/tenant-scope';
import { rooms } from '../../lib/realtime';
import type { Services } from '../../lib/services';
import { resolvePrincipal } from '../auth/middleware';
import type { Principal } from '../auth/principal';
import type { TokenService } from '../auth/tokens';
import { canSeeTicket } from '../tickets/visibility';

/** The rooms a principal joins on connect; also the filter for replaying missed events. */
export function roomsFor(principal: Principal): string[] {
  if (!principal.tenantId) return [];
  const tenantId = principal.tenantId;
  const base = [rooms.tenant(tenantId), rooms.unqueued(tenantId)];
  if (principal.role === 'admin') base.push(rooms.managers(tenantId));
  if (principal.userId) base.push(rooms.user(principal.userId));
  return [...base, ...principal.queueIds.map(rooms.queue)];
}

export function attachGateway(
  httpServer: HttpServer,
  services: Services,
  tokens: TokenService,
  bus?: { redis: Redis; subscriber: Redis },
): Server {
  const { db, publisher, log } = services;
  // Sockets authenticate with a token in the handshake, never with cookies, so any origin may
  // connect: web chat widgets live on the tenants' own sites.
  const io = new Server(httpServer, { serveClient: false, cors: { origin: true } });
  if (bus) {
    io.adapter(createAdapter(bus.redis, bus.subscriber, { key: services.config.redisKeyPrefix }));
  }
  publisher.attach((targetRooms, event, payload) => io.to(targetRooms).emit(event, payload));

  const setPresence = async (principal: Principal, status: User['status']) => {
    if (!principal.userId || !principal.tenantId) return;
    await User.query(db)
      .patch({ status, lastSeenAt: new Date().toISOString() })
      .where({ id: principal.userId });
    await publisher.publish(principal.tenantId, [rooms.tenant(principal.tenantId)], 'presence', {
      userId: principal.userId,
      status,
    });
  };

  io.use(async (socket, next) => {
    const { widgetToken, visitorId } = socket.handshake.auth ?? {};
    if (typeof widgetToken === 'string' && typeof visitorId === 'string') {
      const channel = await Channel.query(db)
        .findOne({ widgetToken, type: 'webchat' })
        .catch(() => undefined);
      if (!channel) return next(new Error('unknown widget'));
      socket.data.visitorRoom = rooms.visitor(channel.id, visitorId);
      return next();
    }
    const token = socket.handshake.auth?.token as string | undefined;
    const principal = await resolvePrincipal(db, tokens, token).catch(() => null);
    if (!principal?.tenantId || !principal.userId) return next(new Error('unauthorized'));
    socket.data.principal = principal;
    next();
  });

  io.on('connection', async (socket) => {
    if (socket.data.visitorRoom) {
      await socket.join(socket.data.visitorRoom as string);
      return;
    }
    const principal = socket.data.principal as Principal;
    await socket.join(roomsFor(principal));
    await setPresence(principal, 'online').catch((error) => log.warn({ err: error }, 'presence'));

    socket.on('ticket:join', async (ticketId: unknown, ack?: (ok: boolean) => void) => {
      const scope = new TenantScope(principal.tenantId as number);
      const ticket = await scope
        .query(Ticket)
        .findById(Number(ticketId))
        .catch(() => undefined);
      const allowed = Boolean(ticket && canSeeTicket(principal, ticket));
      if (allowed) await socket.join(rooms.ticket(Number(ticketId)));
      ack?.(allowed);
    });
    socket.on('ticket:leave', (ticketId: unknown) => socket.leave(rooms.ticket(Number(ticketId))));

    socket.on('presence', async (status: unknown) => {
      if (status === 'online' || status === 'away') await setPresence(principal, status);
    });

    socket.on('disconnect', async () => {
      try {
        const still = await io.in(rooms.user(principal.userId as number)).fetchSockets();
        if (still.length === 0) await setPresence(principal, 'offline');
      } catch (error) {
        log.warn({ err: error }, 'presence');
      }
    });
  });
  return io;
}
