import './segmented.css';

export interface SegmentedOption<T extends string> {
  value: T;
  label: string;
  /** A tooltip. */
  title?: string;
}

/**
 * A row of mutually exclusive buttons (a time window, an order, a view): each is a toggle button with
 * `aria-pressed`, inside a labelled group, so it works with Tab and Space/Enter like any button.
 */
export function Segmented<T extends string>({
  label,
  options,
  value,
  onChange,
  size = 'md',
}: {
  /** Names the group for screen readers. */
  label: string;
  options: readonly SegmentedOption<T>[];
  value: T;
  onChange: (value: T) => void;
  size?: 'sm' | 'md';
}) {
  return (
    <div className={size === 'sm' ? 'segmented segmented-sm' : 'segmented'} role="group" aria-label={label}>
      {options.map((option) => (
        <button
          key={option.value}
          type="button"
          className={option.value === value ? 'segment segment-on' : 'segment'}
          aria-pressed={option.value === value}
          title={option.title}
          onClick={() => onChange(option.value)}
        >
          {option.label}
        </button>
      ))}
    </div>
  );
}
