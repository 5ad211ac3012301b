import { PlannedPage } from '../../components/PlannedPage.tsx';

/** Connectors: arrives with its hub feature; until then an honest placeholder (no fake data). */
export default function ConnectorsPage() {
  return (
    <PlannedPage
      title="Connectors"
      summary="Bring events in from other systems, and mirror the journal out to them."
      arrivesWith={
        <>
          the connectors feature of the hub (<code>/api/connectors</code>)
        </>
      }
      features={[
        'add, configure and remove connectors: NATS subjects and JetStream, HTTP polling, webhook ingest',
        'see each connector’s state, throughput, last error and the events it has submitted',
        'pause or restart a connector without restarting the hub',
      ]}
    />
  );
}
