import {
  ApplicationFailure,
  allHandlersFinished,
  condition,
  continueAsNew,
  log,
  proxyActivities,
  setHandler,
  workflowInfo,
} from '@temporalio/workflow';
import type { Activities } from '../activities';
import type { TicketPolicy } from '../activities/tickets';
import {
  acceptUpdate,
  capacityFreedSignal,
  closeUpdate,
  inboundSignal,
  INVALID_TRANSITION,
  reopenUpdate,
  sendUpdate,
  stateQuery,
  transferUpdate,
  type Presented,
  type TicketState,
  type TicketStatus,
  type TicketWorkflowInput,
} from './ticket-api';
import { SESSION_NOT_HERE } from './channel-session-api';

const acts = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '1 second', maximumInterval: '1 minute', maximumAttempts: 10 },
});

/** How long a ticket with no free agent waits before it looks for one again by itself. */
const ASSIGNMENT_RETRY_MS = 60_000;
/** Keep each run's history small; the state moves to a fresh run well before Temporal's limits. */
const HISTORY_EVENTS_BEFORE_CONTINUE = 4_000;
const DELIVERY_ROUTE_ATTEMPTS = 5;

const ACTIVE: TicketStatus[] = ['bot', 'pending', 'open'];

/**
 * The life of one ticket, from the first inbound message to close: waits in its queue, is
 * accepted or handed out, is answered, transferred and closed, with timers for auto-close, SLA,
 * an agent's silence, out-of-hours replies and scheduled messages. Closing ends the run; a
 * reopen starts a new one from the ticket's stored state.
 */
