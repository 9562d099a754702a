-- Voicemail of the native voice flow: whether the transcription arrived (or failed), and when
-- the notification email was queued, so a replayed callback never sends a second email.
ALTER TABLE incidents ADD COLUMN transcription_status TEXT
    CHECK (transcription_status IN ('completed', 'failed'));
ALTER TABLE incidents ADD COLUMN voicemail_emailed_at BIGINT;
