import { PlannedPage } from '../../components/PlannedPage.tsx';

/** Dashboards: arrives with its hub feature; until then an honest placeholder (no fake data). */
export default function DashboardsPage() {
  return (
    <PlannedPage
      title="Dashboards"
      summary="Your own views: charts, numbers and tables backed by queries."
      arrivesWith={
        <>
          dashboards (<code>/api/dashboards</code>) and the query language
        </>
      }
      features={[
        'build dashboards from query-backed widgets and arrange them on a grid',
        'pick time ranges and refresh rates per dashboard',
        'keep dashboards in the hub, so they survive restarts and can be shared by link',
      ]}
    />
  );
}
