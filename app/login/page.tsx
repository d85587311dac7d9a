import { Suspense } from "react";
import { LoginForm } from "@/components/auth/login-form";

export default function Login() {
  return (
    <div className="auth-page">
      <Suspense fallback={null}>
        <LoginForm />
      </Suspense>
    </div>
  );
}
