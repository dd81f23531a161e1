// A manager setting up the team, the two languages, the wall between companies and the
// keyboard and contrast checks, in a real browser against the real stack.
import type { Browser, BrowserContext, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTenant, login, type TenantFixture } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { eventually, Visitor } from '../support/webchat';
import { contrastFailures, unnamedControls } from './a11y';
import {
  ensureWebBuild,
  errorsOf,
  hasText,
  launchBrowser,
  newContext,
  screenshot,
  shows,
  signIn,
  type Preferences,
} from './browser';

let stack: Stack;
let acme: TenantFixture;
let globex: TenantFixture;
let browser: Browser;
let globexTicket: { id: number; contact: string; text: string };
const contexts: BrowserContext[] = [];
const agent = { name: 'Davi Rocha', email: 'davi@acme.test', password: 'davi-pass-1234' };

async function webchatTicket(tenant: TenantFixture, name: string, text: string) {
  const channel = await tenant.admin.post('/api/v1/channels', { type: 'webchat', name: 'Site' });
  await new Visitor(stack.url, channel.body.widgetToken, 'v-globex', name).say(text);
  const tickets = await eventually(
    () => tenant.admin.get('/api/v1/tickets?status=pending'),
    (reply) => reply.body.data.length === 1,
  );
  return tickets.body.data[0].id as number;
}

beforeAll(async () => {
  await ensureWebBuild();
  stack = await startStack();
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  acme = await createTenant(stack.url, superClient, 'Acme');
  globex = await createTenant(stack.url, superClient, 'Globex');

  const support = (await acme.admin.post('/api/v1/queues', { name: 'Support' })).body.id;
  await acme.admin.post('/api/v1/users', { ...agent, role: 'agent', queueIds: [support] });
  // Open tickets of Acme's manager, for the keyboard walk through the list.
  const channel = await acme.admin.post('/api/v1/channels', { type: 'webchat', name: 'Site' });
  for (const name of ['Bia', 'Caio', 'Duda']) {
    await new Visitor(stack.url, channel.body.widgetToken, `v-${name}`, name).say(
      `Oi, sou ${name}`,
    );
  }
  const waiting = await eventually(
    () => acme.admin.get('/api/v1/tickets?status=pending'),
    (reply) => reply.body.data.length === 3,
  );
  for (const ticket of waiting.body.data) {
    await acme.admin.post(`/api/v1/tickets/${ticket.id}/accept`);
  }

  globexTicket = {
    id: await webchatTicket(globex, 'Gina Globex', 'Globex secret order 4242'),
    contact: 'Gina Globex',
    text: 'Globex secret order 4242',
  };
  browser = await launchBrowser();
});

afterAll(async () => {
  await Promise.all(contexts.map((context) => context.close()));
  await browser?.close();
  await stack?.stop();
});

async function context(preferences: Preferences = {}): Promise<BrowserContext> {
  const created = await newContext(browser, preferences);
  contexts.push(created);
  return created;
}

async function chooseOption(page: Page, field: string, option: string): Promise<void> {
  await page.getByRole('dialog').getByLabel(field).click();
  await page.getByRole('option', { name: option }).click();
}

describe('managing the team', () => {
  it('lets a manager create a queue and a user who can then sign in', async () => {
    const page = await signIn(
      await context(),
      stack.url,
      acme.adminUser.email,
      acme.adminUser.password,
    );

    await page.getByRole('link', { name: 'Queues' }).click();
    await page.getByRole('button', { name: 'New' }).click();
    await page.getByRole('dialog').getByLabel('Name').fill('VIP');
    await page.getByRole('dialog').getByRole('button', { name: 'Save' }).click();
    await shows(page.getByRole('cell', { name: 'VIP' }));

    await page.getByRole('link', { name: 'Users' }).click();
    await page.getByRole('button', { name: 'New' }).click();
    const dialog = page.getByRole('dialog');
    await dialog.getByLabel('Name').fill('Carla Nunes');
    await dialog.getByLabel('Email').fill('carla@acme.test');
    await dialog.getByLabel('Password').fill('carla-pass-1234');
    await chooseOption(page, 'Queues', 'VIP');
    await page.keyboard.press('Escape');
    await dialog.getByRole('button', { name: 'Save' }).click();
    await shows(page.getByRole('cell', { name: 'Carla Nunes' }));
    await screenshot(page, 'users');
    expect(await unnamedControls(page)).toEqual([]);
    expect(await contrastFailures(page)).toEqual([]);

    const carla = await signIn(await context(), stack.url, 'carla@acme.test', 'carla-pass-1234');
    expect(new URL(carla.url()).pathname).toBe('/tickets');
    const users = await acme.admin.get('/api/v1/users?q=carla');
    const queues = await acme.admin.get('/api/v1/queues?q=VIP');
    expect(users.body.data[0]).toMatchObject({ role: 'agent', queueIds: [queues.body.data[0].id] });
  });
});

