// A web chat visitor, talking to the public endpoints the widget uses.
import { HttpClient } from './http';

export class Visitor {
  private readonly http: HttpClient;

  constructor(
    baseUrl: string,
    readonly widgetToken: string,
    readonly visitorId: string,
    readonly name = 'Maria Visitante',
  ) {
    this.http = new HttpClient(baseUrl);
  }

  say(text: string, clientMessageId?: string) {
    return this.http.post(`/api/v1/public/webchat/${this.widgetToken}/messages`, {
      visitorId: this.visitorId,
      name: this.name,
      text,
      ...(clientMessageId ? { clientMessageId } : {}),
    });
  }

  async conversation(
    after = 0,
  ): Promise<{ id: number; direction: string; body: string; status: string }[]> {
    const reply = await this.http.get(
      `/api/v1/public/webchat/${this.widgetToken}/messages?visitorId=${this.visitorId}&after=${after}`,
    );
    return reply.body.data;
  }
}

export async function eventually<T>(
  probe: () => Promise<T>,
  accept: (value: T) => boolean,
  timeoutMs = 15_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (accept(value)) return value;
    if (Date.now() > deadline)
      throw new Error(`condition not met in ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
