/**
 * A drawing of one circular region of the journal — the index ring (in slots) or the blob (in bytes): a dial
 * with the occupied span(s) and markers for head, tail, cursors and the playhead, and the same region unrolled
 * as a bar from 0 to its size, where a wrapped occupied window shows as its two ranges.
 *
 * @module
 */
import type { ReactNode } from 'react';

export type MarkerKind = 'head' | 'tail' | 'cursor' | 'playhead';

export interface RegionMarker {
  /** Position in region units (slot or byte), 0 ≤ at < size. */
  at: number;
  kind: MarkerKind;
  /** For the tooltip and the accessible description: "head · seq 1,200 · slot 176". */
  label: string;
}

export interface RegionDialProps {
  /** "Index ring" or "Blob region", for the accessible description. */
  name: string;
  size: number;
  /** Occupied spans in region units, [from, to). */
  occupied: { from: number; to: number }[];
  markers: RegionMarker[];
  /** The big number in the middle (utilization). */
  center: ReactNode;
  /** A line under it. */
  centerSub: ReactNode;
  /** Describes the picture for screen readers. */
  description: string;
  /** Labels of the bar's two ends. */
  startLabel: string;
  endLabel: string;
}

const SIZE = 200;
const CENTER = SIZE / 2;
const RADIUS = 78;
const THICKNESS = 20;
/** An occupied span is drawn at least this big (a fraction of the circle), so that a few events are visible. */
const MIN_ARC = 0.006;
const MARKER_ORDER: MarkerKind[] = ['tail', 'cursor', 'playhead', 'head'];

function point(fraction: number, radius: number): [number, number] {
  const angle = fraction * 2 * Math.PI;
  return [CENTER + radius * Math.sin(angle), CENTER - radius * Math.cos(angle)];
}

function arc(from: number, to: number): string {
  const [x0, y0] = point(from, RADIUS);
  const [x1, y1] = point(to, RADIUS);
  const large = to - from > 0.5 ? 1 : 0;
  return `M ${x0.toFixed(2)} ${y0.toFixed(2)} A ${RADIUS} ${RADIUS} 0 ${large} 1 ${x1.toFixed(2)} ${y1.toFixed(2)}`;
}

/** Spans as fractions of the circle, each at least MIN_ARC, and whole circles detected. */
function fractions(size: number, spans: { from: number; to: number }[]) {
  if (size <= 0) return [];
  return spans
    .filter((s) => s.to > s.from)
    .map((s) => {
      const from = s.from / size;
      const to = Math.max(s.to / size, Math.min(1, from + MIN_ARC));
      return { from, to };
    });
}

export function RegionDial({
  name,
  size,
  occupied,
  markers,
  center,
  centerSub,
  description,
  startLabel,
  endLabel,
}: RegionDialProps) {
  const spans = fractions(size, occupied);
  const full = spans.length > 0 && spans.reduce((sum, s) => sum + (s.to - s.from), 0) >= 0.9999;
  const sorted = [...markers].sort((a, b) => MARKER_ORDER.indexOf(a.kind) - MARKER_ORDER.indexOf(b.kind));
  return (
    <div className="region">
      <div className="region-dial">
        <svg viewBox={`0 0 ${SIZE} ${SIZE}`} role="img" aria-label={`${name}: ${description}`}>
          <circle className="region-track" cx={CENTER} cy={CENTER} r={RADIUS} strokeWidth={THICKNESS} />
          {full ? (
            <circle className="region-occupied" cx={CENTER} cy={CENTER} r={RADIUS} strokeWidth={THICKNESS} />
          ) : (
            spans.map((s, i) => (
              <path key={i} className="region-occupied" d={arc(s.from, s.to)} strokeWidth={THICKNESS} />
            ))
          )}
          <line
            className="region-zero"
            x1={CENTER}
            y1={CENTER - RADIUS - THICKNESS / 2 - 3}
            x2={CENTER}
            y2={CENTER - RADIUS + THICKNESS / 2 + 3}
          />
          {sorted.map((m, i) => {
            const f = size > 0 ? m.at / size : 0;
            // The tail's knob sits inside the ring, the others' outside: on a full ring head and tail share a slot.
            const inside = m.kind === 'tail';
            const [x0, y0] = point(f, RADIUS - THICKNESS / 2 - (inside ? 6 : 4));
            const [x1, y1] = point(f, RADIUS + THICKNESS / 2 + (inside ? 4 : 6));
            const [kx, ky] = point(f, inside ? RADIUS - THICKNESS / 2 - 9 : RADIUS + THICKNESS / 2 + 9);
            return (
              <g key={`${m.kind}-${i}`} className={`marker marker-${m.kind}`}>
                <title>{m.label}</title>
                <line x1={x0} y1={y0} x2={x1} y2={y1} />
                <circle cx={kx} cy={ky} r={m.kind === 'head' || m.kind === 'playhead' ? 4 : 3.2} />
              </g>
            );
          })}
        </svg>
        <div className="region-center" aria-hidden="true">
          <div className="region-center-value num">{center}</div>
          <div className="region-center-sub num">{centerSub}</div>
        </div>
      </div>
      <svg className="region-strip" viewBox="0 0 1000 34" preserveAspectRatio="none" aria-hidden="true">
        <rect className="region-strip-track" x={0} y={12} width={1000} height={12} rx={3} />
        {spans.map((s, i) => (
          <rect
            key={i}
            className="region-occupied-fill"
            x={s.from * 1000}
            y={12}
            width={Math.max(2, (s.to - s.from) * 1000)}
            height={12}
          />
        ))}
        {sorted.map((m, i) => {
          const x = size > 0 ? (m.at / size) * 1000 : 0;
          return (
            <g key={`${m.kind}-${i}`} className={`marker marker-${m.kind}`}>
              <line x1={x} y1={6} x2={x} y2={30} vectorEffect="non-scaling-stroke" />
            </g>
          );
        })}
      </svg>
      <div className="region-strip-labels num">
        <span>{startLabel}</span>
        <span>{endLabel}</span>
      </div>
    </div>
  );
}
