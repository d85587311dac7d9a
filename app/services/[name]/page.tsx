import "@/components/logs/logs.css";
import { ServiceView } from "@/components/services/service-view";

/** Route params arrive percent-encoded or decoded depending on the path; decode once, safely. */
function decodeParam(raw: string): string {
  try {
    return decodeURIComponent(raw);
  } catch {
    return raw;
  }
}

export default async function ServicePage({ params }: { params: Promise<{ name: string }> }) {
  const { name } = await params;
  return <ServiceView name={decodeParam(name)} />;
}
