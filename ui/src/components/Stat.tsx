import type { ReactNode } from 'react';
import type { Tone } from './Badge.tsx';

export interface StatProps {
  label: ReactNode;
  /** Already formatted (lib/format.ts): `1.52k`, `3.4 MiB`, `12.5%`. */
  value: ReactNode;
  /** A unit shown smaller after the value: `ev/s`. */
  unit?: ReactNode;
  /** A line under the value: a comparison, a total, a trend. */
  hint?: ReactNode;
  /** Colors the value when it means trouble (`bad`) or needs attention (`warn`). */
  tone?: Tone;
}

/** One number with its label: the building block of summary rows. */
export function Stat({ label, value, unit, hint, tone = 'neutral' }: StatProps) {
  return (
    <div className={`stat stat-${tone}`}>
      <div className="stat-label">{label}</div>
      <div className="stat-value num">
        {value}
        {unit !== undefined && <span className="stat-unit"> {unit}</span>}
      </div>
      {hint !== undefined && <div className="stat-hint">{hint}</div>}
    </div>
  );
}
