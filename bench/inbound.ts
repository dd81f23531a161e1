// `npm run bench:inbound`: web chat visitors post on a fixed timetable while one admin socket
// listens, and each message is timed from its public POST to the agent's `message:created`.
// Options come from BENCH_* variables; docs/benchmarks.md explains them and the figures.
import crypto from 'node:crypto';
import os from 'node:os';
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import { createTenant, login, type HttpClient, type Reply } from '../test/support/http';
import { connectSocket } from '../test/support/socket';
import { Visitor } from '../test/support/webchat';
import { startLocalStack, type LocalStack } from './local-stack';
import { printReport, round, summarize, type Report, type Verification } from './report';

interface Options {
  url: string;
  rate: number;
  tickets: number;
  seconds: number;
  drainSeconds: number;
  startStack: boolean;
}

/** After the last expected event, how long to keep listening for a late duplicate. */
const DUPLICATE_GRACE_MS = 1_000;
/** After the drain, how long POSTs still in flight may take before the stack is counted anyway. */
const SETTLE_LIMIT_MS = 120_000;
const PROGRESS_EVERY_MS = 10_000;
const VERIFY_ATTEMPTS = 5;

function readOptions(env = process.env): Options {
  const positive = (name: string, fallback: number) => {
    const raw = env[name];
    const value = raw === undefined || raw === '' ? fallback : Number(raw);
    if (!Number.isFinite(value) || value <= 0) {
      throw new Error(`${name} must be a positive number, got "${raw}"`);
    }
    return value;
  };
  return {
    url: (env.BENCH_URL || 'http://127.0.0.1:3000').replace(/\/+$/, ''),
    rate: positive('BENCH_RATE', 100),
    tickets: Math.round(positive('BENCH_TICKETS', 500)),
    seconds: positive('BENCH_SECONDS', 60),
    drainSeconds: positive('BENCH_DRAIN_SECONDS', 30),
    startStack: env.BENCH_START_STACK === '1',
  };
}

interface Sent {
  visitor: number;
  firstOfVisitor: boolean;
  dueAt: number;
  issuedAt: number;
  /** The HTTP status, or `network <code>` when no answer came back. */
  status?: number | string;
  duplicateReply?: boolean;
  respondedAt?: number;
  eventAt?: number;
  events: number;
}

/** Every POST of one run and the socket events that answer them, matched by the body's number. */
class Run {
  readonly sent: Sent[] = [];
  eventsReceived = 0;
  socketDisconnects = 0;
  private readonly bodyPattern: RegExp;

  constructor(
    readonly runId: string,
    private readonly visitors: Visitor[],
  ) {
    this.bodyPattern = new RegExp(`^bench ${runId} #(\\d+)$`);
  }

  post(dueAt: number): void {
    const seq = this.sent.length;
    const visitor = seq % this.visitors.length;
    const record: Sent = {
      visitor,
      firstOfVisitor: seq < this.visitors.length,
      dueAt,
      issuedAt: performance.now(),
      events: 0,
    };
    this.sent.push(record);
    this.visitors[visitor]
      .say(`bench ${this.runId} #${seq}`, `bench-${seq}`)
      .then((reply) => {
        record.status = reply.status;
        record.duplicateReply = reply.status === 201 && reply.body?.duplicate === true;
      })
      .catch((error: Error & { cause?: { code?: string; message?: string } }) => {
        record.status = `network ${error.cause?.code ?? error.cause?.message ?? error.message}`;
      })
      .finally(() => {
        record.respondedAt = performance.now();
      });
  }

  receive(payload: { message?: { body?: string } }): void {
    const arrivedAt = performance.now();
    const match = this.bodyPattern.exec(payload.message?.body ?? '');
    const record = match && this.sent[Number(match[1])];
    if (!record) return;
    this.eventsReceived += 1;
    record.events += 1;
    record.eventAt ??= arrivedAt;
  }

