// TikTickets web chat: a floating bubble a tenant drops into its site with one script tag
//   <script src="https://…/widget.js" data-widget-token="…" async></script>
// No framework, so it stays small. Once the visitor opens it, a socket says when the
// conversation has news and the public web-chat API is asked for what came after the last id.
import { io, type Socket } from 'socket.io-client';

/** A message as the public API lists it; `direction: 'in'` is what the visitor wrote. */
interface ChatMessage {
  id: number | string;
  direction: 'in' | 'out';
  body: string;
  createdAt: string;
}

const texts = {
  pt: {
    title: 'Fale conosco',
    open: 'Abrir o chat',
    close: 'Fechar o chat',
    name: 'Seu nome (opcional)',
    placeholder: 'Escreva sua mensagem',
    send: 'Enviar',
    failed: 'Não foi possível enviar. Tente de novo.',
    unread: 'Nova resposta',
  },
  en: {
    title: 'Chat with us',
    open: 'Open chat',
    close: 'Close chat',
    name: 'Your name (optional)',
    placeholder: 'Write your message',
    send: 'Send',
    failed: 'Could not send. Please try again.',
    unread: 'New reply',
  },
};

/** While the socket is down, the panel asks for news this often instead. */
const pollMs = 3000;
const script = document.currentScript as HTMLScriptElement | null;
const widgetToken = script?.dataset.widgetToken;

if (script && widgetToken) mount(script, widgetToken);

function mount(tag: HTMLScriptElement, token: string): void {
  const text = navigator.language.toLowerCase().startsWith('pt') ? texts.pt : texts.en;
  const colour = tag.dataset.color ?? '#1565c0';
  const origin = new URL(tag.src).origin;
  const endpoint = `${origin}/api/v1/public/webchat/${encodeURIComponent(token)}/messages`;
  const visitorId = storedVisitorId();
  const messages = new Map<string, ChatMessage>();
  let lastId = 0;
  let socket: Socket | null = null;
  let polling: ReturnType<typeof setInterval> | undefined;
  let fetching: Promise<void> | null = null;

  const host = document.createElement('div');
  const root = host.attachShadow({ mode: 'open' });
  root.innerHTML = template(text, colour);
  document.body.appendChild(host);

  const bubble = root.querySelector<HTMLButtonElement>('.bubble')!;
  const badge = root.querySelector<HTMLElement>('.badge')!;
  const panel = root.querySelector<HTMLElement>('.panel')!;
  const list = root.querySelector<HTMLElement>('.messages')!;
  const form = root.querySelector<HTMLFormElement>('form')!;
  const nameInput = root.querySelector<HTMLInputElement>('.name')!;
  const input = root.querySelector<HTMLTextAreaElement>('textarea')!;
  const error = root.querySelector<HTMLElement>('.error')!;
  nameInput.hidden = localStorage.getItem('tiktickets.visitorName') !== null;

  bubble.addEventListener('click', () => toggle(panel.hidden));
  root.querySelector('.close')!.addEventListener('click', () => toggle(false));
  input.addEventListener('keydown', (event) => {
    if (event.key === 'Enter' && !event.shiftKey) {
      event.preventDefault();
      form.requestSubmit();
    }
  });
  form.addEventListener('submit', (event) => {
    event.preventDefault();
    void send();
  });

  function toggle(open: boolean): void {
    panel.hidden = !open;
    bubble.setAttribute('aria-expanded', String(open));
    bubble.setAttribute('aria-label', open ? text.close : text.open);
    if (!open) return;
    badge.hidden = true;
    listen();
    void fetchNews();
    input.focus();
  }

  /** The socket carries no message, only "there is news": the API is the one source of text. */
  function listen(): void {
    if (socket) return;
    socket = io(origin, { auth: { widgetToken: token, visitorId } });
    socket.on('connect', () => {
      clearInterval(polling);
      void fetchNews();
    });
    socket.on('disconnect', () => {
      clearInterval(polling);
      polling = setInterval(() => void fetchNews(), pollMs);
    });
    socket.on('webchat:update', () => void fetchNews());
  }

  function fetchNews(): Promise<void> {
    fetching ??= fetchAfterLast().finally(() => (fetching = null));
    return fetching;
  }

  async function fetchAfterLast(): Promise<void> {
    const query = new URLSearchParams({ visitorId, after: String(lastId) });
    try {
      const response = await fetch(`${endpoint}?${query}`);
      if (!response.ok) return;
      const { data } = (await response.json()) as { data: ChatMessage[] };
      for (const message of data) {
        lastId = Math.max(lastId, Number(message.id));
        if (show(message) && message.direction === 'out' && panel.hidden) badge.hidden = false;
      }
    } catch {
      // A failed fetch is repeated on the next news or poll; the visitor needs no message.
    }
  }

  async function send(): Promise<void> {
    const body = input.value.trim();
    if (!body) return;
    const clientMessageId = randomId();
    const name =
      nameInput.value.trim() || localStorage.getItem('tiktickets.visitorName') || undefined;
    const pending: ChatMessage = {
      id: clientMessageId,
      direction: 'in',
      body,
      createdAt: new Date().toISOString(),
    };
    show(pending);
    input.value = '';
    error.hidden = true;
    try {
      const response = await fetch(endpoint, {
        method: 'POST',
        headers: { 'Content-Type': 'application/json' },
        body: JSON.stringify({ visitorId, name, text: body, clientMessageId }),
      });
      if (!response.ok) throw new Error(String(response.status));
      if (name) localStorage.setItem('tiktickets.visitorName', name);
      nameInput.hidden = true;
      // The stored id replaces the temporary one, so the next fetch does not show it twice.
      // `lastId` stays where it is: a reply written before this message may not be fetched yet.
      const { id } = (await response.json()) as { id: number };
      forget(pending);
      show({ ...pending, id });
    } catch {
      forget(pending);
      input.value = body;
      error.hidden = false;
    }
  }

  /** Answers whether the message is new on screen. */
  function show(message: ChatMessage): boolean {
    const key = String(message.id);
    if (messages.has(key)) return false;
    messages.set(key, message);
    const line = document.createElement('p');
    line.className = message.direction === 'in' ? 'mine' : 'theirs';
    line.dataset.key = key;
    line.textContent = message.body;
    list.appendChild(line);
    list.scrollTop = list.scrollHeight;
    return true;
  }

  function forget(message: ChatMessage): void {
    messages.delete(String(message.id));
    list.querySelector(`[data-key="${String(message.id)}"]`)?.remove();
  }
}

