import { Route, Routes } from 'react-router';

import { BadgesPage } from './badges-page';
import { LeaderboardPage } from './leaderboard-page';
import { LearnHome } from './learn-home';
import { LessonPage } from './lesson-page';
import { NotFoundScreen } from './not-found-screen';
import { PathPage } from './path-page';
import { QuizPage } from './quiz-page';
import { ReviewPage } from './review-page';
import './learn.css';

/** The Learn tab and its screens, routed below /learn so the app router needs one entry. */
export function LearnPage() {
  return (
    <Routes>
      <Route index element={<LearnHome />} />
      <Route path="paths/:pathId" element={<PathPage />} />
      <Route path="lessons/:lessonId" element={<LessonPage />} />
      <Route path="lessons/:lessonId/quiz" element={<QuizPage />} />
      <Route path="review" element={<ReviewPage />} />
      <Route path="badges" element={<BadgesPage />} />
      <Route path="leaderboard" element={<LeaderboardPage />} />
      <Route path="*" element={<NotFoundScreen title="Not found" text="There is nothing here in Learn." />} />
    </Routes>
  );
}