export async function ticketWorkflow(input: TicketWorkflowInput): Promise<void> {
  const { tenantId, ticketId, channelId } = input;
  const state: TicketState = input.carried ?? initialState();
  const background: Promise<void>[] = [];
  let wakeUp = 0;
  let lastAssignmentTry = Number.NEGATIVE_INFINITY;

  // Handlers must exist before the first await, or updates sent with the start are refused;
  // their bodies queue behind loading the ticket's stored state.
  const serialize = serializer();
  let loaded = false;
  let policy = {} as TicketPolicy;
  const loading = serialize(async () => {
    policy = await acts.loadTicketPolicy({ tenantId, ticketId });
    if (!input.carried) adoptStoredState(state, policy);
    loaded = true;
  });

  const assertStatus = (allowed: TicketStatus[], action: string) => {
    if (loaded && !allowed.includes(state.status)) {
      throw ApplicationFailure.create({
        type: INVALID_TRANSITION,
        message: `Cannot ${action} a ticket that is ${state.status}.`,
        details: [state.status],
        nonRetryable: true,
      });
    }
  };

  const transition = async (
    type: Parameters<Activities['transitionTicket']>[0]['type'],
    to: TicketStatus,
    change: {
      userId: number | null;
      queueId: number | null;
      byUserId: number | null;
      data?: Record<string, unknown>;
    },
  ): Promise<Presented> => {
    const freedQueue = state.status === 'open' && state.userId !== null ? state.queueId : null;
    const ticket = await acts.transitionTicket({ tenantId, ticketId, type, to, ...change });
    const queueChanged = change.queueId !== state.queueId;
    if (to === 'pending' && state.status !== 'pending') state.pendingSince = Date.now();
    state.status = to;
    state.userId = change.userId;
    state.queueId = change.queueId;
    state.lastActivityAt = Date.now();
    if (to === 'pending') state.slaBreached = false;
    if (queueChanged) policy = await acts.loadTicketPolicy({ tenantId, ticketId });
    if (freedQueue !== null && (to !== 'open' || change.userId !== state.userId || queueChanged)) {
      background.push(acts.notifyCapacityFreed({ tenantId, queueId: freedQueue }));
    }
    wakeUp += 1;
    return ticket as unknown as Presented;
  };

  const deliver = (messageId: number) =>
    background.push(deliverMessage(tenantId, channelId, messageId));

  const sendSystemText = async (text: 'farewell' | 'outOfHours' | 'autoClose') => {
    const message = await acts.recordSystemMessage({ tenantId, ticketId, text });
    if (message) deliver(message.id);
  };

  setHandler(stateQuery, () => state);

  setHandler(inboundSignal, ({ at }) => {
    state.lastInboundAt = at;
    state.lastActivityAt = at;
    state.inboundSeen += 1;
    wakeUp += 1;
  });

  setHandler(capacityFreedSignal, () => {
    lastAssignmentTry = Number.NEGATIVE_INFINITY;
    wakeUp += 1;
  });

  setHandler(
    acceptUpdate,
    (accept) =>
      serialize(async () => {
        assertStatus(['bot', 'pending'], 'accept');
        return transition('accepted', 'open', {
          userId: accept.userId,
          queueId: state.queueId,
          byUserId: accept.byUserId,
        });
      }),
    { validator: (_input) => assertStatus(['bot', 'pending'], 'accept') },
  );

  setHandler(
    transferUpdate,
    (transfer) =>
      serialize(async () => {
        assertStatus(ACTIVE, 'transfer');
        const queueId = transfer.queueId === undefined ? state.queueId : transfer.queueId;
        const userId = transfer.userId ?? null;
        return transition('transferred', userId ? 'open' : 'pending', {
          userId,
          queueId,
          byUserId: transfer.byUserId,
          data: transfer.note ? { note: transfer.note } : undefined,
        });
      }),
    { validator: (_input) => assertStatus(ACTIVE, 'transfer') },
  );

  setHandler(
    closeUpdate,
    (close) =>
      serialize(async () => {
        assertStatus(ACTIVE, 'close');
        const ticket = await transition('closed', 'closed', {
          userId: state.userId,
          queueId: state.queueId,
          byUserId: close.byUserId,
          data: close.reason ? { reason: close.reason } : undefined,
        });
        await sendSystemText('farewell');
        return ticket;
      }),
    { validator: (_input) => assertStatus(ACTIVE, 'close') },
  );

  setHandler(
    reopenUpdate,
    (reopen) =>
      serialize(async () => {
        assertStatus(['closed'], 'reopen');
        return transition('reopened', reopen.byUserId ? 'open' : 'pending', {
          userId: reopen.byUserId,
          queueId: state.queueId,
          byUserId: reopen.byUserId,
        });
      }),
    { validator: (_input) => assertStatus(['closed'], 'reopen') },
  );

  setHandler(
    sendUpdate,
    (send) =>
      serialize(async () => {
        assertStatus(ACTIVE, 'send on');
        // An agent who answers a waiting ticket takes it, as in every help desk.
        if (!send.isPrivate && send.byUserId && state.status !== 'open') {
          await transition('accepted', 'open', {
            userId: send.byUserId,
            queueId: state.queueId,
            byUserId: send.byUserId,
          });
        }
        const message = await acts.recordOutbound({ tenantId, ticketId, ...send });
        if (!send.isPrivate) {
          if (send.byUserId) state.lastAgentReplyAt = Date.now();
          state.lastActivityAt = Date.now();
          if (send.scheduledAt && send.scheduledAt > Date.now()) {
            state.scheduled.push({ messageId: message.id, at: send.scheduledAt });
          } else {
            deliver(message.id);
          }
        }
        wakeUp += 1;
        return message as unknown as Presented;
      }),
    { validator: (_input) => assertStatus(ACTIVE, 'send on') },
  );

  await loading;

  // A ticket started only to be reopened waits a little for that update, then ends.
  if (state.status === 'closed') {
    await condition(() => state.status !== 'closed', '1 minute');
  }

  const isClosed = () => state.status === 'closed';
  // Messages that arrived while the run was loading count as unhandled, so each gets its answer.
  let inboundHandled = input.carried?.inboundSeen ?? 0;
  while (!isClosed()) {
    if (state.inboundSeen !== inboundHandled) {
      inboundHandled = state.inboundSeen;
      await answerOutOfHours();
    }
    await tryAutoAssign();
    await fireDueTimers();
    if (isClosed()) break;

    if (shouldContinueAsNew(input.historyLimit ?? HISTORY_EVENTS_BEFORE_CONTINUE)) {
      await condition(allHandlersFinished);
      await Promise.all(background);
      return continueAsNew<typeof ticketWorkflow>({ ...input, carried: state });
    }

    const seen = wakeUp;
    const wait = msUntilNextDeadline();
    await condition(
      () => wakeUp !== seen || state.inboundSeen !== inboundHandled,
      wait ?? undefined,
    );
  }

  await condition(allHandlersFinished);
  await Promise.all(background);
  await condition(allHandlersFinished);
  // Reopened while the closing run was still sending its farewell: carry on in a fresh run.
  if (!isClosed()) return continueAsNew<typeof ticketWorkflow>({ ...input, carried: state });

  async function answerOutOfHours() {
    if (!policy.outOfHours || state.lastInboundAt === null) return;
    const hours = await acts.checkBusinessHours({ tenantId, at: state.lastInboundAt });
    if (hours.open || !hours.periodKey || state.outOfHoursAnswered.includes(hours.periodKey))
      return;
    state.outOfHoursAnswered = [...state.outOfHoursAnswered.slice(-4), hours.periodKey];
    await sendSystemText('outOfHours');
  }

  async function tryAutoAssign() {
    if (state.status !== 'pending' || policy.distribution === 'manual') return;
    if (Date.now() - lastAssignmentTry < ASSIGNMENT_RETRY_MS) return;
    lastAssignmentTry = Date.now();
    await serialize(async () => {
      if (state.status !== 'pending') return;
      const agentId = await acts.autoAssign({ tenantId, ticketId });
      if (agentId === null) return;
      state.status = 'open';
      state.userId = agentId;
      state.lastActivityAt = Date.now();
      wakeUp += 1;
    });
  }

  async function fireDueTimers() {
    const now = Date.now();
    for (const due of state.scheduled.filter((entry) => entry.at <= now)) deliver(due.messageId);
    state.scheduled = state.scheduled.filter((entry) => entry.at > now);

    const deadlines = timerDeadlines();
    if (deadlines.sla !== null && deadlines.sla <= now) {
      state.slaBreached = true;
      await acts.markSlaBreached({ tenantId, ticketId });
      log.info('SLA breached', { tenantId, ticketId });
    }
    if (deadlines.agentIdle !== null && deadlines.agentIdle <= now) {
      await serialize(async () => {
        if (state.status !== 'open') return;
        await transition('returned', 'pending', {
          userId: null,
          queueId: state.queueId,
          byUserId: null,
        });
      });
    }
    if (deadlines.autoClose !== null && deadlines.autoClose <= now) {
      await serialize(async () => {
        if (!ACTIVE.includes(state.status)) return;
        await sendSystemText('autoClose');
        await transition('closed', 'closed', {
          userId: state.userId,
          queueId: state.queueId,
          byUserId: null,
          data: { reason: 'inactivity' },
        });
      });
    }
  }

  function timerDeadlines() {
    const { autoCloseMs: autoClose, slaMs: sla, agentIdleMs: idle } = policy;
    const unanswered =
      state.lastInboundAt !== null && state.lastInboundAt > (state.lastAgentReplyAt ?? 0);
    return {
      autoClose:
        autoClose !== null && state.status !== 'bot' ? state.lastActivityAt + autoClose : null,
      sla:
        sla !== null && state.status === 'pending' && !state.slaBreached
          ? state.pendingSince + sla
          : null,
      agentIdle:
        idle !== null && state.status === 'open' && unanswered
          ? Math.max(state.lastInboundAt as number, state.lastActivityAt) + idle
          : null,
    };
  }

  function msUntilNextDeadline(): number | null {
    const candidates = [
      ...Object.values(timerDeadlines()),
      ...state.scheduled.map((entry) => entry.at),
      state.status === 'pending' && policy.distribution !== 'manual'
        ? lastAssignmentTry + ASSIGNMENT_RETRY_MS
        : null,
    ].filter((value): value is number => value !== null);
    if (candidates.length === 0) return null;
    return Math.max(1, Math.min(...candidates) - Date.now());
  }
}

