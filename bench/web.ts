// `npm run bench:web`: how heavy and how quick the built web app is. It measures the JavaScript
// a first visit must download, how soon the sign-in page can be used, and whether the ticket
// screen stays smooth with 1,000 tickets and a 2,000-message conversation. It builds nothing:
// run `npm run build:web` first. docs/web-app.md explains the figures.
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import type { Browser, Page } from 'playwright-core';
import { startApiServer } from '../api/server';
import { startEmbeddedPostgres } from '../db/embedded';
import { ensureSuperUser } from '../db/super-user';
import { loadConfig } from '../lib/config';
import { createLogger } from '../lib/logger';
import { closeServices, connectServices, type Services } from '../lib/services';
import { freePort, startDevServer } from '../temporal/dev-server';
import { createWorker } from '../temporal/worker';
import { createTenant, login } from '../test/support/http';
import { launchBrowser } from '../test/web/chromium';

const BUDGET = { initialJsKb: 250, loginInteractiveMs: 1_000 };
const TICKETS = 1_000;
const MESSAGES = 2_000;
const LOGIN_LOADS = 5;

const repoRoot = path.resolve(import.meta.dirname, '..');
const dist = path.join(repoRoot, 'web/dist');

interface Bundle {
  files: { file: string; gzipKb: number }[];
  initialJsGzipKb: number;
  initialCssGzipKb: number;
}

/** The entry script and every script it preloads: what index.html makes a first visit fetch. */
function measureBundle(): Bundle {
  const html = fs.readFileSync(path.join(dist, 'index.html'), 'utf8');
  const referenced = (pattern: RegExp) => [...html.matchAll(pattern)].map((match) => match[1]);
  const scripts = [
    ...referenced(/<script[^>]+type="module"[^>]+src="\/([^"]+\.js)"/g),
    ...referenced(/<link[^>]+rel="modulepreload"[^>]+href="\/([^"]+\.js)"/g),
  ];
  const styles = referenced(/<link[^>]+rel="stylesheet"[^>]+href="\/([^"]+\.css)"/g);
  const gzipKb = (file: string) =>
    round(gzipSync(fs.readFileSync(path.join(dist, file)), { level: 9 }).length / 1024);
  const files = scripts.map((file) => ({ file, gzipKb: gzipKb(file) }));
  return {
    files,
    initialJsGzipKb: round(files.reduce((sum, entry) => sum + entry.gzipKb, 0)),
    initialCssGzipKb: round(styles.reduce((sum, file) => sum + gzipKb(file), 0)),
  };
}

interface BenchStack {
  url: string;
  services: Services;
  superLogin: { email: string; password: string };
  stop(): Promise<void>;
}

/**
 * The whole platform in this process, as `npm start` runs it, on a throwaway data folder with
 * its own ports: embedded PostgreSQL, the Temporal dev server, one worker and the API serving
 * web/dist. Seeding goes straight into its database.
 */
async function startBenchStack(): Promise<BenchStack> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'tiktickets-bench-web-'));
  fs.chmodSync(dataDir, 0o755);
  const superLogin = {
    email: 'bench-super@tiktickets.local',
    password: crypto.randomBytes(12).toString('base64url'),
  };
  const config = loadConfig({
    ...process.env,
    DATA_DIR: dataDir,
    DATABASE_URL: '',
    REDIS_URL: '',
    TEMPORAL_ADDRESS: '',
    TEMPORAL_TASK_QUEUE: 'bench-web',
    CHANNEL_SESSIONS: 'false',
    LOG_LEVEL: 'warn',
  });
  const log = createLogger(config.logLevel);
  const temporal = await startDevServer({ port: await freePort() });
  const database = await startEmbeddedPostgres(dataDir, await freePort());
  const services = await connectServices(config, log, {
    databaseUrl: database.url,
    temporalAddress: temporal.address,
  });
  await ensureSuperUser(services.db, superLogin.email, superLogin.password, log);
  const worker = await createWorker(services, {
    address: temporal.address,
    taskQueue: config.temporalTaskQueue,
  });
  const running = worker.run();
  const api = await startApiServer(services, { port: 0, host: '127.0.0.1' });

  return {
    url: api.url,
    services,
    superLogin,
    stop: async () => {
      await api.close();
      worker.shutdown();
      await running;
      await closeServices(services);
      await database.stop();
      await temporal.stop();
      fs.rmSync(dataDir, { recursive: true, force: true });
    },
  };
}

interface Seeded {
  adminEmail: string;
  adminPassword: string;
  longTicketId: number;
}

