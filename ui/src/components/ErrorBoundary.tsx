import { Component, type ErrorInfo, type ReactNode } from 'react';
import { Button } from './Button.tsx';

interface Props {
  /** What is inside, for the message: "The Overview page". */
  what: string;
  children: ReactNode;
  /** When this changes, a failed subtree is tried again (e.g. the route). */
  resetKey?: unknown;
}

interface State {
  error: Error | null;
  resetKey: unknown;
}

/** Keeps a crash in one page from blanking the whole app, and says what happened. */
export class ErrorBoundary extends Component<Props, State> {
  override state: State = { error: null, resetKey: undefined };

  static getDerivedStateFromError(error: Error): Partial<State> {
    return { error };
  }

  static getDerivedStateFromProps(props: Props, state: State): Partial<State> | null {
    if (props.resetKey !== state.resetKey) return { error: null, resetKey: props.resetKey };
    return null;
  }

  override componentDidCatch(error: Error, info: ErrorInfo): void {
    // Kept for the browser's developer tools; the page itself shows the message.
    console.warn(`${this.props.what} crashed:`, error, info.componentStack);
  }

  override render() {
    const { error } = this.state;
    if (!error) return this.props.children;
    return (
      <div className="state state-error" role="alert">
        <div className="state-title">{this.props.what} crashed</div>
        <div className="state-message">
          <code className="state-code">{error.name}</code> {error.message}
        </div>
        <div className="state-hint">
          This is a bug in the control center. Reload the page; if it happens again, the browser console has
          the details to report.
        </div>
        <div className="state-action">
          <Button size="sm" onClick={() => this.setState({ error: null })}>
            Try again
          </Button>
        </div>
      </div>
    );
  }
}