function initialState(): TicketState {
  return {
    status: 'pending',
    queueId: null,
    userId: null,
    lastInboundAt: null,
    lastAgentReplyAt: null,
    lastActivityAt: Date.now(),
    pendingSince: Date.now(),
    slaBreached: false,
    inboundSeen: 0,
    outOfHoursAnswered: [],
    scheduled: [],
  };
}

/** A first run takes the ticket's status and owners from the database, its system of record. */
function adoptStoredState(state: TicketState, policy: TicketPolicy): void {
  state.status = policy.status;
  state.queueId = policy.queueId;
  state.userId = policy.userId;
  state.slaBreached = policy.slaBreached;
  state.lastInboundAt = Math.max(state.lastInboundAt ?? 0, policy.lastInboundAt ?? 0) || null;
}

function shouldContinueAsNew(historyLimit: number): boolean {
  const info = workflowInfo();
  return info.continueAsNewSuggested || info.historyLength > historyLimit;
}

/** Runs update bodies one at a time, so two agents racing to accept see each other's result. */
function serializer() {
  let tail: Promise<unknown> = Promise.resolve();
  return <T>(work: () => Promise<T>): Promise<T> => {
    const run = tail.then(work, work);
    tail = run.catch(() => undefined);
    return run;
  };
}

/**
 * Sends a stored message on the task queue that can reach its channel. A session channel's
 * queue belongs to one worker; if that worker is gone the send times out waiting to start, and
 * the route is asked again, since the session may have moved.
 */
