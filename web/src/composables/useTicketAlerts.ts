// Rings and pops a desktop notification when work arrives: a ticket entering the waiting line
// or a customer writing on a ticket the agent owns. Silent for what the agent is looking at.
import { useI18n } from 'vue-i18n';
import { useRouter } from 'vue-router';
import type { Message, Ticket } from '../api/types';
import { useConversationStore } from '../stores/conversation';
import { usePreferencesStore } from '../stores/preferences';
import { useRealtimeStore } from '../stores/realtime';
import { useSessionStore } from '../stores/session';
import { useTicketsStore } from '../stores/tickets';
import { playChime, showDesktopNotification } from '../utils/alerts';

export function useTicketAlerts(): void {
  const { t } = useI18n();
  const router = useRouter();
  const realtime = useRealtimeStore();
  const preferences = usePreferencesStore();
  const session = useSessionStore();
  const tickets = useTicketsStore();
  const conversation = useConversationStore();
  const waiting = new Set<number>();

  function isInView(ticketId: number): boolean {
    return document.visibilityState === 'visible' && conversation.ticket?.id === ticketId;
  }

  function alert(ticketId: number, title: string, body: string): void {
    if (isInView(ticketId)) return;
    if (preferences.sound) playChime();
    if (preferences.desktopNotifications) {
      showDesktopNotification(title, body, () => void router.push(`/tickets/${ticketId}`));
    }
  }

  function onTicket(ticket: Ticket): void {
    const isNew = ticket.status === 'pending' && !waiting.has(ticket.id);
    if (ticket.status === 'pending') waiting.add(ticket.id);
    else waiting.delete(ticket.id);
    if (isNew) alert(ticket.id, t('alerts.newTicket'), ticket.contact.name);
  }

  function onMessage(message: Message): void {
    if (message.direction !== 'in' || message.isPrivate) return;
    const ticket = tickets.find(message.ticketId) ?? conversation.ticket;
    if (!ticket || ticket.id !== message.ticketId || ticket.userId !== session.user?.id) return;
    alert(ticket.id, t('alerts.newMessage', { name: ticket.contact.name }), message.body);
  }

  realtime.on('ticket:updated', ({ ticket }) => onTicket(ticket));
  realtime.on('message:created', ({ message }) => onMessage(message));
}
