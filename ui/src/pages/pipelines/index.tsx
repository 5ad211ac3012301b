import { PlannedPage } from '../../components/PlannedPage.tsx';

/** Pipelines: arrives with its hub feature; until then an honest placeholder (no fake data). */
export default function PipelinesPage() {
  return (
    <PlannedPage
      title="Pipelines"
      summary="Transform, filter and route events, over live traffic or a replayed range."
      arrivesWith={
        <>
          the pipelines feature (<code>/api/pipelines</code>)
        </>
      }
      features={[
        'define pipelines stage by stage: filter, map, enrich, route to a stream or a connector',
        'run a pipeline deterministically over a replayed journal range before it goes live',
        'watch per-stage throughput, drops and errors while it runs',
      ]}
    />
  );
}
