import { render, screen } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { safeHref } from '../api/safe-url';
import { SafeMarkdown } from './safe-markdown';

function renderMarkdown(text: string) {
  return render(<SafeMarkdown text={text} />).container;
}

describe('SafeMarkdown', () => {
  it('renders the markdown the tutor uses: paragraphs, bold, lists', () => {
    const container = renderMarkdown('Gas is a **small fee**.\n\nKey points:\n- one\n- two\n\n1. first\n2. second');
    expect(container.querySelector('strong')?.textContent).toBe('small fee');
    expect(container.querySelectorAll('ul li')).toHaveLength(2);
    expect(container.querySelectorAll('ol li')).toHaveLength(2);
  });

  it('shows raw HTML as text and never creates its elements', () => {
    const container = renderMarkdown(
      'Look <img src=x onerror="window.hacked=1"> here\n\n<script>alert(1)</script>\n\n<b>bold?</b>',
    );
    expect(container.querySelector('img')).toBeNull();
    expect(container.querySelector('script')).toBeNull();
    expect(container.querySelector('b')).toBeNull();
    expect(container.textContent).toContain('<img src=x onerror="window.hacked=1">');
    expect(container.textContent).toContain('<script>alert(1)</script>');
    expect((window as unknown as { hacked?: number }).hacked).toBeUndefined();
  });

  it('turns images into links (no picture loads by itself)', () => {
    const container = renderMarkdown('![a chart](https://example.com/chart.png)');
    expect(container.querySelector('img')).toBeNull();
    expect(screen.getByRole('link', { name: '[image: a chart]' })).toHaveAttribute(
      'href',
      'https://example.com/chart.png',
    );
  });

  it('opens http(s) links in a new tab without opener or referrer, and refuses other schemes', () => {
    const container = renderMarkdown(
      '[Base docs](https://docs.base.org) [bad](javascript:alert(1)) [data](data:text/html,hi) https://ethereum.org',
    );
    const links = container.querySelectorAll('a');
    expect(links).toHaveLength(2);
    for (const link of links) {
      expect(link).toHaveAttribute('target', '_blank');
      expect(link).toHaveAttribute('rel', 'noopener noreferrer nofollow');
      expect(link.getAttribute('href')).toMatch(/^https:\/\//);
    }
    expect(container.textContent).toContain('bad');
    expect(container.textContent).toContain('data');
  });

  it('keeps code as text', () => {
    const container = renderMarkdown('Use `<b>` tags?\n\n```\n<iframe src="x"></iframe>\n```');
    expect(container.querySelector('iframe')).toBeNull();
    expect(container.querySelector('pre code')?.textContent).toBe('<iframe src="x"></iframe>');
    expect(container.querySelector('p code')?.textContent).toBe('<b>');
  });

  it('renders half-written markdown while streaming without losing text', () => {
    const container = renderMarkdown('This is **import');
    expect(container.textContent).toBe('This is **import');
  });
});

describe('SafeMarkdown glossary words', () => {
  it('makes the first use of each glossary word a button, never inside a link', async () => {
    const onOpen = vi.fn();
    const terms = [
      { id: 'gas', term: 'gas', aliases: ['gas fee'] },
      { id: 'wallet', term: 'wallet' },
    ];
    render(
      <SafeMarkdown
        text={'Gas is a small fee. You pay gas from your **wallet**.\n\n[wallet guide](https://ethereum.org/wallets)'}
        glossary={{ terms, onOpen }}
      />,
    );
    const buttons = screen.getAllByRole('button');
    expect(buttons.map((button) => button.textContent)).toEqual(['Gas', 'wallet']);
    expect(screen.getByRole('link', { name: 'wallet guide' }).querySelector('button')).toBeNull();
    await userEvent.click(buttons[0]!);
    expect(onOpen).toHaveBeenCalledWith(terms[0]);
  });
});

describe('safeHref', () => {
  it('allows only http and https', () => {
    expect(safeHref('https://docs.base.org/x?y=1')).toBe('https://docs.base.org/x?y=1');
    expect(safeHref('http://example.com')).toBe('http://example.com/');
    expect(safeHref('javascript:alert(1)')).toBeNull();
    expect(safeHref(' JAVASCRIPT:alert(1)')).toBeNull();
    expect(safeHref('data:text/html,x')).toBeNull();
    expect(safeHref('/relative')).toBeNull();
    expect(safeHref('https://bank.com@evil.example')).toBeNull();
    expect(safeHref(null)).toBeNull();
  });
});
