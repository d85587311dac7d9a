export const SERVER_ENTRIES: string[];
export function isServerBuildStale(root?: string): boolean;
export function buildServer(root?: string): Promise<number>;
