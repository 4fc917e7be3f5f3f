import { useId } from 'react';

import { ComingSoon, Page } from '@/components/ui/page';

import './chat-page.css';

const EXAMPLE_QUESTIONS = ['What is a wallet?', 'Why do I pay gas on Base?', 'What makes a token risky?'] as const;

const COMING = [
  'Pick how you want answers: ELI5, Simple or Pro',
  'Sources for every answer, and ideas for what to ask next',
  'A Stop button that really stops, and replies that survive a refresh',
] as const;

export function ChatPage() {
  const examplesTitleId = useId();
  return (
    <Page title="Chat" intro="Ask anything about crypto in simple words — answers stream in, with sources.">
      <section className="chat-examples" aria-labelledby={examplesTitleId}>
        <h2 id={examplesTitleId} className="chat-examples__title">
          Questions people start with
        </h2>
        <ul className="chat-examples__list">
          {EXAMPLE_QUESTIONS.map((question) => (
            <li key={question} className="chat-examples__item">
              {question}
            </li>
          ))}
        </ul>
      </section>
      <ComingSoon items={COMING} />
      <p className="chat-disclaimer">The tutor teaches; it never tells you what to buy or sell.</p>
    </Page>
  );
}
