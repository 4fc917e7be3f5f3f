import { useId } from 'react';

import { SegmentedControl } from '@/components/ui/segmented-control';
import { type ReadingLevel } from '@/lib/api';

import { LEVEL_HINTS, LEVEL_OPTIONS } from '../api/levels';

/** ELI5 / Simple / Pro: how simply the tutor explains. Saved in the user's preferences. */
export function LevelToggle({ level, onChange }: { level: ReadingLevel; onChange: (level: ReadingLevel) => void }) {
  const hintId = useId();
  return (
    <div className="chat-level">
      <SegmentedControl label="Reading level" options={LEVEL_OPTIONS} value={level} onChange={onChange} fill />
      <p id={hintId} className="chat-level__hint" aria-live="polite">
        {LEVEL_HINTS[level]}
      </p>
    </div>
  );
}
