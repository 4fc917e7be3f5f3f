import { Page } from '@/components/ui/page';

import { BackLink } from './back-link';

export function NotFoundScreen({ title, text }: { title: string; text: string }) {
  return (
    <div className="learn-screen">
      <BackLink to="/learn" label="Learn" />
      <Page title={title} intro={text} />
    </div>
  );
}