  /** Every POST answered and, unless only answers are awaited, every accepted one seen live. */
  settled(answersOnly = false): boolean {
    return this.sent.every(
      (record) =>
        record.respondedAt !== undefined &&
        (answersOnly || record.status !== 201 || record.eventAt),
    );
  }

  progress(): string {
    const answered = this.sent.filter((record) => record.respondedAt !== undefined).length;
    const accepted = this.sent.filter((record) => record.status === 201).length;
    return (
      `[bench] sent ${this.sent.length}, answered ${answered}, accepted ${accepted}, ` +
      `events ${this.eventsReceived}\n`
    );
  }
}

/** The machine's 1, 5 and 15 minute load: on a shared machine, part of what the figures mean. */
const loadAverages = () => os.loadavg().map((load) => round(load, 2));

async function prepareTenant(url: string, superClient: HttpClient, runId: string) {
  const tenant = await createTenant(url, superClient, `Bench ${runId}`);
  const queue = await tenant.admin.post('/api/v1/queues', { name: `Bench ${runId}` });
  if (queue.status !== 201) throw new Error(`queue creation failed: ${JSON.stringify(queue.body)}`);
  const channel = await tenant.admin.post('/api/v1/channels', {
    type: 'webchat',
    name: `Bench ${runId}`,
    queueId: queue.body.id,
  });
  if (channel.status !== 201) {
    throw new Error(`channel creation failed: ${JSON.stringify(channel.body)}`);
  }
  return {
    admin: tenant.admin,
    channelId: channel.body.id as number,
    widgetToken: channel.body.widgetToken as string,
  };
}

/** Open loop: each POST leaves at its slot in the timetable, whatever the earlier ones are doing. */
async function drive(run: Run, options: Options): Promise<void> {
  const total = Math.round(options.rate * options.seconds);
  const interval = 1000 / options.rate;
  const startedAt = performance.now();
  for (let seq = 0; seq < total; seq += 1) {
    const dueAt = startedAt + seq * interval;
    const wait = dueAt - performance.now();
    if (wait > 0) await sleep(wait);
    run.post(dueAt);
  }
}

/** Waits for the outstanding answers and events; resolves with the moment the figures freeze. */
async function drain(run: Run, drainSeconds: number): Promise<number> {
  const deadline = performance.now() + drainSeconds * 1000;
  while (!run.settled() && performance.now() < deadline) await sleep(25);
  const frozenAt = performance.now();
  await sleep(DUPLICATE_GRACE_MS);
  return frozenAt;
}

/** A stack still busy with a backlog keeps changing what it lists, so it is counted once quiet. */
async function settle(run: Run): Promise<boolean> {
  const deadline = performance.now() + SETTLE_LIMIT_MS;
  while (!run.settled(true) && performance.now() < deadline) await sleep(100);
  return run.settled(true);
}

/** A GET that tries again while a stack still busy with the backlog answers 5xx or not at all. */
async function patientGet(client: HttpClient, url: string): Promise<Reply> {
  for (let attempt = 1; ; attempt += 1) {
    const reply = await client.get(url).catch((error: Error) => error);
    const retryable = reply instanceof Error || reply.status >= 500;
    if (!retryable) return reply;
    if (attempt === VERIFY_ATTEMPTS) {
      throw new Error(
        `GET ${url} failed: ${reply instanceof Error ? reply.message : reply.status}`,
      );
    }
    await sleep(attempt * 1000);
  }
}

/** Every item of a cursor-paged list (`{ data, nextCursor }`). */
async function allPages<T>(client: HttpClient, url: string): Promise<T[]> {
  const items: T[] = [];
  for (let cursor: string | null = ''; cursor !== null;) {
    const separator = url.includes('?') ? '&' : '?';
    const reply = await patientGet(client, cursor ? `${url}${separator}cursor=${cursor}` : url);
    if (reply.status !== 200) throw new Error(`GET ${url} answered ${reply.status}`);
    items.push(...reply.body.data);
    cursor = reply.body.nextCursor;
  }
  return items;
}