/** 1,000 open tickets of one manager; the newest holds a 2,000-message conversation. */
async function seed(stack: BenchStack): Promise<Seeded> {
  const { db } = stack.services;
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  const tenant = await createTenant(stack.url, superClient, 'Bench Co');
  const channel = await tenant.admin.post('/api/v1/channels', { type: 'webchat', name: 'Site' });
  const tenantId = tenant.tenantId;
  const channelId = channel.body.id as number;
  const userId = tenant.adminUser.id;
  const now = Date.now();
  const at = (secondsAgo: number) => new Date(now - secondsAgo * 1_000).toISOString();

  const contacts: { id: number }[] = await db('contacts')
    .insert(Array.from({ length: TICKETS }, (_, i) => ({ tenantId, name: `Customer ${i + 1}` })))
    .returning('id');
  const tickets: { id: number }[] = await db('tickets')
    .insert(
      contacts.map((contact, i) => ({
        tenantId,
        number: i + 1,
        contactId: contact.id,
        channelId,
        userId,
        status: 'open',
        lastMessageBody: `Question number ${i + 1} about an order that has not arrived yet`,
        lastMessageAt: at(i * 60),
        createdAt: at(i * 60 + 3_600),
      })),
    )
    .returning('id');
  await db('tenants').where({ id: tenantId }).update({ ticketSeq: TICKETS });

  const longTicketId = tickets[0].id;
  const rows = Array.from({ length: MESSAGES }, (_, i) => {
    const inbound = i % 2 === 0;
    return {
      tenantId,
      ticketId: longTicketId,
      contactId: contacts[0].id,
      channelId,
      userId: inbound ? null : userId,
      direction: inbound ? 'in' : 'out',
      body: `${inbound ? 'Customer' : 'Agent'} line ${i + 1}: ${'lorem ipsum '.repeat(1 + (i % 7))}`,
      status: inbound ? 'read' : 'delivered',
      channelMessageId: `bench-${i}`,
      createdAt: at((MESSAGES - i) * 30),
    };
  });
  for (let start = 0; start < rows.length; start += 500) {
    await db('messages').insert(rows.slice(start, start + 500));
  }
  return {
    adminEmail: tenant.adminUser.email,
    adminPassword: tenant.adminUser.password,
    longTicketId,
  };
}

/** Navigation start to a sign-in button that can be pressed and an email field that takes focus. */
async function loginInteractiveMs(browser: Browser, url: string): Promise<number[]> {
  const samples: number[] = [];
  for (let load = 0; load < LOGIN_LOADS; load += 1) {
    const context = await browser.newContext();
    const page = await context.newPage();
    await page.goto(`${url}/login`, { waitUntil: 'commit' });
    const ready = await page.waitForFunction(
      () => {
        const button = document.querySelector<HTMLButtonElement>('button[type="submit"]');
        const input = document.querySelector<HTMLInputElement>('input[type="email"]');
        if (!button || button.disabled || !input) return false;
        input.focus();
        return document.activeElement === input ? performance.now() : false;
      },
      undefined,
      { polling: 'raf', timeout: 30_000 },
    );
    samples.push(round((await ready.jsonValue()) as number));
    await context.close();
  }
  return samples;
}

interface ScrollRun {
  fps: number;
  frames: number;
  seconds: number;
  longestFrameMs: number;
  maxRowsInDom: number;
}

/** How long a list must sit at its end, growing no more, before the scroll is over. */
const SETTLED_MS = 1_500;

/**
 * Scrolls a list by a fixed step every animation frame, counting frames, until it has sat at
 * its end for a while without growing: the list pages in more items as the end comes near.
 * Frames spent waiting at the end are not counted.
 */
function scroll(page: Page, options: { list: string; row: string; step: number }) {
  return page.evaluate(
    ({ list, row, step, settledMs }) =>
      new Promise<ScrollRun>((resolve) => {
        const element = document.querySelector<HTMLElement>(list) as HTMLElement;
        const atEnd = () =>
          step > 0
            ? element.scrollTop + element.clientHeight >= element.scrollHeight - 2
            : element.scrollTop <= 0;
        const start = performance.now();
        let last = start;
        let moving = { frames: 0, until: start };
        let frames = 0;
        let longest = 0;
        let maxRows = 0;
        let endSince: number | null = null;
        let height = element.scrollHeight;
        const frame = (now: number) => {
          frames += 1;
          longest = Math.max(longest, now - last);
          last = now;
          maxRows = Math.max(maxRows, element.querySelectorAll(row).length);
          if (atEnd() && element.scrollHeight === height) {
            endSince ??= now;
          } else {
            endSince = null;
            moving = { frames, until: now };
          }
          height = element.scrollHeight;
          if ((endSince !== null && now - endSince > settledMs) || now - start > 120_000) {
            const seconds = (moving.until - start) / 1_000;
            resolve({
              fps: Math.round((moving.frames / seconds) * 10) / 10,
              frames: moving.frames,
              seconds: Math.round(seconds * 10) / 10,
              longestFrameMs: Math.round(longest),
              maxRowsInDom: maxRows,
            });
            return;
          }
          element.scrollTop += step;
          requestAnimationFrame(frame);
        };
        requestAnimationFrame(frame);
      }),
    { ...options, settledMs: SETTLED_MS },
  );
}

