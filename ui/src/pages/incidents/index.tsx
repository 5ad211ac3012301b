import { PlannedPage } from '../../components/PlannedPage.tsx';

/** Incidents: arrives with its hub feature; until then an honest placeholder (no fake data). */
export default function IncidentsPage() {
  return (
    <PlannedPage
      title="Incidents"
      summary="Alert rules over metrics and queries, and the incidents they open."
      arrivesWith={
        <>
          alert rules and incidents (<code>/api/alerts</code>)
        </>
      }
      features={[
        'write alert rules on metrics (drops, lag, utilization) and on query results',
        'see open and past incidents, acknowledge and resolve them',
        'deliver notifications by webhook, with retries and a delivery log',
      ]}
    />
  );
}
