// Objection models over the domain tables. Columns are snake_case in PostgreSQL and camelCase
// here (knexSnakeCaseMappers); tenant scoping lives in ./tenant-scope, not in the models.
import { Model, type RelationMappings } from 'objection';

export class BaseModel extends Model {
  id!: number;
  createdAt!: string;

  static useLimitInFirst = true;
}

class Timestamped extends BaseModel {
  updatedAt!: string;

  $beforeUpdate(): void {
    this.updatedAt = new Date().toISOString();
  }
}

/** A model whose rows belong to one tenant; only these may be reached through a TenantScope. */
export class TenantModel extends Timestamped {
  tenantId!: number;
}

export type TenantStatus = 'active' | 'suspended';
export type Role = 'super' | 'admin' | 'agent';
export type Presence = 'online' | 'away' | 'offline';
export type ChannelType = 'whatsapp' | 'telegram' | 'messenger' | 'instagram' | 'webchat';
export type TicketStatus = 'bot' | 'pending' | 'open' | 'closed';
export type MessageStatus = 'pending' | 'sent' | 'delivered' | 'read' | 'failed';
export type Distribution = 'manual' | 'round_robin' | 'least_busy';

export type WeeklyHours = Partial<
  Record<'sun' | 'mon' | 'tue' | 'wed' | 'thu' | 'fri' | 'sat', { start: string; end: string }[]>
>;

export class Tenant extends Timestamped {
  static tableName = 'tenants';
  static jsonAttributes = ['businessHours'];
  name!: string;
  status!: TenantStatus;
  maxUsers!: number | null;
  maxChannels!: number | null;
  timeZone!: string;
  businessHours!: WeeklyHours | null;
  ticketSeq!: number;
}

export class User extends Timestamped {
  static tableName = 'users';
  tenantId!: number | null;
  name!: string;
  email!: string;
  passwordHash!: string;
  role!: Role;
  status!: Presence;
  maxOpenTickets!: number | null;
  active!: boolean;
  lastSeenAt!: string | null;
  queues?: Queue[];

  static get relationMappings(): RelationMappings {
    return {
      queues: {
        relation: Model.ManyToManyRelation,
        modelClass: Queue,
        join: {
          from: 'users.id',
          through: { from: 'user_queues.userId', to: 'user_queues.queueId' },
          to: 'queues.id',
        },
      },
    };
  }
}

export class RefreshToken extends BaseModel {
  static tableName = 'refresh_tokens';
  userId!: number;
  tokenHash!: string;
  family!: string;
  expiresAt!: string;
  revokedAt!: string | null;
}

export class Queue extends TenantModel {
  static tableName = 'queues';
  name!: string;
  color!: string;
  distribution!: Distribution;
  maxOpenPerAgent!: number | null;
  slaMinutes!: number | null;
  autoCloseMinutes!: number | null;
  agentIdleMinutes!: number | null;
  greetingMessage!: string | null;
}

export class UserQueue extends Model {
  static tableName = 'user_queues';
  static idColumn = ['userId', 'queueId'];
  tenantId!: number;
  userId!: number;
  queueId!: number;
}

export class Channel extends TenantModel {
  static tableName = 'channels';
  static jsonAttributes = ['config'];
  type!: ChannelType;
  name!: string;
  status!: string;
  config!: Record<string, unknown>;
  secrets!: string | null;
  queueId!: number | null;
  flowId!: number | null;
  widgetToken!: string | null;
  greetingMessage!: string | null;
  farewellMessage!: string | null;
  qrCode!: string | null;
  statusReason!: string | null;
  statusAt!: string | null;
  /** Task queue of the worker hosting the live session (WhatsApp, Telegram polling). */
  sessionQueue!: string | null;
  sessionId!: string | null;
}

export class Contact extends TenantModel {
  static tableName = 'contacts';
  static jsonAttributes = ['customFields'];
  name!: string;
  phone!: string | null;
  email!: string | null;
  avatarUrl!: string | null;
  isGroup!: boolean;
  customFields!: Record<string, string>;
  ownerUserId!: number | null;
  tags?: Tag[];
  identities?: ContactIdentity[];

  static get relationMappings(): RelationMappings {
    return {
      tags: {
        relation: Model.ManyToManyRelation,
        modelClass: Tag,
        join: {
          from: 'contacts.id',
          through: { from: 'contact_tags.contactId', to: 'contact_tags.tagId' },
          to: 'tags.id',
        },
      },
      identities: {
        relation: Model.HasManyRelation,
        modelClass: ContactIdentity,
        join: { from: 'contacts.id', to: 'contact_identities.contactId' },
      },
    };
  }
}

export class ContactIdentity extends Model {
  static tableName = 'contact_identities';
  id!: number;
  tenantId!: number;
  contactId!: number;
  channelId!: number;
  externalId!: string;
}

export class Tag extends TenantModel {
  static tableName = 'tags';
  name!: string;
  color!: string;
}

