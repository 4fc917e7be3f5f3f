import './token-avatar.css';

/** The first letter of the symbol in a circle: logos are not vetted yet, and many are missing. */
export function TokenAvatar({ symbol, size = 'md' }: { symbol: string; size?: 'md' | 'lg' }) {
  const letter =
    symbol
      .replace(/[^a-z0-9]/gi, '')
      .charAt(0)
      .toUpperCase() || '?';
  return (
    <span className={`token-avatar token-avatar--${size}`} aria-hidden="true">
      {letter}
    </span>
  );
}
