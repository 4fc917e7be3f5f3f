import { type SyntheticEvent, useId } from 'react';

import { Button } from '@/components/ui/button';
import { type QuizQuestion } from '@/lib/api';

const KIND_HINT: Record<QuizQuestion['kind'], string> = {
  single: 'Pick one answer.',
  multiple: 'Pick every answer that is right.',
  true_false: 'True or false?',
};

export interface QuestionFormProps {
  question: Pick<QuizQuestion, 'id' | 'kind' | 'prompt' | 'options'>;
  selection: readonly string[];
  onSelect: (optionId: string) => void;
  onSubmit: () => void;
  submitting: boolean;
  /** After grading the choices stay visible but cannot change. */
  locked: boolean;
  submitLabel?: string;
}

/**
 * A question as a native fieldset: radios for one answer, checkboxes for several, so arrow keys,
 * Space and screen readers work as they do everywhere else.
 */
export function QuestionForm({
  question,
  selection,
  onSelect,
  onSubmit,
  submitting,
  locked,
  submitLabel = 'Check my answer',
}: QuestionFormProps) {
  const name = useId();
  const hintId = useId();
  const inputType = question.kind === 'multiple' ? 'checkbox' : 'radio';
  const submit = (event: SyntheticEvent) => {
    event.preventDefault();
    if (!locked && !submitting && selection.length > 0) onSubmit();
  };
  return (
    <form className="learn-question" onSubmit={submit} data-testid="question">
      <fieldset className="learn-question__fieldset" disabled={locked} aria-describedby={hintId}>
        <legend className="learn-question__prompt">{question.prompt}</legend>
        <p id={hintId} className="learn-question__hint">
          {KIND_HINT[question.kind]}
        </p>
        <div className="learn-options">
          {question.options.map((option) => (
            <label key={option.id} className="learn-option">
              <input
                type={inputType}
                name={name}
                value={option.id}
                checked={selection.includes(option.id)}
                onChange={() => {
                  onSelect(option.id);
                }}
              />
              <span>{option.text}</span>
            </label>
          ))}
        </div>
      </fieldset>
      {!locked && (
        <Button type="submit" disabled={submitting || selection.length === 0} data-testid="check-answer">
          {submitting ? 'Checking…' : submitLabel}
        </Button>
      )}
    </form>
  );
}
