/**
 * The answer still arriving, remembered for this tab (sessionStorage), so a reload mid-answer can
 * reopen the conversation and `chat.resume` it from the start of its buffer. Storage may be
 * blocked in some webviews: then a reload simply shows the question without its answer.
 */
export interface PendingReply {
  conversationId: string;
  messageId: string;
}

const KEY = 'eaili5.chat.pending';

export function readPendingReply(): PendingReply | null {
  try {
    const raw = window.sessionStorage.getItem(KEY);
    if (!raw) return null;
    const value = JSON.parse(raw) as Partial<PendingReply>;
    return typeof value.conversationId === 'string' && typeof value.messageId === 'string'
      ? { conversationId: value.conversationId, messageId: value.messageId }
      : null;
  } catch {
    return null;
  }
}

export function writePendingReply(pending: PendingReply | null): void {
  try {
    if (pending) window.sessionStorage.setItem(KEY, JSON.stringify(pending));
    else window.sessionStorage.removeItem(KEY);
  } catch {
    // Storage blocked: nothing to remember across a reload.
  }
}
