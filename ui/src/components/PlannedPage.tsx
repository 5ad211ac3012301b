import type { ReactNode } from 'react';
import { PageHeader } from './PageHeader.tsx';
import { Card } from './Card.tsx';

export interface PlannedPageProps {
  title: string;
  /** One sentence: what the page is for. */
  summary: ReactNode;
  /** What it will let you do, concretely. */
  features: ReactNode[];
  /** The hub feature it needs, e.g. "the connectors feature (src/hub/connectors)". */
  arrivesWith: ReactNode;
}

/** An honest placeholder for a page whose hub feature does not exist yet: what it will do, and no fake data. */
export function PlannedPage({ title, summary, features, arrivesWith }: PlannedPageProps) {
  return (
    <>
      <PageHeader title={title} description={summary} />
      <Card title="Not available yet">
        <p className="muted">
          This page arrives together with {arrivesWith}. Until then there is nothing to show here — nothing on
          this page is simulated.
        </p>
        <p>When it arrives, it will let you:</p>
        <ul className="planned-list">
          {features.map((feature, i) => (
            <li key={i}>{feature}</li>
          ))}
        </ul>
      </Card>
    </>
  );
}
