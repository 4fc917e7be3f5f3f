import { useId, useState } from 'react';

import { Button } from '@/components/ui/button';
import { Card } from '@/components/ui/card';
import { describeError } from '@/lib/api';

import { DELETE_CONFIRMATION, useDeleteMyData, useExportMyData } from '../api/my-data';
import './my-data-card.css';

function ExportMyData() {
  const exportData = useExportMyData();
  return (
    <div className="my-data-card__part">
      <p>Download everything we store about you (account, progress, practice trades, chats) as one JSON file.</p>
      <Button
        variant="secondary"
        disabled={exportData.isPending}
        onClick={() => {
          exportData.mutate();
        }}
      >
        {exportData.isPending ? 'Preparing your file…' : 'Export my data'}
      </Button>
      {exportData.isSuccess && <p role="status">Your file is downloading.</p>}
      {exportData.isError && (
        <p role="alert" className="my-data-card__alert">
          {describeError(exportData.error)}
        </p>
      )}
    </div>
  );
}

function DeleteMyData({ signedIn }: { signedIn: boolean }) {
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const deleteData = useDeleteMyData();
  const inputId = useId();
  const hintId = useId();
  const confirmed = typed.trim().toUpperCase() === DELETE_CONFIRMATION;

  if (deleteData.isSuccess) {
    return (
      <p role="status" className="my-data-card__part">
        Your data was deleted. You are starting again as a new guest.
      </p>
    );
  }
  if (!open) {
    return (
      <div className="my-data-card__part">
        <Button
          variant="secondary"
          className="my-data-card__danger"
          onClick={() => {
            setOpen(true);
          }}
        >
          Delete my data
        </Button>
      </div>
    );
  }
  return (
    <form
      className="my-data-card__part my-data-card__confirm"
      onSubmit={(event) => {
        event.preventDefault();
        if (confirmed) deleteData.mutate(DELETE_CONFIRMATION);
      }}
    >
      <p id={hintId}>
        This deletes your account and everything in it: progress, XP, practice portfolio, chats
        {signedIn ? ' and every session of this wallet' : ''}. It cannot be undone.
      </p>
      <label htmlFor={inputId} className="my-data-card__label">
        Type {DELETE_CONFIRMATION} to confirm
      </label>
      <input
        id={inputId}
        className="my-data-card__input"
        value={typed}
        autoComplete="off"
        autoCapitalize="characters"
        spellCheck={false}
        aria-describedby={hintId}
        onChange={(event) => {
          setTyped(event.target.value);
        }}
      />
      <div className="my-data-card__buttons">
        <Button type="submit" className="my-data-card__danger-solid" disabled={!confirmed || deleteData.isPending}>
          {deleteData.isPending ? 'Deleting…' : 'Delete everything'}
        </Button>
        <Button
          variant="ghost"
          onClick={() => {
            setOpen(false);
            setTyped('');
          }}
        >
          Cancel
        </Button>
      </div>
      {deleteData.isError && (
        <p role="alert" className="my-data-card__alert">
          {describeError(deleteData.error)}
        </p>
      )}
    </form>
  );
}

/** The person's own data: take a copy, or remove it all. */
export function MyDataCard({ userId, signedIn }: { userId: string; signedIn: boolean }) {
  const headingId = useId();
  return (
    <Card className="my-data-card" role="region" aria-labelledby={headingId}>
      <h2 id={headingId}>Your data</h2>
      {/* Keyed by user: a finished export of the previous user must not show after signing out. */}
      <ExportMyData key={userId} />
      <DeleteMyData signedIn={signedIn} />
    </Card>
  );
}
