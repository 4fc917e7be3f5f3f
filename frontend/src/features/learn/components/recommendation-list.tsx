import { Link } from 'react-router';

import { type Recommendation } from '@/lib/api';

const KIND_LABEL: Record<Recommendation['kind'], string> = {
  next_lesson: 'Next up',
  weak_topic: 'Go over again',
  hint: 'After your practice',
};

/** Where a recommendation leads: its lesson, else its path, else nowhere (the reason is the tip). */
function target(item: Recommendation): { to: string; label: string } | null {
  if (item.lesson) return { to: `/learn/lessons/${item.lesson.id}`, label: item.lesson.title };
  if (item.path) return { to: `/learn/paths/${item.path.id}`, label: item.path.title };
  return null;
}

/** Suggestions from the server: the next lesson, weak topics from quizzes, hints after trades. */
export function RecommendationList({ items }: { items: readonly Recommendation[] }) {
  if (items.length === 0) return null;
  return (
    <section className="learn-section" aria-labelledby="learn-recs-title">
      <h2 id="learn-recs-title" className="learn-section__title">
        For you
      </h2>
      <ul className="learn-recs">
        {items.slice(0, 4).map((item, index) => {
          const to = target(item);
          return (
            <li key={`${item.kind}-${to?.to ?? index}`} className={`learn-rec learn-rec--${item.kind}`}>
              <span className="learn-rec__kind">{KIND_LABEL[item.kind]}</span>
              {to ? (
                <Link to={to.to} className="learn-rec__link">
                  {to.label}
                </Link>
              ) : null}
              <span className="learn-rec__reason">{item.reason}</span>
            </li>
          );
        })}
      </ul>
    </section>
  );
}
