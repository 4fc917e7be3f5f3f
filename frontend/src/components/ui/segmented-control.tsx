import './segmented-control.css';

export interface SegmentedOption<T extends string> {
  value: T;
  label: string;
}

export interface SegmentedControlProps<T extends string> {
  /** Names the group for screen readers, e.g. "Sort by". */
  label: string;
  options: readonly SegmentedOption<T>[];
  value: T;
  onChange: (value: T) => void;
  /** Stretch the options to fill the row instead of scrolling sideways when they do not fit. */
  fill?: boolean;
}

/**
 * One choice out of a few, as a row of toggle buttons. On a narrow phone the row scrolls sideways
 * rather than wrapping, so it keeps a single line.
 */
export function SegmentedControl<T extends string>({
  label,
  options,
  value,
  onChange,
  fill,
}: SegmentedControlProps<T>) {
  return (
    <div className={`ui-segmented${fill ? ' ui-segmented--fill' : ''}`} role="group" aria-label={label}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          className="ui-segmented__option"
          aria-pressed={option.value === value}
          onClick={() => {
            onChange(option.value);
          }}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
