// The whole domain schema. Later changes add columns in new migrations; this one is not edited.
import type { Knex } from 'knex';

const timestamps = (table: Knex.CreateTableBuilder, knex: Knex) => {
  table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  table.timestamp('updated_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
};

const tenantColumn = (table: Knex.CreateTableBuilder) =>
  table.bigInteger('tenant_id').notNullable().references('tenants.id').onDelete('CASCADE').index();

export async function up(knex: Knex): Promise<void> {
  await knex.schema.createTable('tenants', (table) => {
    table.bigIncrements('id');
    table.string('name', 160).notNullable();
    table.string('status', 16).notNullable().defaultTo('active');
    table.integer('max_users');
    table.integer('max_channels');
    table.string('time_zone', 64).notNullable().defaultTo('America/Sao_Paulo');
    table.jsonb('business_hours');
    table.bigInteger('ticket_seq').notNullable().defaultTo(0);
    timestamps(table, knex);
  });

  await knex.schema.createTable('users', (table) => {
    table.bigIncrements('id');
    table.bigInteger('tenant_id').references('tenants.id').onDelete('CASCADE').index();
    table.string('name', 160).notNullable();
    table.string('email', 254).notNullable();
    table.text('password_hash').notNullable();
    table.string('role', 16).notNullable();
    table.string('status', 16).notNullable().defaultTo('offline');
    table.integer('max_open_tickets');
    table.boolean('active').notNullable().defaultTo(true);
    table.timestamp('last_seen_at', { useTz: true });
    timestamps(table, knex);
  });
  await knex.raw('CREATE UNIQUE INDEX users_email_unique ON users (lower(email))');

  await knex.schema.createTable('refresh_tokens', (table) => {
    table.bigIncrements('id');
    table.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE').index();
    table.string('token_hash', 64).notNullable().unique();
    table.string('family', 64).notNullable().index();
    table.timestamp('expires_at', { useTz: true }).notNullable();
    table.timestamp('revoked_at', { useTz: true });
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('queues', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.string('name', 120).notNullable();
    table.string('color', 16).notNullable().defaultTo('#1976d2');
    table.string('distribution', 16).notNullable().defaultTo('manual');
    table.integer('max_open_per_agent');
    table.integer('sla_minutes');
    table.integer('auto_close_minutes');
    table.integer('agent_idle_minutes');
    table.text('greeting_message');
    timestamps(table, knex);
    table.unique(['tenant_id', 'name']);
  });

  await knex.schema.createTable('user_queues', (table) => {
    tenantColumn(table);
    table.bigInteger('user_id').notNullable().references('users.id').onDelete('CASCADE');
    table.bigInteger('queue_id').notNullable().references('queues.id').onDelete('CASCADE');
    table.primary(['user_id', 'queue_id']);
  });

  await knex.schema.createTable('flows', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.string('name', 160).notNullable();
    table.integer('published_version');
    timestamps(table, knex);
  });

  await knex.schema.createTable('flow_versions', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.bigInteger('flow_id').notNullable().references('flows.id').onDelete('CASCADE');
    table.integer('version').notNullable();
    table.jsonb('graph').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.unique(['flow_id', 'version']);
  });

  await knex.schema.createTable('channels', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.string('type', 16).notNullable();
    table.string('name', 120).notNullable();
    table.string('status', 16).notNullable().defaultTo('disconnected');
    table.jsonb('config').notNullable().defaultTo('{}');
    table.text('secrets');
    table.bigInteger('queue_id').references('queues.id').onDelete('SET NULL');
    table.bigInteger('flow_id').references('flows.id').onDelete('SET NULL');
    table.string('widget_token', 64).unique();
    table.text('greeting_message');
    table.text('farewell_message');
    table.text('qr_code');
    table.text('status_reason');
    table.timestamp('status_at', { useTz: true });
    timestamps(table, knex);
  });

  await knex.schema.createTable('contacts', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.string('name', 200).notNullable();
    table.string('phone', 40);
    table.string('email', 254);
    table.text('avatar_url');
    table.boolean('is_group').notNullable().defaultTo(false);
    table.jsonb('custom_fields').notNullable().defaultTo('{}');
    table.bigInteger('owner_user_id').references('users.id').onDelete('SET NULL');
    timestamps(table, knex);
  });

  await knex.schema.createTable('contact_identities', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.bigInteger('contact_id').notNullable().references('contacts.id').onDelete('CASCADE');
    table.bigInteger('channel_id').notNullable().references('channels.id').onDelete('CASCADE');
    table.string('external_id', 200).notNullable();
    table.unique(['channel_id', 'external_id']);
  });

  await knex.schema.createTable('tags', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.string('name', 60).notNullable();
    table.string('color', 16).notNullable().defaultTo('#9e9e9e');
    timestamps(table, knex);
    table.unique(['tenant_id', 'name']);
  });

  await knex.schema.createTable('contact_tags', (table) => {
    tenantColumn(table);
    table.bigInteger('contact_id').notNullable().references('contacts.id').onDelete('CASCADE');
    table.bigInteger('tag_id').notNullable().references('tags.id').onDelete('CASCADE');
    table.primary(['contact_id', 'tag_id']);
  });

  await knex.schema.createTable('tickets', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.bigInteger('number').notNullable();
    table.bigInteger('contact_id').notNullable().references('contacts.id').onDelete('CASCADE');
    table.bigInteger('channel_id').notNullable().references('channels.id').onDelete('CASCADE');
    table.bigInteger('queue_id').references('queues.id').onDelete('SET NULL');
    table.bigInteger('user_id').references('users.id').onDelete('SET NULL');
    table.string('status', 16).notNullable();
    table.boolean('is_group').notNullable().defaultTo(false);
    table.integer('unread_count').notNullable().defaultTo(0);
    table.text('last_message_body');
    table.timestamp('last_message_at', { useTz: true });
    table.timestamp('last_inbound_at', { useTz: true });
    table.timestamp('first_response_at', { useTz: true });
    table.timestamp('sla_breached_at', { useTz: true });
    table.timestamp('closed_at', { useTz: true });
    table.text('close_reason');
    timestamps(table, knex);
    table.unique(['tenant_id', 'number']);
    table.index(['tenant_id', 'status', 'last_message_at']);
  });
  // At most one unfinished ticket per contact and channel, enforced by the database itself.
  await knex.raw(
    `CREATE UNIQUE INDEX tickets_one_active_per_contact ON tickets (channel_id, contact_id)
     WHERE status <> 'closed'`,
  );

  await knex.schema.createTable('ticket_tags', (table) => {
    tenantColumn(table);
    table.bigInteger('ticket_id').notNullable().references('tickets.id').onDelete('CASCADE');
    table.bigInteger('tag_id').notNullable().references('tags.id').onDelete('CASCADE');
    table.primary(['ticket_id', 'tag_id']);
  });

  await knex.schema.createTable('messages', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.bigInteger('ticket_id').notNullable().references('tickets.id').onDelete('CASCADE');
    table.bigInteger('contact_id').notNullable().references('contacts.id').onDelete('CASCADE');
    table.bigInteger('channel_id').notNullable().references('channels.id').onDelete('CASCADE');
    table.bigInteger('user_id').references('users.id').onDelete('SET NULL');
    table.string('direction', 8).notNullable();
    table.text('body').notNullable().defaultTo('');
    table.string('kind', 16).notNullable().defaultTo('text');
    table.text('media_path');
    table.string('media_type', 120);
    table.string('media_name', 255);
    table.jsonb('payload');
    table.string('status', 16).notNullable();
    table.text('error');
    table.string('channel_message_id', 200);
    table.string('sender_external_id', 200);
    table.string('sender_name', 200);
    table.bigInteger('quoted_message_id').references('messages.id').onDelete('SET NULL');
    table.boolean('is_private').notNullable().defaultTo(false);
    table.boolean('is_edited').notNullable().defaultTo(false);
    table.boolean('is_deleted').notNullable().defaultTo(false);
    table.timestamp('scheduled_at', { useTz: true });
    table.timestamp('sent_at', { useTz: true });
    timestamps(table, knex);
    table.unique(['channel_id', 'channel_message_id']);
    table.index(['ticket_id', 'id']);
  });

  await knex.schema.createTable('ticket_events', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.bigInteger('ticket_id').notNullable().references('tickets.id').onDelete('CASCADE');
    table.string('type', 32).notNullable();
    table.bigInteger('user_id').references('users.id').onDelete('SET NULL');
    table.string('from_status', 16);
    table.string('to_status', 16);
    table.jsonb('data');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['ticket_id', 'id']);
  });

  await knex.schema.createTable('quick_replies', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.string('shortcut', 60).notNullable();
    table.text('body').notNullable();
    table.text('media_path');
    timestamps(table, knex);
    table.unique(['tenant_id', 'shortcut']);
  });

  await knex.schema.createTable('settings', (table) => {
    tenantColumn(table);
    table.string('key', 64).notNullable();
    table.jsonb('value');
    table.primary(['tenant_id', 'key']);
  });

  await knex.schema.createTable('campaigns', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.bigInteger('channel_id').notNullable().references('channels.id').onDelete('CASCADE');
    table.string('name', 160).notNullable();
    table.string('status', 16).notNullable().defaultTo('draft');
    table.text('message').notNullable();
    table.text('media_path');
    table.timestamp('start_at', { useTz: true });
    table.integer('delay_ms').notNullable().defaultTo(5000);
    table.integer('jitter_ms').notNullable().defaultTo(0);
    table.integer('per_minute');
    table.string('workflow_id', 200);
    timestamps(table, knex);
  });

  await knex.schema.createTable('campaign_recipients', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.bigInteger('campaign_id').notNullable().references('campaigns.id').onDelete('CASCADE');
    table.bigInteger('contact_id').references('contacts.id').onDelete('SET NULL');
    table.string('address', 200).notNullable();
    table.jsonb('variables');
    table.string('status', 16).notNullable().defaultTo('pending');
    table.text('error');
    table.string('channel_message_id', 200);
    table.timestamp('sent_at', { useTz: true });
    table.unique(['campaign_id', 'address']);
  });

  await knex.schema.createTable('api_tokens', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.string('name', 120).notNullable();
    table.string('token_hash', 64).notNullable().unique();
    table.string('prefix', 12).notNullable();
    table.bigInteger('created_by').references('users.id').onDelete('SET NULL');
    table.timestamp('last_used_at', { useTz: true });
    table.timestamp('revoked_at', { useTz: true });
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('webhook_subscriptions', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.text('url').notNullable();
    table.text('secret').notNullable();
    table.specificType('events', 'text[]').notNullable();
    table.boolean('active').notNullable().defaultTo(true);
    timestamps(table, knex);
  });

  await knex.schema.createTable('webhook_deliveries', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table
      .bigInteger('subscription_id')
      .notNullable()
      .references('webhook_subscriptions.id')
      .onDelete('CASCADE');
    table.string('event', 64).notNullable();
    table.jsonb('payload').notNullable();
    table.string('status', 16).notNullable().defaultTo('pending');
    table.integer('attempts').notNullable().defaultTo(0);
    table.integer('response_status');
    table.text('last_error');
    timestamps(table, knex);
  });

  await knex.schema.createTable('audit_log', (table) => {
    table.bigIncrements('id');
    table.bigInteger('tenant_id').references('tenants.id').onDelete('CASCADE').index();
    table.bigInteger('user_id').references('users.id').onDelete('SET NULL');
    table.string('action', 64).notNullable();
    table.string('entity', 64).notNullable();
    table.string('entity_id', 64);
    table.jsonb('data');
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
  });

  await knex.schema.createTable('realtime_events', (table) => {
    table.bigIncrements('id');
    tenantColumn(table);
    table.string('event', 64).notNullable();
    table.specificType('rooms', 'text[]').notNullable();
    table.jsonb('payload').notNullable();
    table.timestamp('created_at', { useTz: true }).notNullable().defaultTo(knex.fn.now());
    table.index(['tenant_id', 'id']);
  });
}

export async function down(knex: Knex): Promise<void> {
  const tables = [
    'realtime_events',
    'audit_log',
    'webhook_deliveries',
    'webhook_subscriptions',
    'api_tokens',
    'campaign_recipients',
    'campaigns',
    'settings',
    'quick_replies',
    'ticket_events',
    'messages',
    'ticket_tags',
    'tickets',
    'contact_tags',
    'tags',
    'contact_identities',
    'contacts',
    'channels',
    'flow_versions',
    'flows',
    'user_queues',
    'queues',
    'refresh_tokens',
    'users',
    'tenants',
  ];
  for (const table of tables) await knex.schema.dropTableIfExists(table);
}