/** Counts what the app fetched: tickets from list pages, messages from conversation pages. */
function countLoaded(page: Page) {
  const loaded = { tickets: 0, messages: 0 };
  page.on('response', async (response) => {
    const { pathname } = new URL(response.url());
    const key =
      pathname === '/api/v1/tickets'
        ? 'tickets'
        : /^\/api\/v1\/tickets\/\d+\/messages$/.test(pathname)
          ? 'messages'
          : null;
    if (!key || response.request().method() !== 'GET' || !response.ok()) return;
    const body = (await response.json().catch(() => null)) as { data?: unknown[] } | null;
    loaded[key] += body?.data?.length ?? 0;
  });
  return loaded;
}

async function measureTicketScreen(browser: Browser, url: string, seeded: Seeded) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  // tsx compiles this file keeping function names through an `__name` helper, which the code
  // handed to page.evaluate then calls inside the page, where it does not exist.
  await context.addInitScript('globalThis.__name = (target) => target;');
  await context.addInitScript(() => {
    if (location.protocol === 'about:') return;
    const preferences = { locale: 'en-US', theme: 'light', sound: false };
    localStorage.setItem('tiktickets.preferences', JSON.stringify(preferences));
  });
  const page = await context.newPage();
  await page.goto(`${url}/login`);
  await page.getByLabel('Email').fill(seeded.adminEmail);
  await page.locator('input[autocomplete="current-password"]').fill(seeded.adminPassword);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL(/\/tickets$/);

  const loaded = countLoaded(page);
  await page.goto(`${url}/tickets/${seeded.longTicketId}`);
  await page.locator('.bubble').first().waitFor();
  await page.locator('.ticket-item').first().waitFor();
  const ticketList = await scroll(page, {
    list: '[role="list"].q-virtual-scroll',
    row: '.ticket-item',
    step: 200,
  });
  const conversation = await scroll(page, { list: '[role="log"]', row: '.bubble', step: -150 });
  await context.close();
  return {
    ticketList: { ...ticketList, itemsLoaded: loaded.tickets },
    conversation: { ...conversation, itemsLoaded: loaded.messages },
  };
}

const round = (value: number) => Math.round(value * 10) / 10;
const median = (values: number[]) =>
  [...values].sort((a, b) => a - b)[Math.floor(values.length / 2)];

function printReport(report: ReturnType<typeof buildReport>): void {
  const { bundle, login: signIn, ticketList, conversation } = report;
  const scrollLine = (run: ScrollRun & { itemsLoaded: number }, noun: string) =>
    `${run.fps} fps over ${run.seconds} s (longest frame ${run.longestFrameMs} ms); ` +
    `${run.itemsLoaded} ${noun} loaded, at most ${run.maxRowsInDom} in the DOM`;
  const rows: [string, string][] = [
    [
      'initial JS (gzip -9)',
      `${bundle.initialJsGzipKb} KB of ${BUDGET.initialJsKb} KB budget — ${report.checks.initialJs ? 'within' : 'OVER'}`,
    ],
    ...bundle.files.map(({ file, gzipKb }): [string, string] => [`  ${file}`, `${gzipKb} KB`]),
    ['initial CSS (gzip -9)', `${bundle.initialCssGzipKb} KB`],
    [
      'sign-in interactive (median of 5)',
      `${signIn.medianMs} ms of ${BUDGET.loginInteractiveMs} ms budget — ${report.checks.loginInteractive ? 'within' : 'OVER'} (${signIn.samplesMs.join(', ')})`,
    ],
    ['ticket list scroll', scrollLine(ticketList, 'tickets')],
    ['conversation scroll', scrollLine(conversation, 'messages')],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  process.stdout.write(`\nWeb app bench against ${report.url}\n`);
  process.stdout.write(rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`).join('\n'));
  process.stdout.write(`\n\n${JSON.stringify(report)}\n`);
}

function buildReport(
  url: string,
  bundle: Bundle,
  loginSamples: number[],
  screen: Awaited<ReturnType<typeof measureTicketScreen>>,
) {
  const loginMedian = median(loginSamples);
  return {
    bench: 'web' as const,
    url,
    bundle,
    login: { medianMs: loginMedian, samplesMs: loginSamples },
    ticketList: screen.ticketList,
    conversation: screen.conversation,
    checks: {
      initialJs: bundle.initialJsGzipKb <= BUDGET.initialJsKb,
      loginInteractive: loginMedian <= BUDGET.loginInteractiveMs,
    },
  };
}

async function main(): Promise<void> {
  if (!fs.existsSync(path.join(dist, 'index.html'))) {
    throw new Error('web/dist/index.html is missing: run `npm run build:web` first');
  }
  const bundle = measureBundle();
  process.stderr.write('starting a stack and seeding 1,000 tickets and 2,000 messages…\n');
  const stack = await startBenchStack();
  let browser: Browser | undefined;
  try {
    const seeded = await seed(stack);
    browser = await launchBrowser();
    const loginSamples = await loginInteractiveMs(browser, stack.url);
    const screen = await measureTicketScreen(browser, stack.url, seeded);
    printReport(buildReport(stack.url, bundle, loginSamples, screen));
  } finally {
    await browser?.close();
    await stack.stop();
  }
}

main().catch((error) => {
  process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : error}\n`);
  process.exit(1);
});