async function deliverMessage(
  tenantId: number,
  channelId: number,
  messageId: number,
): Promise<void> {
  let lastError = 'unknown error';
  for (let attempt = 0; attempt < DELIVERY_ROUTE_ATTEMPTS; attempt += 1) {
    try {
      const { taskQueue } = await acts.deliveryRoute({ tenantId, channelId });
      const { deliverMessage: send } = proxyActivities<Activities>({
        taskQueue,
        scheduleToStartTimeout: '2 minutes',
        startToCloseTimeout: '1 minute',
        retry: {
          initialInterval: '2 seconds',
          maximumInterval: '1 minute',
          maximumAttempts: 6,
          nonRetryableErrorTypes: ['PermanentDeliveryError'],
        },
      });
      await send({ tenantId, messageId });
      return;
    } catch (error) {
      lastError = rootMessage(error);
      if (!isScheduleToStartTimeout(error) && !isFailureOfType(error, SESSION_NOT_HERE)) break;
    }
  }
  log.warn('message delivery failed', { tenantId, channelId, messageId, reason: lastError });
  await acts.markMessageFailed({ tenantId, messageId, reason: lastError });
}

function rootMessage(error: unknown): string {
  let current = error as { message?: string; cause?: unknown } | undefined;
  while (current?.cause) current = current.cause as typeof current;
  return current?.message ?? String(error);
}

/** The session moved between routing and sending: ask for the route again. */
function isFailureOfType(error: unknown, type: string): boolean {
  return (error as { cause?: { type?: string } }).cause?.type === type;
}

function isScheduleToStartTimeout(error: unknown): boolean {
  const cause = (error as { cause?: { timeoutType?: number | string } }).cause;
  return cause?.timeoutType === 'SCHEDULE_TO_START' || cause?.timeoutType === 2;
}
