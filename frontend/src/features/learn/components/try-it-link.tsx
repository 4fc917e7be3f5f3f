import { LinkButton } from '@/components/ui/link-button';
import { type TryIt } from '@/lib/api';

import { useTokenAddress } from '../api/token-address';
import { tryItHref } from '../hooks/try-it';

const KIND_NOTE: Record<TryIt['kind'], string> = {
  ask: 'Ask the tutor',
  token: 'Look at a real token',
  trade: 'Practise with play money',
};

export function TryItLink({ tryIt }: { tryIt: TryIt }) {
  const needsToken = tryIt.kind !== 'ask';
  const address = useTokenAddress(needsToken ? tryIt.symbol : null, tryIt.token_address);
  return (
    <div className="learn-try">
      <p className="learn-try__note">Try it · {KIND_NOTE[tryIt.kind]}</p>
      <LinkButton to={tryItHref(tryIt, needsToken ? address : null)} variant="secondary" data-testid="try-it">
        {tryIt.label}
      </LinkButton>
    </div>
  );
}
