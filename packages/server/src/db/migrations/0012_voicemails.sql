-- Voicemail on phone calls (issue 7): a message a caller left, either in the flow (the `voicemail`
-- verb) or when a queue overflowed to voicemail. The audio is a mono 8 kHz WAV under the voicemail
-- directory (`HOTLINE_DATA_DIR/voicemail`); `file_path` is relative to it, like recordings. An agent
-- gets it as a `task` interaction in the mailbox's queue (`task_interaction_id`), through the router.
CREATE TABLE voicemails (
  tenant_id           uuid NOT NULL REFERENCES tenants (id) ON DELETE CASCADE,
  id                  uuid NOT NULL,
  -- The phone call it was left on (the CDR row) and that call's interaction (ended as `voicemail`).
  call_id             uuid NOT NULL,
  interaction_id      uuid NOT NULL,
  -- The task that brings it to an agent. Null while the message is being recorded (the row is written
  -- when recording starts, so a crash cannot lose it): such rows are no messages yet for the API, and
  -- the next start delivers them from their files (`VoicemailService.recover`).
  task_interaction_id uuid,
  -- The mailbox: the queue whose agents handle it.
  queue_id            uuid NOT NULL,
  -- The caller (E.164 when it parsed, else as sent) and the tenant's number they dialled.
  caller              text NOT NULL,
  did                 text NOT NULL,
  -- 0 until the recording ends.
  duration_ms         integer NOT NULL CHECK (duration_ms >= 0),
  file_path           text NOT NULL,
  status              text NOT NULL DEFAULT 'new' CHECK (status IN ('new', 'heard', 'handled')),
  created_at          timestamptz NOT NULL,
  updated_at          timestamptz NOT NULL,
  PRIMARY KEY (tenant_id, id),
  -- One message per call.
  UNIQUE (tenant_id, call_id),
  FOREIGN KEY (tenant_id, call_id) REFERENCES voice_calls (tenant_id, id),
  FOREIGN KEY (tenant_id, interaction_id) REFERENCES interactions (tenant_id, id),
  FOREIGN KEY (tenant_id, task_interaction_id) REFERENCES interactions (tenant_id, id),
  FOREIGN KEY (tenant_id, queue_id) REFERENCES queues (tenant_id, id)
);
CREATE INDEX voicemails_created_idx ON voicemails (tenant_id, created_at DESC);
CREATE INDEX voicemails_queue_idx ON voicemails (tenant_id, queue_id, created_at DESC);
CREATE INDEX voicemails_task_idx ON voicemails (tenant_id, task_interaction_id);
