/** Span durations: sub-millisecond precision where it matters (`0.42 ms`, `12.5 ms`, `1.25 s`). */
export function formatSpanMs(ms: number): string {
  if (ms >= 1000) return `${(ms / 1000).toFixed(2)} s`;
  if (ms >= 10) return `${ms.toFixed(1)} ms`;
  return `${ms.toFixed(2)} ms`;
}
