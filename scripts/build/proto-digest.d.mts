export function listProtoFiles(root: string): string[];
export function digestProtoFiles(root: string): string;
