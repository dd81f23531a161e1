// Determinism guard: recorded ticket histories must replay through the current workflow code.
// A change that would break running tickets fails here. Record new fixtures after an
// intentional, versioned change with RECORD_TICKET_HISTORIES=1.
import fs from 'node:fs';
import path from 'node:path';
import { execFileSync } from 'node:child_process';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { inject } from 'vitest';
import { findTemporalCli } from '../temporal/cli';
import { searchAttributes } from '../temporal/search-attributes';
import { inboundSignal, stateQuery, ticketWorkflowId } from '../workflows/ticket-api';
import { createTenant, login, type TenantFixture } from './support/http';
import { startStack, type Stack } from './support/stack';
import { eventually, Visitor } from './support/webchat';

const fixtures = path.join(import.meta.dirname, 'fixtures', 'ticket-histories');
const replayOptions = () => ({ workflowBundle: { codePath: inject('workflowBundlePath') } });

let stack: Stack;
let tenant: TenantFixture;
let widgetToken: string;

beforeAll(async () => {
  stack = await startStack();
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient);
  const queue = await tenant.admin.post('/api/v1/queues', { name: 'Suporte' });
  const channel = await tenant.admin.post('/api/v1/channels', {
    type: 'webchat',
    name: 'Site',
    queueId: queue.body.id,
    farewellMessage: 'Até logo, {{name}}!',
  });
  widgetToken = channel.body.widgetToken;
});
afterAll(() => stack?.stop());

async function ticketOf(visitor: Visitor, text: string): Promise<number> {
  await visitor.say(text);
  const row = await eventually(
    () =>
      stack.services
        .db('tickets')
        .join('contactIdentities', 'contactIdentities.contactId', 'tickets.contactId')
        .where('contactIdentities.externalId', visitor.visitorId)
        .select('tickets.id')
        .first(),
    (found) => Boolean(found),
  );
  return row.id as number;
}

describe('workflow determinism', () => {
  it('replays every recorded ticket history with the current code', async () => {
    const files = fs.readdirSync(fixtures).filter((file) => file.endsWith('.json'));
    expect(files.length).toBeGreaterThan(0);
    for (const file of files) {
      const history = JSON.parse(fs.readFileSync(path.join(fixtures, file), 'utf8'));
      await Worker.runReplayHistory(replayOptions(), history, file.replace(/\.json$/, ''));
    }
  });

  it('replays a full lifecycle recorded right now', async () => {
    const visitor = new Visitor(stack.url, widgetToken, `replay-${Date.now()}`, 'Joana');
    const ticketId = await ticketOf(visitor, 'oi');
    await tenant.admin.post(`/api/v1/tickets/${ticketId}/accept`);
    await tenant.admin.post(`/api/v1/tickets/${ticketId}/messages`, { body: 'Olá Joana' });
    await tenant.admin.post(`/api/v1/tickets/${ticketId}/messages`, {
      body: 'nota',
      isPrivate: true,
    });
    await visitor.say('obrigada');
    await tenant.admin.post(`/api/v1/tickets/${ticketId}/close`, { reason: 'ok' });

    const handle = stack.services.temporal.workflow.getHandle(
      ticketWorkflowId(tenant.tenantId, ticketId),
    );
    await handle.result();
    const history = await handle.fetchHistory();
    await Worker.runReplayHistory(replayOptions(), history, handle.workflowId);

    if (process.env.RECORD_TICKET_HISTORIES === '1') {
      // The CLI writes the same proto JSON that historyFromJSON reads back.
      const json = execFileSync(findTemporalCli() as string, [
        'workflow',
        'show',
        '--workflow-id',
        handle.workflowId,
        '--address',
        inject('temporalAddress'),
        '--output',
        'json',
      ]);
      fs.writeFileSync(path.join(fixtures, 'lifecycle.json'), json);
    }
  });
});

describe('continue-as-new', () => {
  it('hands a long ticket over to a fresh run with its state', async () => {
    const visitor = new Visitor(stack.url, widgetToken, `long-${Date.now()}`, 'Rui');
    const ticketId = await ticketOf(visitor, 'primeira');
    await tenant.admin.post(`/api/v1/tickets/${ticketId}/accept`);
    const workflowId = ticketWorkflowId(tenant.tenantId, ticketId);
    const first = await stack.services.temporal.workflow.getHandle(workflowId).describe();

    // A run restarted with a tiny history budget, then fed signals, must roll over and keep going.
    await stack.services.temporal.workflow
      .getHandle(workflowId)
      .terminate('test restarts it with a small history budget');
    const ticket = await stack.services.db('tickets').where({ id: ticketId }).first();
    const handle = await stack.services.temporal.workflow.signalWithStart('ticketWorkflow', {
      workflowId,
      taskQueue: stack.config.temporalTaskQueue,
      args: [
        {
          tenantId: tenant.tenantId,
          ticketId,
          channelId: ticket.channelId,
          contactId: ticket.contactId,
          historyLimit: 30,
        },
      ],
      signal: inboundSignal,
      signalArgs: [{ messageId: 0, at: Date.now() }],
      typedSearchAttributes: searchAttributes({ TenantId: tenant.tenantId, TicketId: ticketId }),
    });
    for (let i = 0; i < 12; i += 1) {
      await handle.signal(inboundSignal, { messageId: i + 1, at: Date.now() });
      await new Promise((resolve) => setTimeout(resolve, 50));
    }

    const state = await eventually(
      async () => {
        const latest = stack.services.temporal.workflow.getHandle(workflowId);
        const description = await latest.describe();
        return { runId: description.runId, state: await latest.query(stateQuery) };
      },
      (current) => current.runId !== handle.signaledRunId && current.state.inboundSeen >= 13,
    );
    expect(state.runId).not.toBe(first.runId);
    expect(state.state).toMatchObject({ status: 'open', inboundSeen: 13 });

    const reply = await tenant.admin.post(`/api/v1/tickets/${ticketId}/messages`, {
      body: 'ainda aqui',
    });
    expect(reply.status).toBe(201);
  });
});