async function inParallel<T, R>(items: T[], width: number, work: (item: T) => Promise<R>) {
  const results: R[] = new Array(items.length);
  let next = 0;
  const lane = async () => {
    while (next < items.length) {
      const index = next++;
      results[index] = await work(items[index]);
    }
  };
  await Promise.all(Array.from({ length: width }, lane));
  return results;
}

interface TicketRow {
  id: number;
  contact: { name: string };
}

/**
 * What the API stored, compared with every POST that was ever accepted: tickets per visitor and
 * this run's inbound messages per visitor. A visitor the paged list leaves out is looked up by
 * search, so a paging fault shows as such instead of as a missing ticket.
 */
async function verify(
  admin: HttpClient,
  channelId: number,
  run: Run,
  visitorIds: string[],
): Promise<Omit<Verification, 'settled'>> {
  const listed = await allPages<TicketRow>(
    admin,
    `/api/v1/tickets?channelId=${channelId}&limit=200`,
  );
  const listedIds = new Set(listed.map((ticket) => ticket.id));
  const unlisted = visitorIds.filter(
    (visitor) => !listed.some((ticket) => ticket.contact.name === visitor),
  );
  const searched = await inParallel(unlisted, 8, (visitor) =>
    allPages<TicketRow>(admin, `/api/v1/tickets?channelId=${channelId}&q=${visitor}&limit=200`),
  );
  const found = searched
    .flat()
    .filter((ticket) => unlisted.includes(ticket.contact.name) && !listedIds.has(ticket.id));
  const tickets = [...new Map([...listed, ...found].map((ticket) => [ticket.id, ticket])).values()];
  const messageCounts = await inParallel(tickets, 8, async (ticket) => {
    const messages = await allPages<{ direction: string; body: string }>(
      admin,
      `/api/v1/tickets/${ticket.id}/messages?limit=200`,
    );
    return messages.filter(
      (message) => message.direction === 'in' && message.body.startsWith('bench '),
    ).length;
  });

  const ticketsOf = new Map<string, number>();
  const storedOf = new Map<string, number>();
  tickets.forEach((ticket, index) => {
    const visitor = ticket.contact.name;
    ticketsOf.set(visitor, (ticketsOf.get(visitor) ?? 0) + 1);
    storedOf.set(visitor, (storedOf.get(visitor) ?? 0) + messageCounts[index]);
  });
  const accepted = run.sent.filter((sent) => sent.status === 201);
  const acceptedOf = new Map<string, number>();
  for (const record of accepted) {
    const visitor = visitorIds[record.visitor];
    acceptedOf.set(visitor, (acceptedOf.get(visitor) ?? 0) + 1);
  }

  const writers = [...acceptedOf.keys()];
  const storedMessages = messageCounts.reduce((sum, count) => sum + count, 0);
  return {
    tickets: tickets.length,
    ticketsMissedByPaging: new Set(found.map((ticket) => ticket.id)).size,
    visitorsWithOneTicket: writers.filter((visitor) => ticketsOf.get(visitor) === 1).length,
    visitorsWithSeveralTickets: writers.filter((visitor) => (ticketsOf.get(visitor) ?? 0) > 1)
      .length,
    visitorsWithoutTicket: writers.filter((visitor) => !ticketsOf.has(visitor)).length,
    acceptedInTotal: accepted.length,
    storedMessages,
    storedMatchesAccepted: storedMessages === accepted.length,
    visitorsWithWrongCount: writers.filter(
      (visitor) => (storedOf.get(visitor) ?? 0) !== acceptedOf.get(visitor),
    ).length,
  };
}

/**
 * The run's figures as they stood when the drain ended (`frozenAt`): an answer or event that
 * came later counts as missing. Duplicates and storage are judged over the whole run.
 */
