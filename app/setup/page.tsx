import { SetupForm } from "@/components/auth/setup-form";

export default function Setup() {
  return (
    <div className="auth-page">
      <SetupForm />
    </div>
  );
}
