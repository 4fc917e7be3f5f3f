import { useMutation } from '@tanstack/react-query';

import { type DeleteConfirmation, deleteMyData, exportMyData } from '@/lib/api';
import { renewSession } from '@/lib/session';
import { readToken } from '@/lib/session-token';

/** What the person types to confirm deletion; sent to the server as the explicit confirmation. */
export const DELETE_CONFIRMATION: DeleteConfirmation = 'DELETE MY DATA';

export function exportFileName(now = new Date()): string {
  return `eaili5-my-data-${now.toISOString().slice(0, 10)}.json`;
}

function downloadJson(data: unknown, fileName: string): void {
  const blob = new Blob([JSON.stringify(data, null, 2)], { type: 'application/json' });
  const url = URL.createObjectURL(blob);
  const link = document.createElement('a');
  link.href = url;
  link.download = fileName;
  document.body.append(link);
  link.click();
  link.remove();
  // Revoked later: some browsers start reading the blob only after click() returns.
  setTimeout(() => {
    URL.revokeObjectURL(url);
  }, 10_000);
}

/** Downloads everything the server stores about the user as one JSON file. */
export function useExportMyData() {
  return useMutation({
    mutationFn: async () => {
      downloadJson(await exportMyData(), exportFileName());
    },
  });
}

/** Deletes the user and all their data; the browser then continues as a brand-new guest. */
export function useDeleteMyData() {
  return useMutation({
    mutationFn: async (confirmation: DeleteConfirmation) => {
      const token = readToken();
      await deleteMyData(confirmation);
      await renewSession(token);
    },
  });
}
