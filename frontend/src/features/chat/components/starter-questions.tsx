import { useId } from 'react';

const STARTER_QUESTIONS = [
  'What is a wallet?',
  'Why do I pay gas on Base?',
  'What makes a token risky?',
  'Someone wants my seed phrase. Is that OK?',
] as const;

/** On an empty chat: questions people start with, one tap to ask. */
export function StarterQuestions({ onAsk, disabled }: { onAsk: (question: string) => void; disabled: boolean }) {
  const titleId = useId();
  return (
    <section className="chat-starters" aria-labelledby={titleId}>
      <h2 id={titleId} className="chat-starters__title">
        New here? Try one of these
      </h2>
      <ul className="chat-chips chat-chips--column">
        {STARTER_QUESTIONS.map((question) => (
          <li key={question}>
            <button
              type="button"
              className="chat-chip chat-chip--question"
              disabled={disabled}
              onClick={() => {
                onAsk(question);
              }}
            >
              {question}
            </button>
          </li>
        ))}
      </ul>
      <p className="chat-disclaimer">The tutor teaches; it never tells you what to buy or sell.</p>
    </section>
  );
}
