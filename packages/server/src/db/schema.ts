import type { ColumnType, Generated } from 'kysely';

/** Kysely's view of the tables in `migrations/`. Keep both in step. */
type Timestamp = ColumnType<Date, Date, Date>;
type Json<T> = ColumnType<T, string, string>;

export interface TenantsTable {
  id: string;
  name: string;
  slug: string;
  created_at: Timestamp;
}

export interface UsersTable {
  id: string;
  tenant_id: string;
  email: string;
  password_hash: string;
  display_name: string;
  role: string;
  team_id: string | null;
  locale: string;
  active: boolean;
  capacity: Json<Record<string, number>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface SessionsTable {
  token_hash: string;
  tenant_id: string;
  user_id: string;
  created_at: Timestamp;
  expires_at: Timestamp;
}

export interface ApiKeysTable {
  id: string;
  tenant_id: string;
  name: string;
  role: string;
  prefix: string;
  secret_hash: string;
  created_by: string | null;
  created_at: Timestamp;
  last_used_at: Timestamp | null;
  revoked_at: Timestamp | null;
}

export interface NamedTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AgentSkillsTable {
  tenant_id: string;
  user_id: string;
  skill_id: string;
  level: number;
}

export interface CalendarsTable {
  id: string;
  tenant_id: string;
  name: string;
  time_zone: string;
  weekly: Json<unknown[]>;
  holidays: Json<unknown[]>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface QueuesTable {
  id: string;
  tenant_id: string;
  name: string;
  strategy: string;
  priority: number;
  service_level_seconds: number;
  service_level_percent: number;
  wrap_up_seconds: number;
  max_wait_seconds: number;
  calendar_id: string | null;
  offer_timeout_seconds: ColumnType<number, number | undefined, number>;
  blocks_other_channels: ColumnType<boolean, boolean | undefined, boolean>;
  expansion: ColumnType<unknown, string | undefined, string>;
  overflow: ColumnType<unknown, string | undefined, string>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface QueueSkillsTable {
  tenant_id: string;
  queue_id: string;
  skill_id: string;
  min_level: number;
  position: number;
}

export interface NotReadyReasonsTable {
  id: string;
  tenant_id: string;
  name: string;
  paid: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface DispositionCodesTable {
  id: string;
  tenant_id: string;
  code: string;
  name: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface AuditLogTable {
  id: string;
  seq: Generated<string>;
  tenant_id: string;
  at: Timestamp;
  actor_type: string;
  actor_id: string | null;
  action: string;
  entity_type: string;
  entity_id: string;
  before: Json<unknown> | null;
  after: Json<unknown> | null;
}

type NullableTimestamp = ColumnType<Date | null, Date | null | undefined, Date | null>;
type JsonDefault<T> = ColumnType<T, string | undefined, string>;

export interface InteractionsTable {
  id: string;
  tenant_id: string;
  channel: string;
  state: string;
  queue_id: string | null;
  priority: ColumnType<number, number | undefined, number>;
  required_skills: JsonDefault<{ skillId: string; minLevel: number }[]>;
  enqueued_at: NullableTimestamp;
  queued_at: NullableTimestamp;
  route_seq: ColumnType<string | null, number | null | undefined, number | null>;
  stage: ColumnType<number, number | undefined, number>;
  declined_by: JsonDefault<string[]>;
  preferred_agent_id: ColumnType<string | null, string | null | undefined, string | null>;
  preferred_until: NullableTimestamp;
  not_before: NullableTimestamp;
  agent_id: ColumnType<string | null, string | null | undefined, string | null>;
  connected_at: NullableTimestamp;
  subject: ColumnType<string, string | undefined, string>;
  contact: JsonDefault<Record<string, string>>;
  data: JsonDefault<Record<string, unknown>>;
  disposition_code_id: ColumnType<string | null, string | null | undefined, string | null>;
  notes: ColumnType<string, string | undefined, string>;
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  closed_at: NullableTimestamp;
  contact_id: ColumnType<string | null, string | null | undefined, string | null>;
  rating: ColumnType<number | null, number | null | undefined, number | null>;
  rating_comment: ColumnType<string, string | undefined, string>;
}

export interface InteractionEventsTable {
  seq: Generated<string>;
  tenant_id: string;
  interaction_id: string;
  type: string;
  at: Timestamp;
  data: Json<unknown>;
}

export interface RoutingDecisionsTable {
  seq: Generated<string>;
  tenant_id: string;
  interaction_id: string;
  at: Timestamp;
  queue_id: string;
  trigger: string;
  chosen: Json<string[]>;
  explanation: Json<unknown>;
}

export interface AgentPresenceTable {
  tenant_id: string;
  user_id: string;
  presence: string;
  reason: string | null;
  status: string;
  since: Timestamp;
}

export interface AgentStateEventsTable {
  seq: Generated<string>;
  tenant_id: string;
  user_id: string;
  from_status: string;
  to_status: string;
  presence: string;
  reason: string | null;
  at: Timestamp;
}

export interface OutboxTable {
  seq: Generated<string>;
  tenant_id: string;
  at: Timestamp;
  type: string;
  agent_ids: Json<string[]>;
  payload: Json<unknown>;
}

type Optional<T> = ColumnType<T, T | undefined, T>;

export interface ContactsTable {
  id: string;
  tenant_id: string;
  name: Optional<string>;
  email: string | null;
  phone: string | null;
  attributes: JsonDefault<Record<string, string>>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface ContactIdentitiesTable {
  tenant_id: string;
  contact_id: string;
  kind: 'email' | 'phone' | 'visitor';
  value: string;
  created_at: Timestamp;
}

export interface WidgetVisitorsTable {
  id: string;
  tenant_id: string;
  token_hash: string;
  contact_id: string;
  created_at: Timestamp;
  last_seen_at: Timestamp;
}

export interface ConversationsTable {
  tenant_id: string;
  interaction_id: string;
  visitor_id: string | null;
  language: Optional<string>;
  last_seq: Optional<number>;
  read_by_customer_seq: Optional<number>;
  read_by_agent_seq: Optional<number>;
  ended_at: NullableTimestamp;
}

export interface AttachmentsTable {
  id: string;
  tenant_id: string;
  interaction_id: string;
  file_name: string;
  mime: string;
  size: number;
  sha256: string;
  content: Buffer;
  uploaded_by: string;
  created_at: Timestamp;
}

export interface ChatMessagesTable {
  id: string;
  tenant_id: string;
  interaction_id: string;
  seq: number;
  author_kind: 'customer' | 'agent' | 'supervisor' | 'bot' | 'system';
  author_user_id: string | null;
  author_name: Optional<string>;
  visibility: 'public' | 'internal' | 'whisper';
  text: string;
  attachment_id: string | null;
  client_id: string | null;
  created_at: Timestamp;
  /** Bot quick replies `[{key, label}]` (0007); null for every other message. */
  buttons?: ColumnType<{ key: string; label: string }[] | null, string | null, string | null>;
}

export interface ReplyTemplatesTable {
  id: string;
  tenant_id: string;
  owner_id: string | null;
  name: string;
  body: string;
  language: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface WidgetSettingsTable {
  tenant_id: string;
  settings: Json<unknown>;
  updated_at: Timestamp;
  /** Mirrors `settings.flowId` for the foreign key (0007). */
  flow_id?: string | null;
}

export interface SipTrunksTable {
  id: string;
  tenant_id: string;
  name: string;
  enabled: boolean;
  allowed_cidrs: Json<string[]>;
  inbound_username: string | null;
  inbound_ha1_md5: string | null;
  inbound_ha1_sha256: string | null;
  proxy: string | null;
  transport: string;
  outbound_username: string | null;
  outbound_password: string | null;
  register: boolean;
  register_expires_sec: number;
  keep_alive_sec: number;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface PhoneNumbersTable {
  id: string;
  tenant_id: string;
  number: string;
  trunk_id: string;
  description: string;
  /** The flow calls to this number start in (0007); null: straight to routing. */
  flow_id?: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** `0009_voice_calls.sql`: one row per phone call, written as the call goes (CDR facts). */
export interface VoiceCallsTable {
  id: string;
  tenant_id: string;
  interaction_id: string;
  sip_call_id: string;
  direction: Optional<'inbound' | 'outbound'>;
  from_number: string;
  to_number: string;
  did: string;
  trunk_id: string | null;
  codec: string | null;
  flow_session_id: Optional<string | null>;
  arrived_at: Timestamp;
  answered_at: NullableTimestamp;
  queued_at: NullableTimestamp;
  agent_answered_at: NullableTimestamp;
  agent_id: Optional<string | null>;
  ended_at: NullableTimestamp;
  hangup_side: Optional<'caller' | 'system' | 'agent' | 'external' | null>;
  hangup_cause: Optional<string | null>;
  recording_path: Optional<string | null>;
  /** `0013`: the external number the call was transferred to, and when it answered. */
  transferred_to: Optional<string | null>;
  transferred_at: NullableTimestamp;
}

/** `0014_call_agent_legs.sql`: the agents of a phone call, in order (CDR segments). */
export interface VoiceCallAgentsTable {
  tenant_id: string;
  call_id: string;
  seq: number;
  agent_id: string;
  queue_id: string | null;
  connected_at: Timestamp;
  ended_at: NullableTimestamp;
  end_reason: Optional<'transferred' | 'call_ended' | null>;
}

/** `0012_voicemails.sql`: messages callers left (the flow's voicemail verb, a queue's overflow). */
export interface VoicemailsTable {
  tenant_id: string;
  id: string;
  call_id: string;
  interaction_id: string;
  task_interaction_id: string | null;
  queue_id: string;
  caller: string;
  did: string;
  duration_ms: number;
  file_path: string;
  status: Optional<'new' | 'heard' | 'handled'>;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** `0009_voice_calls.sql`: announcements and music while callers wait in a queue. */
export interface VoiceQueueSettingsTable {
  tenant_id: string;
  queue_id: string;
  announce_interval_sec: Optional<number>;
  announce_position: Optional<boolean>;
  announce_wait: Optional<boolean>;
  music_prompt: Optional<string | null>;
  recording: Optional<'always' | 'on_demand' | 'never'>;
  /** `0013`: the key that asks for a callback while waiting; null: no callback offer. */
  callback_digit: Optional<string | null>;
}

export interface DialPlansTable {
  tenant_id: string;
  allowed_prefixes: Json<string[]>;
  denied_prefixes: Json<string[]>;
  max_concurrent_calls: number;
  max_calls_per_minute: number;
  updated_at: Timestamp;
}

export interface FlowsTable {
  id: string;
  tenant_id: string;
  name: string;
  description: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface FlowVersionsTable {
  tenant_id: string;
  flow_id: string;
  version: number;
  document: Json<unknown>;
  state: 'draft' | 'published' | 'archived';
  created_by: string | null;
  created_at: Timestamp;
  updated_at: Timestamp;
  published_at: NullableTimestamp;
}

export interface FlowSessionsTable {
  id: string;
  tenant_id: string;
  flow_id: string;
  version: number;
  channel: string;
  interaction_id: string | null;
  state: Json<unknown>;
  status: 'running' | 'ended' | 'failed';
  last_action: Json<unknown>;
  created_at: Timestamp;
  updated_at: Timestamp;
  ended_at: NullableTimestamp;
}

/** When a channel timer (a collect timeout) fires for a running session (0007). */
export interface FlowSessionTimersTable {
  tenant_id: string;
  session_id: string;
  due_at: Timestamp;
}

/** A messenger account bound to a flow (0007). */
export interface FlowEntryPointsTable {
  id: string;
  tenant_id: string;
  kind: 'messenger';
  address: string;
  flow_id: string;
  created_at: Timestamp;
  updated_at: Timestamp;
}

/** `0008_knowledge_base.sql`: the articles the flow `faq` verb answers from. */
export interface KbArticlesTable {
  id: string;
  tenant_id: string;
  questions: Json<string[]>;
  keywords: Json<string[]>;
  answer: string;
  language: 'ru' | 'en' | null;
  enabled: boolean;
  created_at: Timestamp;
  updated_at: Timestamp;
}

export interface Database {
  flow_entry_points: FlowEntryPointsTable;
  flow_session_timers: FlowSessionTimersTable;
  flows: FlowsTable;
  flow_versions: FlowVersionsTable;
  flow_sessions: FlowSessionsTable;
  sip_trunks: SipTrunksTable;
  phone_numbers: PhoneNumbersTable;
  dial_plans: DialPlansTable;
  voice_calls: VoiceCallsTable;
  voice_call_agents: VoiceCallAgentsTable;
  voice_queue_settings: VoiceQueueSettingsTable;
  voicemails: VoicemailsTable;
  contacts: ContactsTable;
  contact_identities: ContactIdentitiesTable;
  widget_visitors: WidgetVisitorsTable;
  conversations: ConversationsTable;
  attachments: AttachmentsTable;
  chat_messages: ChatMessagesTable;
  reply_templates: ReplyTemplatesTable;
  widget_settings: WidgetSettingsTable;
  interactions: InteractionsTable;
  interaction_events: InteractionEventsTable;
  routing_decisions: RoutingDecisionsTable;
  agent_presence: AgentPresenceTable;
  agent_state_events: AgentStateEventsTable;
  outbox: OutboxTable;
  tenants: TenantsTable;
  users: UsersTable;
  sessions: SessionsTable;
  api_keys: ApiKeysTable;
  teams: NamedTable;
  skills: NamedTable;
  agent_skills: AgentSkillsTable;
  calendars: CalendarsTable;
  queues: QueuesTable;
  queue_skills: QueueSkillsTable;
  not_ready_reasons: NotReadyReasonsTable;
  disposition_codes: DispositionCodesTable;
  audit_log: AuditLogTable;
  kb_articles: KbArticlesTable;
}
