-- Call recording per queue (issue 7): when a caller of this queue is bridged to an agent, record the
-- conversation always (the default), only when the agent presses "Record" (on_demand), or never.
ALTER TABLE voice_queue_settings
  ADD COLUMN recording text NOT NULL DEFAULT 'always' CHECK (recording IN ('always', 'on_demand', 'never'));
