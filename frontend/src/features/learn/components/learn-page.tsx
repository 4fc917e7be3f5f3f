import { Card } from '@/components/ui/card';
import { ComingSoon, Page } from '@/components/ui/page';

const COMING = [
  'Paths of short lessons, from “What is money on the internet?” to using Base',
  'A quiz after each lesson that explains every answer, right or wrong',
  'XP, streaks and badges, with progress you can see for each path',
  'Questions you missed come back later, so they stick',
] as const;

export function LearnPage() {
  return (
    <Page title="Learn" intro="Learn step by step: paths of short lessons, each with a quick quiz.">
      <Card>
        <h2>Five minutes a lesson</h2>
        <p>Each lesson is a few short cards and a quiz. No wallet and no money needed.</p>
      </Card>
      <ComingSoon items={COMING} />
    </Page>
  );
}
