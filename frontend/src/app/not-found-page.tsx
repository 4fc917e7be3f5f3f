import { Link } from 'react-router';

import { Page } from '@/components/ui/page';

import { DEFAULT_TAB_PATH } from './layout/tabs';

export function NotFoundPage() {
  return (
    <Page title="Page not found" intro="This page does not exist. It may have moved, or the link has a typo.">
      <p>
        <Link to={DEFAULT_TAB_PATH}>Go to Chat</Link>
      </p>
    </Page>
  );
}
