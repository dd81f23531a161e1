// What the browser tests share: a current build of the web app for the API to serve, one
// headless system Chromium per test file, sign-in, screenshots and a customer's site for the
// web chat widget.
import { execFileSync } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import http from 'node:http';
import os from 'node:os';
import path from 'node:path';
import type { Browser, BrowserContext, Locator, Page } from 'playwright-core';
import { expect } from 'vitest';

export { launchBrowser } from './chromium';

const repoRoot = path.resolve(import.meta.dirname, '../..');
const webRoot = path.join(repoRoot, 'web');
const dist = path.join(webRoot, 'dist');
const screenshotDir = path.join(repoRoot, 'test-artifacts/screenshots');

function newestChange(target: string): number {
  const stat = fs.statSync(target);
  if (!stat.isDirectory()) return stat.mtimeMs;
  return Math.max(
    0,
    ...fs.readdirSync(target).map((name) => newestChange(path.join(target, name))),
  );
}

function buildIsCurrent(): boolean {
  const outputs = ['index.html', 'widget.js'].map((name) => path.join(dist, name));
  if (!outputs.every((file) => fs.existsSync(file))) return false;
  const built = Math.min(...outputs.map((file) => fs.statSync(file).mtimeMs));
  const sources = [
    'src',
    'widget',
    'public',
    'index.html',
    'vite.config.ts',
    'vite.widget.config.ts',
  ];
  return sources.every((source) => newestChange(path.join(webRoot, source)) <= built);
}

/**
 * The API serves web/dist as it finds it when it starts, so the build must be current first.
 * CI builds before testing; locally, the first test file to need it builds it and any other
 * waits on a lock directory rather than building the same output at the same time.
 */
export async function ensureWebBuild(): Promise<void> {
  const lock = path.join(os.tmpdir(), `tiktickets-web-build-${hash(repoRoot)}`);
  const deadline = Date.now() + 5 * 60_000;
  while (!buildIsCurrent()) {
    try {
      fs.mkdirSync(lock);
    } catch {
      if (Date.now() > deadline) throw new Error(`another build held ${lock} for 5 minutes`);
      await new Promise((resolve) => setTimeout(resolve, 1_000));
      continue;
    }
    try {
      if (!buildIsCurrent()) {
        execFileSync('npm', ['run', '--silent', 'build:web'], { cwd: repoRoot, stdio: 'ignore' });
      }
    } finally {
      fs.rmdirSync(lock);
    }
  }
}

const hash = (text: string) => crypto.createHash('sha1').update(text).digest('hex').slice(0, 10);

export interface Preferences {
  locale?: 'pt-BR' | 'en-US';
  theme?: 'light' | 'dark';
}

const pageErrors = new WeakMap<BrowserContext, string[]>();

/** Uncaught exceptions and console errors of every page of the context, for tests to assert on. */
export function errorsOf(context: BrowserContext): string[] {
  return pageErrors.get(context) ?? [];
}

/** A fresh browser profile with the app's stored preferences set before any page loads. */
export async function newContext(browser: Browser, preferences: Preferences = {}) {
  const context = await browser.newContext({ viewport: { width: 1366, height: 800 } });
  const errors: string[] = [];
  pageErrors.set(context, errors);
  context.on('page', (page) => {
    page.on('pageerror', (error) => errors.push(error.stack ?? error.message));
    // Failed loads are reported once, as API answers below, not again as console lines.
    page.on('console', (message) => {
      const text = message.text();
      if (message.type() !== 'error' || text.startsWith('Failed to load resource')) return;
      errors.push(text);
    });
    // The sign-in page's refresh answers 401 by design when nobody is signed in.
    page.on('response', async (response) => {
      const url = new URL(response.url());
      if (response.status() < 400 || !url.pathname.startsWith('/api/')) return;
      if (url.pathname === '/api/v1/auth/refresh') return;
      const body = await response.text().catch(() => '');
      errors.push(`${response.request().method()} ${url.pathname} ${response.status()} ${body}`);
    });
  });
  const stored = { locale: 'en-US', theme: 'light', sound: false, ...preferences };
  await context.addInitScript((value) => {
    // about:blank has no storage of its own; only the app's pages need the preferences.
    if (location.protocol === 'about:') return;
    if (!localStorage.getItem('tiktickets.preferences')) {
      localStorage.setItem('tiktickets.preferences', value);
    }
  }, JSON.stringify(stored));
  return context;
}

/** Signs in through the form, in English, and waits for the person's home screen. */
export async function signIn(
  context: BrowserContext,
  baseUrl: string,
  email: string,
  password: string,
) {
  const page = await context.newPage();
  await page.goto(`${baseUrl}/login`);
  await page.getByLabel('Email').fill(email);
  await page.getByLabel('Password', { exact: true }).fill(password);
  await page.getByRole('button', { name: 'Sign in' }).click();
  await page.waitForURL((url) => url.pathname !== '/login');
  return page;
}

export async function screenshot(page: Page, name: string): Promise<void> {
  fs.mkdirSync(screenshotDir, { recursive: true });
  await page.screenshot({ path: path.join(screenshotDir, `${name}.png`) });
}

export interface CustomerSite {
  url: string;
  close(): Promise<void>;
}

/**
 * A tenant's own web site with the widget snippet, on an origin of its own. It is a real
 * loopback server: Chromium refuses requests from a page it cannot place on the network to
 * the API's loopback address.
 */
export async function startCustomerSite(
  apiUrl: string,
  widgetToken: string,
): Promise<CustomerSite> {
  const html = `<!doctype html><html lang="en"><head><meta charset="utf-8"><title>Shop</title></head>
<body><h1>Acme shop</h1>
<script src="${apiUrl}/widget.js" data-widget-token="${widgetToken}" async></script></body></html>`;
  const server = http.createServer((_req, res) => {
    res.setHeader('content-type', 'text/html; charset=utf-8');
    res.end(html);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}/`,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Waits until the (first) element is on screen. */
export async function shows(locator: Locator, timeout = 30_000): Promise<void> {
  await locator.first().waitFor({ state: 'visible', timeout });
}

/** Waits until the element's visible text contains `text`. */
export async function hasText(locator: Locator, text: string, timeout = 30_000): Promise<void> {
  await expect.poll(() => locator.innerText(), { timeout }).toContain(text);
}
