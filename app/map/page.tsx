import { ServiceMapView } from "@/components/service-map/service-map-view";

export default function MapPage() {
  return <ServiceMapView />;
}
