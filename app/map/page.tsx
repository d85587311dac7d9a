import { headers } from "next/headers";
import { ServiceMapView } from "@/components/service-map/service-map-view";
import { buildPrefetchScript } from "@/lib/prefetch";

/** Sent while the page's bundles load: the services list (environment, grouping) and the map. */
const PREFETCH = buildPrefetchScript(
  [
    ["/api/v1/services", "both"],
    ["/api/v1/service-map/summary", "scoped"],
  ],
  ["focus"],
);

export default async function MapPage() {
  const csp = (await headers()).get("content-security-policy") ?? "";
  const nonce = /'nonce-([^']+)'/.exec(csp)?.[1];
  return (
    <>
      <script nonce={nonce}>{PREFETCH}</script>
      <ServiceMapView />
    </>
  );
}
