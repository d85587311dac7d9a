export interface SystemPackage {
  apt: string;
  program: string;
  suites: string[];
  why: string;
  daemon?: string;
}
export const SYSTEM_PACKAGES: SystemPackage[];
export function findProgram(program: string): string | null;
export function listMissing(suites: string[], packages?: SystemPackage[]): SystemPackage[];
