// The bench's figures: latency summaries and the report printed as a table, then as one JSON line.

export interface Summary {
  count: number;
  p50: number | null;
  p95: number | null;
  p99: number | null;
  max: number | null;
}

/** Nearest-rank percentiles in milliseconds, rounded to a tenth. */
export function summarize(samples: number[]): Summary {
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) =>
    sorted.length ? round(sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]) : null;
  return {
    count: sorted.length,
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    max: sorted.length ? round(sorted[sorted.length - 1]) : null,
  };
}

export const round = (value: number, digits = 1) => Number(value.toFixed(digits));

export interface Verification {
  /** Whether every POST had been answered, so the stack was quiet while it was counted. */
  settled: boolean;
  tickets: number;
  /** Tickets the paged list skipped and a search found. */
  ticketsMissedByPaging: number;
  visitorsWithOneTicket: number;
  visitorsWithSeveralTickets: number;
  visitorsWithoutTicket: number;
  acceptedInTotal: number;
  storedMessages: number;
  storedMatchesAccepted: boolean;
  visitorsWithWrongCount: number;
}

export interface Report {
  bench: 'inbound';
  url: string;
  runId: string;
  options: { rate: number; tickets: number; seconds: number; drainSeconds: number };
  machine: { cpus: number; loadBefore: number[]; loadAfter: number[] };
  sent: number;
  accepted: number;
  httpErrors: Record<string, number>;
  unanswered: number;
  afterDrain: { accepted: number; errors: Record<string, number>; neverAnswered: number };
  duplicateReplies: number;
  offeredRate: number;
  sustainedRate: number;
  latencyMs: Summary;
  newTicketLatencyMs: Summary;
  followUpLatencyMs: Summary;
  postResponseMs: Summary;
  sendLagMs: Summary;
  eventsReceived: number;
  socketDisconnects: number;
  lost: number;
  duplicated: number;
  eventsForFailedPosts: number;
  /** From the last POST to the last expected event, and to the last answer. */
  drainMs: number | null;
  answerDrainMs: number | null;
  verification: Verification | null;
  verificationError: string | null;
  checks: Record<string, boolean>;
  goalMet: boolean;
}

const ms = (value: number | null) => (value === null ? '—' : `${value} ms`);
const percentiles = (summary: Summary) =>
  `p50 ${ms(summary.p50)} · p95 ${ms(summary.p95)} · p99 ${ms(summary.p99)} · max ${ms(summary.max)}`;

function verificationRows(report: Report): [string, string][] {
  const found = report.verification;
  if (!found) return [['verification', `failed: ${report.verificationError}`]];
  const stored = found.storedMatchesAccepted ? 'equals' : 'differs from';
  return [
    ['counted on a quiet stack', found.settled ? 'yes' : 'no: POSTs were still in flight'],
    ['tickets stored', String(found.tickets)],
    ['  skipped by the paged list', String(found.ticketsMissedByPaging)],
    [
      'visitors with 1 / >1 / 0 tickets',
      `${found.visitorsWithOneTicket} / ${found.visitorsWithSeveralTickets} / ${found.visitorsWithoutTicket}`,
    ],
    [
      'messages stored',
      `${found.storedMessages} (${stored} the ${found.acceptedInTotal} accepted in total)`,
    ],
    ['visitors with a wrong count', String(found.visitorsWithWrongCount)],
  ];
}

export function printReport(report: Report): void {
  const { options, machine } = report;
  const errors = (counts: Record<string, number>) =>
    Object.entries(counts)
      .map(([status, count]) => `${status}: ${count}`)
      .join(', ') || 'none';
  const missed = Object.entries(report.checks)
    .filter(([, ok]) => !ok)
    .map(([name]) => name);
  const rows: [string, string][] = [
    ['target', `${options.rate} msg/s · ${options.tickets} tickets · ${options.seconds} s`],
    [
      'machine',
      `${machine.cpus} CPUs · load ${machine.loadBefore.join(' ')} → ${machine.loadAfter.join(' ')}`,
    ],
    ['sent / accepted (201)', `${report.sent} / ${report.accepted}`],
    ['HTTP errors', errors(report.httpErrors)],
    ['unanswered POSTs', String(report.unanswered)],
    [
      '  answered after the drain',
      `${report.afterDrain.accepted} accepted, errors ${errors(report.afterDrain.errors)}, ` +
        `${report.afterDrain.neverAnswered} never`,
    ],
    ['offered rate', `${report.offeredRate} msg/s`],
    ['sustained rate', `${report.sustainedRate} msg/s`],
    ['POST → socket event', percentiles(report.latencyMs)],
    ['  first message (new ticket)', percentiles(report.newTicketLatencyMs)],
    ['  follow-ups', percentiles(report.followUpLatencyMs)],
    ['POST response time', percentiles(report.postResponseMs)],
    [
      'send lag (bench itself)',
      `p99 ${ms(report.sendLagMs.p99)} · max ${ms(report.sendLagMs.max)}`,
    ],
    ['events received', String(report.eventsReceived)],
    ['socket disconnects', String(report.socketDisconnects)],
    ['lost', String(report.lost)],
    ['duplicated', String(report.duplicated)],
    ['events for failed POSTs', String(report.eventsForFailedPosts)],
    [
      'backlog drain',
      report.drainMs === null
        ? `not drained within ${options.drainSeconds} s`
        : `last event ${ms(report.drainMs)} · last answer ${ms(report.answerDrainMs)}`,
    ],
    ...verificationRows(report),
    ['goal', report.goalMet ? 'met' : `missed: ${missed.join(', ')}`],
  ];
  const width = Math.max(...rows.map(([label]) => label.length));
  const lines = rows.map(([label, value]) => `${label.padEnd(width)}  ${value}`);
  process.stdout.write(`\nInbound bench ${report.runId} against ${report.url}\n`);
  process.stdout.write(`${lines.join('\n')}\n\n${JSON.stringify(report)}\n`);
}