function buildReport(
  options: Options,
  run: Run,
  frozenAt: number,
  machine: Report['machine'],
  verified: { verification: Verification } | { verificationError: string },
): Omit<Report, 'url'> {
  const { sent } = run;
  const answeredInTime = (record: Sent) =>
    record.respondedAt !== undefined && record.respondedAt <= frozenAt;
  const seenInTime = (record: Sent) => record.eventAt !== undefined && record.eventAt <= frozenAt;
  const accepted = sent.filter((record) => record.status === 201 && answeredInTime(record));
  const delivered = accepted.filter(seenInTime);
  const latency = (records: Sent[]) =>
    summarize(records.map((record) => record.eventAt! - record.issuedAt));

  const errorsAmong = (records: Sent[]) => {
    const errors: Record<string, number> = {};
    for (const record of records.filter((answered) => answered.status !== 201)) {
      const status = String(record.status);
      errors[status] = (errors[status] ?? 0) + 1;
    }
    return errors;
  };

  const firstIssued = sent[0]?.issuedAt ?? 0;
  const lastIssued = sent.at(-1)?.issuedAt ?? 0;
  const lastAccepted = Math.max(firstIssued, ...accepted.map((record) => record.respondedAt!));
  const perSecond = (count: number, spanMs: number) =>
    spanMs > 0 ? round((count * 1000) / spanMs) : options.rate;
  const lost = accepted.length - delivered.length;
  const unanswered = sent.length - sent.filter(answeredInTime).length;
  const lastEvent = Math.max(lastIssued, ...delivered.map((record) => record.eventAt!));
  const lastAnswer = Math.max(
    lastIssued,
    ...sent.filter(answeredInTime).map((r) => r.respondedAt!),
  );
  const drained = lost === 0 && unanswered === 0;
  const late = sent.filter((record) => record.respondedAt !== undefined && !answeredInTime(record));

  const report = {
    bench: 'inbound' as const,
    runId: run.runId,
    options: {
      rate: options.rate,
      tickets: options.tickets,
      seconds: options.seconds,
      drainSeconds: options.drainSeconds,
    },
    machine,
    sent: sent.length,
    accepted: accepted.length,
    httpErrors: errorsAmong(sent.filter(answeredInTime)),
    unanswered,
    afterDrain: {
      accepted: late.filter((record) => record.status === 201).length,
      errors: errorsAmong(late),
      neverAnswered: sent.filter((record) => record.respondedAt === undefined).length,
    },
    duplicateReplies: sent.filter((record) => record.duplicateReply).length,
    offeredRate: perSecond(sent.length - 1, lastIssued - firstIssued),
    sustainedRate: perSecond(accepted.length, lastAccepted - firstIssued),
    latencyMs: latency(delivered),
    newTicketLatencyMs: latency(delivered.filter((record) => record.firstOfVisitor)),
    followUpLatencyMs: latency(delivered.filter((record) => !record.firstOfVisitor)),
    postResponseMs: summarize(
      sent.filter(answeredInTime).map((record) => record.respondedAt! - record.issuedAt),
    ),
    sendLagMs: summarize(sent.map((record) => record.issuedAt - record.dueAt)),
    eventsReceived: sent.filter(seenInTime).length,
    socketDisconnects: run.socketDisconnects,
    lost,
    duplicated: sent.filter((record) => record.events > 1).length,
    eventsForFailedPosts: sent.filter(
      (record) => record.status !== undefined && record.status !== 201 && record.events > 0,
    ).length,
    drainMs: drained ? round(lastEvent - lastIssued) : null,
    answerDrainMs: drained ? round(lastAnswer - lastIssued) : null,
    verification: 'verification' in verified ? verified.verification : null,
    verificationError: 'verificationError' in verified ? verified.verificationError : null,
  };
  const stored = report.verification;
  const checks = {
    allAccepted: report.accepted === report.sent,
    keptRate: report.sustainedRate >= 0.98 * options.rate,
    p99Under250ms: report.latencyMs.p99 !== null && report.latencyMs.p99 < 250,
    zeroLost: lost === 0 && unanswered === 0,
    zeroDuplicated: report.duplicated === 0 && report.duplicateReplies === 0,
    storedMatchesAccepted: Boolean(
      stored?.storedMatchesAccepted && stored.visitorsWithWrongCount === 0,
    ),
    oneTicketPerVisitor: Boolean(
      stored && stored.visitorsWithSeveralTickets === 0 && stored.visitorsWithoutTicket === 0,
    ),
  };
  return { ...report, checks, goalMet: Object.values(checks).every(Boolean) };
}

