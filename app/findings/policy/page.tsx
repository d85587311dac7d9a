import Link from "next/link";
import { PolicyEditor } from "@/components/coupling/policy-editor";
import "@/components/coupling/coupling.css";

export default function PolicyPage() {
  return (
    <>
      <div className="page-header">
        <h1>Architecture policy</h1>
        <Link href="/findings">Back to findings</Link>
      </div>
      <PolicyEditor />
    </>
  );
}