describe('languages', () => {
  it('switches between Portuguese and English and remembers the choice', async () => {
    const page = await (await context({ locale: 'pt-BR' })).newPage();
    await page.goto(`${stack.url}/login`);
    await shows(page.getByRole('button', { name: 'Entrar' }));
    expect(await page.getAttribute('html', 'lang')).toBe('pt-BR');
    await screenshot(page, 'login-pt-BR');

    await page.getByRole('button', { name: 'Preferências' }).click();
    await page.getByRole('menuitemradio', { name: 'English (US)' }).click();
    await shows(page.getByRole('button', { name: 'Sign in' }));
    expect(await page.getAttribute('html', 'lang')).toBe('en-US');
    await page.reload();
    await shows(page.getByRole('button', { name: 'Sign in' }));

    await page.getByRole('button', { name: 'Preferences' }).click();
    await page.getByRole('menuitemradio', { name: 'Português (Brasil)' }).click();
    await shows(page.getByRole('button', { name: 'Entrar' }));
  });
});

describe('the wall between companies', () => {
  it('shows an Acme agent "not found" for a Globex ticket, and none of its data', async () => {
    const page = await signIn(await context(), stack.url, agent.email, agent.password);
    const answers: number[] = [];
    page.on('response', (response) => {
      if (response.url().includes(`/api/v1/tickets/${globexTicket.id}`))
        answers.push(response.status());
    });

    await page.goto(`${stack.url}/tickets/${globexTicket.id}`);
    await shows(page.getByRole('heading', { name: 'Ticket not found' }));
    await screenshot(page, 'other-company-ticket');

    expect(answers.length).toBeGreaterThan(0);
    expect(answers.every((status) => status === 404)).toBe(true);
    const html = await page.content();
    expect(html).not.toContain(globexTicket.contact);
    expect(html).not.toContain(globexTicket.text);
  });
});

describe('accessibility', () => {
  let desk: Page;

  let deskContext: BrowserContext;

  it('walks the ticket list and the composer by keyboard', async () => {
    deskContext = await context();
    desk = await signIn(deskContext, stack.url, acme.adminUser.email, acme.adminUser.password);
    await shows(desk.getByRole('listitem').first());

    await desk.keyboard.press('Tab');
    expect(await desk.evaluate(() => document.activeElement?.textContent)).toBe('Skip to content');
    let inList = false;
    for (let presses = 0; presses < 40 && !inList; presses += 1) {
      await desk.keyboard.press('Tab');
      inList = await desk.evaluate(() => !!document.activeElement?.closest('[role="listitem"]'));
    }
    expect(inList).toBe(true);
    const focusedIndex = () =>
      desk.evaluate(
        () => document.activeElement?.closest<HTMLElement>('[data-index]')?.dataset.index,
      );
    expect(await focusedIndex()).toBe('0');
    await desk.keyboard.press('ArrowDown');
    expect(await focusedIndex()).toBe('1');
    await desk.keyboard.press('End');
    expect(await focusedIndex()).toBe('2');

    await desk.keyboard.press('Enter');
    await desk.waitForURL(/\/tickets\/\d+$/);
    const composer = desk.getByLabel('Type a message — / for quick replies');
    await expect
      .poll(() => composer.evaluate((element) => element === document.activeElement))
      .toBe(true);
    await desk.keyboard.type('Written without a mouse');
    await desk.keyboard.press('Enter');
    await hasText(
      desk.getByRole('log', { name: 'Conversation history' }),
      'Written without a mouse',
    );
  });

  it('names every button and link, and keeps text readable in both themes', async () => {
    await shows(desk.getByRole('img', { name: 'Sent' }));
    expect(await unnamedControls(desk)).toEqual([]);
    expect(await contrastFailures(desk)).toEqual([]);
    await screenshot(desk, 'desk-light');

    await desk.getByRole('button', { name: 'Preferences' }).click();
    await desk.getByRole('menuitemradio', { name: 'Dark' }).click();
    await desk.keyboard.press('Escape');
    await desk.waitForSelector('body.body--dark');
    // The menu fades out: measured mid-fade its items are half transparent, so wait it out.
    await desk.getByRole('menu').waitFor({ state: 'detached' });
    expect(await contrastFailures(desk)).toEqual([]);
    await screenshot(desk, 'desk-dark');
    expect(errorsOf(deskContext)).toEqual([]);

    const signInPage = await (await context({ theme: 'dark' })).newPage();
    await signInPage.goto(`${stack.url}/login`);
    await shows(signInPage.getByRole('button', { name: 'Sign in' }));
    expect(await unnamedControls(signInPage)).toEqual([]);
    expect(await contrastFailures(signInPage)).toEqual([]);
  });
});
