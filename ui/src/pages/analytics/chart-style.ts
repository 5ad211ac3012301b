/** Recharts props shared by the Analytics charts, in the theme's tokens so both themes work. */
import type { CSSProperties } from 'react';

export const SERIES_COLORS = [
  'var(--chart-1)',
  'var(--chart-2)',
  'var(--chart-3)',
  'var(--chart-4)',
  'var(--chart-5)',
  'var(--chart-6)',
];
export const OTHER_COLOR = 'var(--text-faint)';

export const axisTick = { fontSize: 11, fill: 'var(--chart-axis)' };

export const tooltipStyle: CSSProperties = {
  background: 'var(--surface)',
  border: '1px solid var(--border)',
  borderRadius: 6,
  boxShadow: 'var(--shadow)',
  fontSize: 12,
};
export const tooltipLabelStyle: CSSProperties = { color: 'var(--text-muted)', marginBottom: 2 };
export const tooltipItemStyle: CSSProperties = { color: 'var(--text)', padding: 0 };
