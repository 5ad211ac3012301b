import { PlannedPage } from '../../components/PlannedPage.tsx';

/** Traces: arrives with its hub feature; until then an honest placeholder (no fake data). */
export default function TracesPage() {
  return (
    <PlannedPage
      title="Traces"
      summary="Distributed traces sent by OpenTelemetry exporters, next to the events they caused."
      arrivesWith={
        <>
          trace ingest (OTLP/HTTP JSON on <code>/v1/traces</code>, and <code>/api/traces</code>)
        </>
      }
      features={[
        'list traces by service, operation, duration and status',
        'open a trace as a span waterfall with attributes and events',
        'see the service graph built from the spans',
      ]}
    />
  );
}
