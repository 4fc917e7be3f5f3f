import { type ChatTurn } from '../api/chat-state';
import { isActive } from '../api/reply';
import { AssistantReply } from './assistant-reply';

export interface ChatLogProps {
  turns: readonly ChatTurn[];
  busy: boolean;
  onRegenerate: (key: string) => void;
  onSimpler: (key: string) => void;
  onAsk: (question: string) => void;
}

/** The conversation: each question (the person's bubble, as plain text) and its answer. */
export function ChatLog({ turns, busy, onRegenerate, onSimpler, onAsk }: ChatLogProps) {
  const lastKey = turns.at(-1)?.key;
  return (
    <ol className="chat-log" aria-label="Conversation">
      {turns.map((turn) => (
        <li key={turn.key} className="chat-turn">
          <div className="chat-question">
            {turn.note && <p className="chat-question__note">{turn.note}</p>}
            {turn.context?.token_address && <p className="chat-question__note">Asked from a token page</p>}
            <p className="chat-question__text">
              <span className="visually-hidden">You asked: </span>
              {turn.question}
            </p>
          </div>
          <AssistantReply
            reply={turn.reply}
            level={turn.level}
            latest={turn.key === lastKey}
            busy={busy && !isActive(turn.reply)}
            onRegenerate={() => {
              onRegenerate(turn.key);
            }}
            onSimpler={() => {
              onSimpler(turn.key);
            }}
            onAsk={onAsk}
          />
        </li>
      ))}
    </ol>
  );
}
