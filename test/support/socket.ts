// A socket.io client that records every event, so tests can wait for what an agent would see.
import { io, type Socket } from 'socket.io-client';

export interface Received {
  event: string;
  payload: any;
}

export class EventRecorder {
  readonly received: Received[] = [];
  private waiters: (() => void)[] = [];

  constructor(readonly socket: Socket) {
    socket.onAny((event: string, payload: unknown) => {
      this.received.push({ event, payload });
      this.waiters.forEach((wake) => wake());
    });
  }

  /** Resolves with the first recorded event matching, waiting up to `timeoutMs` for it. */
  waitFor(
    event: string,
    match: (payload: any) => boolean = () => true,
    timeoutMs = 15_000,
  ): Promise<any> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.received.find((entry) => entry.event === event && match(entry.payload));
        if (!found) return false;
        clearTimeout(timer);
        this.waiters = this.waiters.filter((wake) => wake !== onEvent);
        resolve(found.payload);
        return true;
      };
      const onEvent = () => void check();
      const timer = setTimeout(() => {
        this.waiters = this.waiters.filter((wake) => wake !== onEvent);
        reject(
          new Error(
            `no ${event} event within ${timeoutMs} ms; got ${this.received.map((r) => r.event).join(', ')}`,
          ),
        );
      }, timeoutMs);
      if (!check()) this.waiters.push(onEvent);
    });
  }

  close(): void {
    this.socket.close();
  }
}

export async function connectSocket(
  baseUrl: string,
  auth: Record<string, string>,
): Promise<EventRecorder> {
  const socket = io(baseUrl, { auth, transports: ['websocket'], reconnection: false });
  const recorder = new EventRecorder(socket);
  await new Promise<void>((resolve, reject) => {
    socket.once('connect', () => resolve());
    socket.once('connect_error', reject);
  });
  return recorder;
}
