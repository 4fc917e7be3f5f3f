import { useState } from 'react';
import { screen, waitFor, within } from '@testing-library/react';
import userEvent from '@testing-library/user-event';
import { describe, expect, it, vi } from 'vitest';

import { renderWithProviders } from '@/test/render';

import { type GlossaryLink } from './glossary-links';
import { GlossaryText } from './glossary-text';
import { TermDialog, type TermDefinition } from './term-dialog';

const TERMS: GlossaryLink[] = [
  { id: 'wallet', term: 'wallet', aliases: ['crypto wallet'] },
  { id: 'seed-phrase', term: 'seed phrase' },
];

function Reader({ fetchTerm }: { fetchTerm: (id: string, signal: AbortSignal) => Promise<TermDefinition> }) {
  const [open, setOpen] = useState<GlossaryLink | null>(null);
  return (
    <>
      <p>
        <GlossaryText text="Your wallet keeps a seed phrase. A wallet is not a bank." terms={TERMS} onOpen={setOpen} />
      </p>
      {open && (
        <TermDialog
          term={open}
          fetchTerm={fetchTerm}
          onClose={() => {
            setOpen(null);
          }}
        />
      )}
    </>
  );
}

describe('GlossaryText', () => {
  it('turns the first use of each term into a button and keeps the sentence', () => {
    renderWithProviders(<GlossaryText text="A wallet, a wallet, a seed phrase." terms={TERMS} onOpen={vi.fn()} />);
    expect(screen.getAllByRole('button').map((button) => button.textContent)).toEqual(['wallet', 'seed phrase']);
    expect(document.body.textContent).toBe('A wallet, a wallet, a seed phrase.');
  });

  it('tells the caller which term was tapped', async () => {
    const onOpen = vi.fn();
    renderWithProviders(<GlossaryText text="Keep your seed phrase safe." terms={TERMS} onOpen={onOpen} />);
    await userEvent.click(screen.getByRole('button', { name: 'seed phrase' }));
    expect(onOpen).toHaveBeenCalledWith(TERMS[1]);
  });
});

describe('TermDialog', () => {
  it('opens from the keyboard, shows the fetched definition and gives focus back on close', async () => {
    const fetchTerm = vi.fn((id: string) =>
      Promise.resolve({ term: id, definition: 'An app that holds your keys.', review_card: true }),
    );
    renderWithProviders(<Reader fetchTerm={fetchTerm} />);
    const word = screen.getByRole('button', { name: 'wallet' });
    word.focus();
    await userEvent.keyboard('{Enter}');
    const dialog = await screen.findByRole('dialog', { name: 'wallet' });
    expect(dialog).toHaveTextContent('An app that holds your keys.');
    expect(dialog).toHaveTextContent('added this word to your daily review');
    expect(fetchTerm).toHaveBeenCalledWith('wallet', expect.any(AbortSignal));
    await userEvent.click(screen.getByRole('button', { name: 'Close' }));
    await waitFor(() => {
      expect(screen.queryByRole('dialog')).not.toBeInTheDocument();
    });
    expect(word).toHaveFocus();
  });

  it('explains a failed load and retries', async () => {
    const fetchTerm = vi
      .fn<(id: string, signal: AbortSignal) => Promise<TermDefinition>>()
      .mockRejectedValueOnce(new Error('offline'))
      .mockResolvedValueOnce({ term: 'seed phrase', definition: 'Your secret backup words.' });
    renderWithProviders(<Reader fetchTerm={fetchTerm} />);
    await userEvent.click(screen.getByRole('button', { name: 'seed phrase' }));
    const alert = await screen.findByRole('alert');
    await userEvent.click(within(alert).getByRole('button', { name: 'Retry' }));
    expect(await screen.findByText('Your secret backup words.')).toBeInTheDocument();
  });
});
