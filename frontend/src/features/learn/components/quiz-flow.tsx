import { useReducer } from 'react';

import { Button } from '@/components/ui/button';
import { ApiError, describeError, type Lesson, type LessonCompletion } from '@/lib/api';

import { useAnswerQuiz } from '../api/answer-quiz';
import { currentQuestion, quizReducer, startQuiz } from '../hooks/quiz-state';
import { AnswerFeedback } from './answer-feedback';
import { BackLink } from './back-link';
import { QuestionForm } from './question-form';
import { QuizResults } from './quiz-results';

/** One question at a time; each answer goes to the server and comes back graded with explanations. */
export function QuizFlow({ lesson, completion }: { lesson: Lesson; completion: LessonCompletion | null }) {
  const [state, dispatch] = useReducer(quizReducer, lesson, startQuiz);
  const answer = useAnswerQuiz();
  const question = currentQuestion(state);
  const restart = () => {
    answer.reset();
    dispatch({ type: 'restart', lesson });
  };

  if (state.phase === 'finished' || !question) {
    return <QuizResults lesson={lesson} quiz={state} completion={completion} onRetry={restart} />;
  }

  const submit = () => {
    answer.mutate(
      { lessonId: lesson.id, attemptId: state.attemptId, questionId: question.id, optionIds: state.selection },
      {
        onSuccess: (response) => {
          dispatch({ type: 'graded', response });
        },
      },
    );
  };
  const number = state.answeredBefore + state.index + 1;
  const total = lesson.quiz.length;
  const isLast = state.index + 1 >= state.questions.length;
  // 409: the attempt was finished, or this question answered, elsewhere (another tab): start over.
  const conflict = answer.error instanceof ApiError && answer.error.status === 409;

  return (
    <div className="learn-screen learn-quiz">
      <BackLink to={`/learn/lessons/${lesson.id}`} label="Back to the lesson" />
      <header className="learn-reader__header">
        <h1 className="learn-reader__title" tabIndex={-1} data-page-heading="">
          Quiz: {lesson.title}
        </h1>
        <p className="learn-muted" data-testid="quiz-position">
          Question {number} of {total}
        </p>
      </header>
      <div className="learn-quiz__bar" aria-hidden="true">
        <span
          style={{
            width: `${Math.round((100 * (number - (state.phase === 'feedback' ? 0 : 1))) / Math.max(total, 1))}%`,
          }}
        />
      </div>
      <QuestionForm
        key={question.id}
        question={question}
        selection={state.selection}
        onSelect={(optionId) => {
          dispatch({ type: 'select', optionId });
        }}
        onSubmit={submit}
        submitting={answer.isPending}
        locked={state.phase === 'feedback'}
      />
      {answer.isError && (
        <div role="alert" className="learn-alert">
          <p>
            {conflict ? 'This quiz was already finished or answered in another window.' : describeError(answer.error)}
          </p>
          {conflict ? (
            <Button variant="secondary" onClick={restart}>
              Start the quiz again
            </Button>
          ) : (
            <Button variant="secondary" onClick={submit}>
              Retry
            </Button>
          )}
        </div>
      )}
      {state.feedback && (
        <>
          <AnswerFeedback graded={state.feedback} />
          <Button
            className="learn-quiz__next"
            onClick={() => {
              dispatch({ type: 'next' });
            }}
            data-testid="next-question"
          >
            {isLast || state.result ? 'See my results' : 'Next question'}
          </Button>
        </>
      )}
    </div>
  );
}
