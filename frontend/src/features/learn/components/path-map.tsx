import { Link } from 'react-router';

import { type LearnPath } from '@/lib/api';

import { nextLessonOf } from '../hooks/lesson-states';
import { ProgressRing } from './progress-ring';

/** The paths in order, each a link to its lessons with a ring of how many are done. */
export function PathMap({ paths }: { paths: readonly LearnPath[] }) {
  return (
    <section className="learn-section" aria-labelledby="learn-paths-title">
      <h2 id="learn-paths-title" className="learn-section__title">
        Paths
      </h2>
      <ol className="learn-paths">
        {paths.map((path, index) => {
          const next = nextLessonOf(path.lessons);
          return (
            <li key={path.id}>
              <Link to={`/learn/paths/${path.id}`} className="learn-path" data-testid="learn-path">
                <ProgressRing done={path.completed} total={path.total} />
                <span className="learn-path__text">
                  <span className="learn-path__title">
                    <span className="visually-hidden">Path {index + 1}: </span>
                    {path.title}
                  </span>
                  <span className="learn-path__meta" data-testid="path-progress">
                    {path.completed} of {path.total} lessons done
                  </span>
                  {next && <span className="learn-path__next">Next: {next.title}</span>}
                </span>
              </Link>
            </li>
          );
        })}
      </ol>
    </section>
  );
}
