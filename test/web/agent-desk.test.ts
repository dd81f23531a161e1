// An agent's day in a real browser against the real stack: sign in, a visitor writes through the
// web chat widget on the tenant's site, the ticket appears live, and the agent accepts, replies,
// transfers and closes it while the visitor's widget receives the answer.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, login, type TenantFixture } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { eventually, Visitor } from '../support/webchat';
import {
  ensureWebBuild,
  errorsOf,
  hasText,
  launchBrowser,
  newContext,
  screenshot,
  shows,
  startCustomerSite,
  type CustomerSite,
} from './browser';

let stack: Stack;
let tenant: TenantFixture;
let browser: Browser;
let site: CustomerSite;
let widgetToken: string;
let desk: Page;
let visitorPage: Page;
const contexts: BrowserContext[] = [];
const agent = { name: 'Ana Lima', email: 'ana@desk.test', password: 'ana-pass-1234' };

beforeAll(async () => {
  await ensureWebBuild();
  stack = await startStack();
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient, 'Acme');
  const support = (await tenant.admin.post('/api/v1/queues', { name: 'Support' })).body.id;
  const billing = (await tenant.admin.post('/api/v1/queues', { name: 'Billing' })).body.id;
  const channel = await tenant.admin.post('/api/v1/channels', {
    type: 'webchat',
    name: 'Acme site',
    queueId: support,
  });
  widgetToken = channel.body.widgetToken;
  const created = await tenant.admin.post('/api/v1/users', {
    ...agent,
    role: 'agent',
    queueIds: [support, billing],
  });
  expect(created.status).toBe(201);
  browser = await launchBrowser();
  site = await startCustomerSite(stack.url, widgetToken);
});

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await site?.close();
  await stack?.stop();
});

// A failed step leaves a picture of the desk behind, next to the screenshots of the key screens.
afterEach(async ({ task }) => {
  if (task.result?.state !== 'fail') return;
  if (desk) await screenshot(desk, `failed-${task.name}`);
  process.stderr.write(`browser errors: ${JSON.stringify(contexts.flatMap(errorsOf))}\n`);
});

async function open(preferences = {}): Promise<Page> {
  const context = await newContext(browser, preferences);
  contexts.push(context);
  return context.newPage();
}

describe('the agent desk in a browser', () => {
  it('signs the agent in', async () => {
    desk = await open();
    await desk.goto(`${stack.url}/tickets`);
    await desk.waitForURL(/\/login\?redirect=/);
    await shows(desk.getByRole('heading', { name: 'TikTickets' }));
    await desk.getByLabel('Email').fill(agent.email);
    await desk.locator('input[autocomplete="current-password"]').fill(agent.password);
    await screenshot(desk, 'login');

    await desk.getByRole('button', { name: 'Sign in' }).click();
    await desk.waitForURL(/\/tickets$/);
    await shows(desk.getByRole('tab', { name: /Open/ }));
    await shows(desk.getByText('Pick a ticket from the list to start talking'));

    // Someone still signed in who opens the sign-in page goes straight back to work.
    await desk.goto(`${stack.url}/login`);
    await desk.waitForURL(/\/tickets$/);
  });

  it('shows a web chat visitor’s ticket as it arrives, without a reload', async () => {
    await desk.getByRole('tab', { name: /Waiting/ }).click();
    await shows(desk.getByText('No tickets here'));
    await desk.evaluate(
      () => ((window as unknown as { sameDocument: boolean }).sameDocument = true),
    );

    visitorPage = await open();
    await visitorPage.goto(site.url);
    await visitorPage.getByRole('button', { name: 'Open chat' }).click();
    await visitorPage.getByLabel('Your name (optional)').fill('Maria Souza');
    await visitorPage.getByLabel('Write your message').fill('Hello, my order has not arrived');
    await visitorPage.getByLabel('Write your message').press('Enter');

    const row = desk.getByRole('listitem').filter({ hasText: 'Maria Souza' });
    await shows(row);
    await hasText(row, 'Hello, my order has not arrived');
    await shows(desk.getByRole('tab', { name: /Waiting\s*1/ }));
    expect(
      await desk.evaluate(() => (window as unknown as { sameDocument?: boolean }).sameDocument),
    ).toBe(true);
    await screenshot(desk, 'desk-new-ticket');
  });

  it('accepts, replies, transfers and closes while the visitor gets the reply', async () => {
    await desk.getByRole('listitem').filter({ hasText: 'Maria Souza' }).getByRole('link').click();
    await desk.waitForURL(/\/tickets\/\d+$/);
    const ticketId = Number(new URL(desk.url()).pathname.split('/').pop());
    const history = desk.getByRole('log', { name: 'Conversation history' });
    await hasText(history, 'Hello, my order has not arrived');
    await hasText(history, 'Ticket opened');

    await desk.getByRole('button', { name: 'Accept' }).first().click();
    await hasText(history, 'Ana Lima accepted the ticket');

    const composer = desk.getByLabel('Type a message — / for quick replies');
    await composer.fill('Sorry about that! Let me check it for you.');
    await composer.press('Enter');
    await hasText(history, 'Sorry about that! Let me check it for you.');
    await shows(history.getByRole('img', { name: 'Sent' }));

    const visitorId = await visitorPage.evaluate(() =>
      localStorage.getItem('tiktickets.visitorId'),
    );
    const visitor = new Visitor(stack.url, widgetToken, visitorId as string);
    const received = await eventually(
      () => visitor.conversation(),
      (rows) => rows.some((row) => row.body === 'Sorry about that! Let me check it for you.'),
    );
    expect(received.map((row) => row.direction)).toEqual(['in', 'out']);
    await shows(visitorPage.getByText('Sorry about that! Let me check it for you.'));
    await screenshot(visitorPage, 'widget-reply');

    await desk.getByRole('button', { name: 'Transfer' }).click();
    const dialog = desk.getByRole('dialog');
    await dialog.getByLabel('Target queue').click();
    await desk.getByRole('option', { name: 'Billing' }).click();
    await dialog.getByLabel('Note for whoever receives it (optional)').fill('refund needed');
    await dialog.getByRole('button', { name: 'Transfer' }).click();
    await hasText(history, 'Ana Lima transferred it to Billing');
    await hasText(history, '“refund needed”');

    await desk.getByRole('button', { name: 'Close' }).first().click();
    await desk.getByRole('dialog').getByLabel('Reason (optional)').fill('refund issued');
    await desk.getByRole('dialog').getByRole('button', { name: 'Close' }).click();
    await hasText(history, 'Ana Lima closed the ticket');
    await shows(desk.getByText('This ticket is closed.'));
    await screenshot(desk, 'conversation-closed');

    const stored = await tenant.admin.get(`/api/v1/tickets/${ticketId}`);
    expect(stored.body).toMatchObject({ status: 'closed', closeReason: 'refund issued' });
    expect(contexts.flatMap(errorsOf)).toEqual([]);
  });
});
