import { PlannedPage } from '../../components/PlannedPage.tsx';

/** Query Console: arrives with its hub feature; until then an honest placeholder (no fake data). */
export default function QueryConsolePage() {
  return (
    <PlannedPage
      title="Query Console"
      summary="Ask the journal questions in lacrimosa’s query language."
      arrivesWith={
        <>
          the query language (<code>POST /api/query</code>)
        </>
      }
      features={[
        'write queries over streams, nodes, time ranges and payload fields, with completion and inline errors',
        'see results as a table or a chart, with the scan cost of each query',
        'keep a history of queries and turn one into a dashboard widget',
      ]}
    />
  );
}
