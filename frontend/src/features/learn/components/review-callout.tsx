import { Card } from '@/components/ui/card';
import { LinkButton } from '@/components/ui/link-button';
import { formatCount } from '@/lib/format';

/** Today's review on the Learn page: how many cards wait, and the way in. */
export function ReviewCallout({ due }: { due: number | undefined }) {
  return (
    <Card className="learn-callout">
      <div>
        <h2 className="learn-callout__title">Daily review</h2>
        <p className="learn-callout__text" data-testid="reviews-due">
          {due === undefined
            ? 'Questions you missed come back here.'
            : due === 0
              ? 'Nothing to review right now. Missed questions come back here.'
              : `${formatCount(due)} ${due === 1 ? 'card is' : 'cards are'} ready for you.`}
        </p>
      </div>
      <LinkButton to="/learn/review" variant={due ? 'primary' : 'secondary'}>
        {due ? 'Start review' : 'Open review'}
      </LinkButton>
    </Card>
  );
}
