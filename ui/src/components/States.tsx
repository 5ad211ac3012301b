import type { ReactNode } from 'react';
import { type ApiError, adviceFor, toApiError } from '../api/errors.ts';
import type { ApiState } from '../api/useApi.ts';
import { Button } from './Button.tsx';

/** A calm placeholder while data loads. */
export function Loading({ label = 'Loading…' }: { label?: string }) {
  return (
    <div className="state state-loading" role="status" aria-live="polite">
      <span className="spinner" aria-hidden="true" />
      <span>{label}</span>
    </div>
  );
}

/** Nothing to show yet: say so, and say how to get something (`hint`, `action`). */
export function Empty({ title, hint, action }: { title: ReactNode; hint?: ReactNode; action?: ReactNode }) {
  return (
    <div className="state state-empty">
      <div className="state-title">{title}</div>
      {hint !== undefined && <div className="state-hint">{hint}</div>}
      {action !== undefined && <div className="state-action">{action}</div>}
    </div>
  );
}

export interface ErrorStateProps {
  /** What failed, as the user would say it: "Loading the audit log". */
  what: string;
  error: ApiError | Error | unknown;
  /** Shows a Retry button. */
  onRetry?: () => void;
  /** Overrides the advice derived from the error's code. */
  advice?: ReactNode;
  /** A smaller inline variant, for a failed refresh above data still shown. */
  compact?: boolean;
}

/** What failed, the hub's explanation (code and message), and what to do about it. */
export function ErrorState({ what, error, onRetry, advice, compact }: ErrorStateProps) {
  const e = toApiError(error);
  return (
    <div className={compact ? 'state state-error state-compact' : 'state state-error'} role="alert">
      <div className="state-title">{what} failed</div>
      <div className="state-message">
        <code className="state-code">{e.code}</code> {e.message}
      </div>
      <div className="state-hint">{advice ?? adviceFor(e)}</div>
      {onRetry && (
        <div className="state-action">
          <Button size="sm" onClick={onRetry}>
            Retry
          </Button>
        </div>
      )}
    </div>
  );
}

export interface AsyncProps<T> {
  /** A `useApi` result. */
  state: ApiState<T>;
  /** For the error state: "Loading streams". */
  what: string;
  /** Decides when the data counts as empty (then `empty` is shown instead of `children`). */
  isEmpty?: (data: T) => boolean;
  empty?: ReactNode;
  loadingLabel?: string;
  children: (data: T) => ReactNode;
}

/**
 * Loading, error, empty or the data, the same way on every page. A failed refresh keeps the data on screen
 * with a compact error above it.
 */
export function Async<T>({ state, what, isEmpty, empty, loadingLabel, children }: AsyncProps<T>) {
  if (state.data === undefined) {
    if (state.error) return <ErrorState what={what} error={state.error} onRetry={state.reload} />;
    return <Loading label={loadingLabel} />;
  }
  return (
    <>
      {state.error && <ErrorState what={what} error={state.error} onRetry={state.reload} compact />}
      {isEmpty?.(state.data) ? (empty ?? <Empty title="Nothing here yet." />) : children(state.data)}
    </>
  );
}