export class Ticket extends TenantModel {
  static tableName = 'tickets';
  number!: number;
  contactId!: number;
  channelId!: number;
  queueId!: number | null;
  userId!: number | null;
  status!: TicketStatus;
  isGroup!: boolean;
  unreadCount!: number;
  lastMessageBody!: string | null;
  lastMessageAt!: string | null;
  lastInboundAt!: string | null;
  firstResponseAt!: string | null;
  slaBreachedAt!: string | null;
  closedAt!: string | null;
  closeReason!: string | null;
  contact?: Contact;
  channel?: Channel;
  tags?: Tag[];

  static get relationMappings(): RelationMappings {
    return {
      contact: {
        relation: Model.BelongsToOneRelation,
        modelClass: Contact,
        join: { from: 'tickets.contactId', to: 'contacts.id' },
      },
      channel: {
        relation: Model.BelongsToOneRelation,
        modelClass: Channel,
        join: { from: 'tickets.channelId', to: 'channels.id' },
      },
      tags: {
        relation: Model.ManyToManyRelation,
        modelClass: Tag,
        join: {
          from: 'tickets.id',
          through: { from: 'ticket_tags.ticketId', to: 'ticket_tags.tagId' },
          to: 'tags.id',
        },
      },
    };
  }
}

export class Message extends TenantModel {
  static tableName = 'messages';
  static jsonAttributes = ['payload'];
  ticketId!: number;
  contactId!: number;
  channelId!: number;
  userId!: number | null;
  direction!: 'in' | 'out';
  body!: string;
  kind!: string;
  mediaPath!: string | null;
  mediaType!: string | null;
  mediaName!: string | null;
  payload!: Record<string, unknown> | null;
  status!: MessageStatus;
  error!: string | null;
  channelMessageId!: string | null;
  senderExternalId!: string | null;
  senderName!: string | null;
  quotedMessageId!: number | null;
  isPrivate!: boolean;
  isEdited!: boolean;
  isDeleted!: boolean;
  scheduledAt!: string | null;
  sentAt!: string | null;
  quotedMessage?: Message | null;

  static get relationMappings(): RelationMappings {
    return {
      quotedMessage: {
        relation: Model.BelongsToOneRelation,
        modelClass: Message,
        join: { from: 'messages.quotedMessageId', to: 'messages.id' },
      },
    };
  }
}

export class TicketEvent extends BaseModel {
  static tableName = 'ticket_events';
  static jsonAttributes = ['data'];
  tenantId!: number;
  ticketId!: number;
  type!: string;
  userId!: number | null;
  fromStatus!: TicketStatus | null;
  toStatus!: TicketStatus | null;
  data!: Record<string, unknown> | null;
}

export class QuickReply extends TenantModel {
  static tableName = 'quick_replies';
  shortcut!: string;
  body!: string;
  mediaPath!: string | null;
}

export class Setting extends Model {
  static tableName = 'settings';
  static idColumn = ['tenantId', 'key'];
  static jsonAttributes = ['value'];
  tenantId!: number;
  key!: string;
  value!: unknown;
}

export class Flow extends TenantModel {
  static tableName = 'flows';
  name!: string;
  publishedVersion!: number | null;
}

export class FlowVersion extends BaseModel {
  static tableName = 'flow_versions';
  static jsonAttributes = ['graph'];
  tenantId!: number;
  flowId!: number;
  version!: number;
  graph!: Record<string, unknown>;
}

export class Campaign extends TenantModel {
  static tableName = 'campaigns';
  channelId!: number;
  name!: string;
  status!: string;
  message!: string;
  mediaPath!: string | null;
  startAt!: string | null;
  delayMs!: number;
  jitterMs!: number;
  perMinute!: number | null;
  workflowId!: string | null;
}

export class CampaignRecipient extends Model {
  static tableName = 'campaign_recipients';
  static jsonAttributes = ['variables'];
  id!: number;
  tenantId!: number;
  campaignId!: number;
  contactId!: number | null;
  address!: string;
  variables!: Record<string, string> | null;
  status!: string;
  error!: string | null;
  channelMessageId!: string | null;
  sentAt!: string | null;
}

export class ApiToken extends BaseModel {
  static tableName = 'api_tokens';
  tenantId!: number;
  name!: string;
  tokenHash!: string;
  prefix!: string;
  createdBy!: number | null;
  lastUsedAt!: string | null;
  revokedAt!: string | null;
}

export class WebhookSubscription extends TenantModel {
  static tableName = 'webhook_subscriptions';
  url!: string;
  secret!: string;
  events!: string[];
  active!: boolean;
}

export class WebhookDelivery extends TenantModel {
  static tableName = 'webhook_deliveries';
  static jsonAttributes = ['payload'];
  subscriptionId!: number;
  event!: string;
  payload!: unknown;
  status!: string;
  attempts!: number;
  responseStatus!: number | null;
  lastError!: string | null;
}

export class AuditEntry extends BaseModel {
  static tableName = 'audit_log';
  static jsonAttributes = ['data'];
  tenantId!: number | null;
  userId!: number | null;
  action!: string;
  entity!: string;
  entityId!: string | null;
  data!: unknown;
}

export class RealtimeEvent extends BaseModel {
  static tableName = 'realtime_events';
  static jsonAttributes = ['payload'];
  tenantId!: number;
  event!: string;
  rooms!: string[];
  payload!: Record<string, unknown>;
}