function storedVisitorId(): string {
  const key = 'tiktickets.visitorId';
  const existing = localStorage.getItem(key);
  if (existing) return existing;
  const created = randomId();
  localStorage.setItem(key, created);
  return created;
}

function randomId(): string {
  return (
    crypto.randomUUID?.() ?? `${Date.now().toString(36)}${Math.random().toString(36).slice(2)}`
  );
}

function template(text: typeof texts.pt, colour: string): string {
  return `
<style>
  :host { all: initial; font-family: system-ui, sans-serif; }
  .bubble { position: fixed; right: 20px; bottom: 20px; width: 56px; height: 56px; border: 0;
    border-radius: 50%; background: ${colour}; color: #fff; cursor: pointer; z-index: 2147483000;
    box-shadow: 0 4px 14px rgba(0,0,0,.25); display: grid; place-items: center; }
  .bubble:focus-visible, button:focus-visible { outline: 3px solid #ffb300; outline-offset: 2px; }
  .badge { position: absolute; top: 2px; right: 2px; width: 14px; height: 14px; border-radius: 50%;
    background: #d32f2f; border: 2px solid #fff; }
  .badge[hidden] { display: none; }
  .panel { position: fixed; right: 20px; bottom: 88px; width: min(360px, calc(100vw - 40px));
    height: min(520px, calc(100vh - 120px)); background: #fff; color: #1d1d1d; border-radius: 12px;
    box-shadow: 0 8px 30px rgba(0,0,0,.3); display: flex; flex-direction: column; overflow: hidden;
    z-index: 2147483000; }
  .panel[hidden] { display: none; }
  header { background: ${colour}; color: #fff; padding: 12px 14px; display: flex;
    align-items: center; justify-content: space-between; font-weight: 600; }
  header button { background: none; border: 0; color: #fff; font-size: 22px; cursor: pointer; }
  .messages { flex: 1; overflow-y: auto; padding: 12px; background: #f2f4f7; }
  .messages p { margin: 6px 0; padding: 8px 10px; border-radius: 10px; max-width: 80%;
    white-space: pre-wrap; overflow-wrap: anywhere; font-size: 14px; line-height: 1.35; }
  .mine { margin-left: auto !important; background: #d9ecff; }
  .theirs { background: #fff; box-shadow: 0 1px 1px rgba(0,0,0,.1); }
  form { display: flex; flex-direction: column; gap: 6px; padding: 8px;
    border-top: 1px solid #ddd; }
  input, textarea { font: inherit; font-size: 14px; padding: 8px; border: 1px solid #bbb;
    border-radius: 6px; resize: none; }
  .row { display: flex; gap: 6px; }
  textarea { flex: 1; }
  .send { background: ${colour}; color: #fff; border: 0; border-radius: 6px; padding: 0 14px;
    cursor: pointer; font-weight: 600; }
  .error { color: #c62828; font-size: 12px; margin: 0; }
</style>
<div class="panel" role="dialog" aria-label="${text.title}" hidden>
  <header><span>${text.title}</span>
    <button type="button" class="close" aria-label="${text.close}">&times;</button></header>
  <div class="messages" role="log" aria-live="polite"></div>
  <form>
    <input class="name" type="text" autocomplete="name" placeholder="${text.name}"
      aria-label="${text.name}" />
    <div class="row">
      <textarea rows="2" placeholder="${text.placeholder}"
        aria-label="${text.placeholder}"></textarea>
      <button class="send" type="submit">${text.send}</button>
    </div>
    <p class="error" role="alert" hidden>${text.failed}</p>
  </form>
</div>
<button class="bubble" type="button" aria-expanded="false" aria-label="${text.open}">
  <span class="badge" role="status" aria-label="${text.unread}" hidden></span>
  <svg width="28" height="28" viewBox="0 0 24 24" aria-hidden="true"><path fill="currentColor"
    d="M4 4h16a2 2 0 0 1 2 2v10a2 2 0 0 1-2 2H8l-4 4V6a2 2 0 0 1 2-2z"/></svg>
</button>`;
}
