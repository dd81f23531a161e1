// The real whatsapp-web.js client on the system Chromium. This machine cannot reach WhatsApp
// Web, so the browser starts, fails to load the page, and the supervisor shows that and backs
// off; stopping the channel leaves no browser behind.
import fs from 'node:fs';
import path from 'node:path';
import { afterAll, beforeAll, expect, it } from 'vitest';
import { browsersUsing } from '../../activities/channels/chromium';
import { whatsappSessionDir } from '../../activities/channels/whatsapp';
import { loadConfig } from '../../lib/config';
import { createTenant, login, type TenantFixture } from '../support/http';
import { startStack, type Stack } from '../support/stack';
import { eventually } from './support';

const chromium = loadConfig().chromiumPath;
let stack: Stack;
let tenant: TenantFixture;

beforeAll(async () => {
  stack = await startStack({
    CHANNEL_SESSION_BACKOFF_MS: '1000',
    CHANNEL_SESSION_MAX_BACKOFF_MS: '2000',
    CHANNEL_SESSION_HEARTBEAT_TIMEOUT_MS: '15000',
    CHANNEL_SESSION_CONNECT_TIMEOUT_MS: '30000',
  });
  const superClient = await login(stack.url, stack.superLogin.email, stack.superLogin.password);
  tenant = await createTenant(stack.url, superClient);
});

afterAll(() => stack?.stop());

/** Chromium processes started for anything under this stack's data folder. */
function browsersOfStack(): number[] {
  return fs
    .readdirSync('/proc')
    .filter((entry) => /^\d+$/.test(entry))
    .filter((pid) => {
      try {
        return fs.readFileSync(`/proc/${pid}/cmdline`, 'utf8').includes(stack.config.dataDir);
      } catch {
        return false;
      }
    })
    .map(Number);
}

it.runIf(fs.existsSync(chromium))(
  'launches Chromium, reports that WhatsApp Web is unreachable, backs off, and leaves no browser after stop',
  async () => {
    const created = await tenant.admin.post('/api/v1/channels', {
      type: 'whatsapp',
      name: 'Real client',
      config: {},
    });
    const id = created.body.id as number;
    const profile = whatsappSessionDir(stack.config.dataDir, id);

    const failing = await eventually(
      'the supervisor to back off after two failed attempts',
      async () => {
        const view = (await tenant.admin.get(`/api/v1/channels/${id}/session`)).body;
        return view.supervisor?.failures >= 2 && view.supervisor.phase === 'backing-off'
          ? view
          : undefined;
      },
      90_000,
    );
    // The browser really ran: it created its profile in the channel's session folder.
    expect(fs.existsSync(path.join(profile, 'Local State'))).toBe(true);
    expect(failing.status).toBe('disconnected');
    expect(failing.reason).toMatch(/WhatsApp Web could not be opened: .*net::ERR_/);
    expect(failing.reason).toMatch(/Retrying in \d+ s/);
    expect(failing.supervisor.retryAt).toEqual(expect.any(String));

    expect((await tenant.admin.post(`/api/v1/channels/${id}/stop`)).status).toBe(202);
    await eventually(
      'the channel to stop',
      async () =>
        (await tenant.admin.get(`/api/v1/channels/${id}/session`)).body.status === 'stopped',
      30_000,
    );
    await eventually(
      'every browser to be gone',
      () => browsersUsing(profile).length === 0 && browsersOfStack().length === 0,
      15_000,
    );
  },
  150_000,
);
