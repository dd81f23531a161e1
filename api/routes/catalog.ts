// Queues, tags and quick replies: the tenant's simple catalogues.
import { z } from 'zod';
import { QuickReply, Queue, Tag } from '../../db/models';
import { crudRoutes } from '../http/crud';
import type { ApiRegistry } from '../http/route';
import { timerMinutes } from '../../lib/tenant-settings';

const color = z.string().regex(/^#[0-9a-fA-F]{6}$/, 'use a colour like #1976d2');

export function catalogRoutes(api: ApiRegistry) {
  crudRoutes(api, {
    path: '/queues',
    tag: 'queues',
    noun: 'Queue',
    model: Queue,
    searchColumn: 'name',
    readAccess: ['admin', 'agent'],
    writeAccess: ['admin'],
    create: z.object({
      name: z.string().trim().min(1).max(120),
      color: color.optional(),
      distribution: z.enum(['manual', 'round_robin', 'least_busy']).optional(),
      maxOpenPerAgent: z.number().int().min(1).max(1000).nullable().optional(),
      slaMinutes: timerMinutes.optional(),
      autoCloseMinutes: timerMinutes.optional(),
      agentIdleMinutes: timerMinutes.optional(),
      greetingMessage: z.string().max(4000).nullable().optional(),
    }),
  });

  crudRoutes(api, {
    path: '/tags',
    tag: 'tags',
    noun: 'Tag',
    model: Tag,
    searchColumn: 'name',
    readAccess: ['admin', 'agent'],
    writeAccess: ['admin'],
    create: z.object({ name: z.string().trim().min(1).max(60), color: color.optional() }),
  });

  crudRoutes(api, {
    path: '/quick-replies',
    tag: 'quick-replies',
    noun: 'Quick reply',
    model: QuickReply,
    searchColumn: 'shortcut',
    readAccess: ['admin', 'agent'],
    writeAccess: ['admin'],
    create: z.object({
      shortcut: z
        .string()
        .trim()
        .min(1)
        .max(60)
        .regex(/^[\w-]+$/, 'letters, digits, _ and - only'),
      body: z.string().trim().min(1).max(4000),
    }),
  });
}
