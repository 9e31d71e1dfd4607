import { attachmentTypes, MAX_ATTACHMENT_BYTES, MAX_MESSAGE_CHARS } from '@hotline/protocol/chat';
import { describe, expect, it } from 'vitest';
import { defaultLimits } from './limits';

describe('defaultLimits', () => {
  it('are the protocol limits (copied so that zod stays out of the bundle)', () => {
    expect(defaultLimits).toEqual({
      maxMessageChars: MAX_MESSAGE_CHARS,
      maxAttachmentBytes: MAX_ATTACHMENT_BYTES,
      attachmentTypes: [...attachmentTypes],
    });
  });
});
