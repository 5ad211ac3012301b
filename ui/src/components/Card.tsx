import type { ReactNode } from 'react';

export interface CardProps {
  /** Shown as the card's heading (h2). */
  title?: ReactNode;
  /** Controls at the right of the heading. */
  actions?: ReactNode;
  /** A line under the heading. */
  subtitle?: ReactNode;
  footer?: ReactNode;
  /** Removes the body padding (for tables and charts that go edge to edge). */
  flush?: boolean;
  className?: string;
  children?: ReactNode;
}

/** The unit of layout: a bordered surface with an optional heading and actions. */
export function Card({ title, actions, subtitle, footer, flush, className, children }: CardProps) {
  return (
    <section className={['card', className ?? ''].filter(Boolean).join(' ')}>
      {(title !== undefined || actions !== undefined) && (
        <header className="card-header">
          <div>
            {title !== undefined && <h2 className="card-title">{title}</h2>}
            {subtitle !== undefined && <div className="card-subtitle">{subtitle}</div>}
          </div>
          {actions !== undefined && <div className="card-actions">{actions}</div>}
        </header>
      )}
      <div className={flush ? 'card-body card-body-flush' : 'card-body'}>{children}</div>
      {footer !== undefined && <footer className="card-footer">{footer}</footer>}
    </section>
  );
}

/** A responsive grid of cards or stats: `min` is the narrowest a column may get (default 220 px). */
export function Grid({
  min = 220,
  children,
  className,
}: {
  min?: number;
  children: ReactNode;
  className?: string;
}) {
  return (
    <div
      className={['grid', className ?? ''].filter(Boolean).join(' ')}
      style={{ gridTemplateColumns: `repeat(auto-fill, minmax(${min}px, 1fr))` }}
    >
      {children}
    </div>
  );
}
