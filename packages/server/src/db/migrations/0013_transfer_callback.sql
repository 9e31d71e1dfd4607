-- Outbound legs of phone calls (issue 7): transfer to an external number (flow verb, queue overflow)
-- and callbacks (the caller presses a key in the queue, keeps their place and is called back through
-- the trunk once an agent takes it).

-- The external number a call was connected to, and when that number answered.
ALTER TABLE voice_calls ADD COLUMN transferred_to text;
ALTER TABLE voice_calls ADD COLUMN transferred_at timestamptz;
-- A callback's outbound call: the interaction it serves is the original call's (one interaction, two
-- voice_calls rows). Who hung up may now also be the external party of a transfer.
ALTER TABLE voice_calls DROP CONSTRAINT voice_calls_hangup_side_check;
ALTER TABLE voice_calls
  ADD CONSTRAINT voice_calls_hangup_side_check CHECK (hangup_side IN ('caller', 'system', 'agent', 'external'));

-- The key that asks for a callback while waiting in this queue (announced with the position and
-- wait); null: no callback offer.
ALTER TABLE voice_queue_settings
  ADD COLUMN callback_digit text CHECK (callback_digit IN ('0', '1', '2', '3', '4', '5', '6', '7', '8', '9', '*', '#'));