async function bench(options: Options, target: { url: string; email: string; password: string }) {
  const runId = `${Date.now().toString(36)}${crypto.randomBytes(3).toString('hex')}`;
  const loadBefore = loadAverages();
  const superClient = await login(target.url, target.email, target.password);
  const { admin, channelId, widgetToken } = await prepareTenant(target.url, superClient, runId);

  const visitorIds = Array.from({ length: options.tickets }, (_, i) => `bench-${runId}-${i}`);
  const visitors = visitorIds.map((id) => new Visitor(target.url, widgetToken, id, id));
  const run = new Run(runId, visitors);
  const recorder = await connectSocket(target.url, { token: admin.token as string });
  recorder.socket.on('message:created', (payload) => run.receive(payload));
  recorder.socket.on('disconnect', (reason) => {
    if (reason !== 'io client disconnect') run.socketDisconnects += 1;
  });

  process.stderr.write(
    `[bench] run ${runId}: ${options.rate} msg/s over ${options.tickets} visitors for ` +
      `${options.seconds} s against ${target.url}\n`,
  );
  const ticker = setInterval(() => process.stderr.write(run.progress()), PROGRESS_EVERY_MS);
  await drive(run, options);
  process.stderr.write(`[bench] load done; draining up to ${options.drainSeconds} s\n`);
  const frozenAt = await drain(run, options.drainSeconds);
  const loadAfter = loadAverages();
  if (!run.settled(true)) {
    process.stderr.write('[bench] waiting for the POSTs still in flight before counting\n');
  }
  const settled = await settle(run);
  clearInterval(ticker);
  recorder.close();

  process.stderr.write('[bench] verifying stored tickets and messages through the API\n');
  const verified = await verify(admin, channelId, run, visitorIds).then(
    (verification) => ({ verification: { settled, ...verification } }),
    (error: Error) => ({ verificationError: error.message }),
  );
  const machine = { cpus: os.cpus().length, loadBefore, loadAfter };
  return { url: target.url, ...buildReport(options, run, frozenAt, machine, verified) };
}

async function main(): Promise<number> {
  const options = readOptions();
  let stack: LocalStack | undefined;
  process.once('SIGINT', () => {
    process.stderr.write('[bench] interrupted\n');
    void (stack?.stop() ?? Promise.resolve()).finally(() => process.exit(130));
  });

  try {
    if (options.startStack) {
      process.stderr.write('[bench] starting a stack of its own\n');
      stack = await startLocalStack();
    }
    const target = stack
      ? { url: stack.url, email: stack.adminEmail, password: stack.adminPassword }
      : {
          url: options.url,
          email: process.env.ADMIN_EMAIL || 'admin@tiktickets.local',
          password: process.env.ADMIN_PASSWORD ?? '',
        };
    if (!target.password) {
      throw new Error('set ADMIN_PASSWORD to the super user password of the stack');
    }
    printReport(await bench(options, target));
    return 0;
  } catch (error) {
    process.stderr.write(`[bench] could not run: ${(error as Error).stack ?? error}\n`);
    return 1;
  } finally {
    await stack?.stop();
  }
}

main().then((code) => process.exit(code));
