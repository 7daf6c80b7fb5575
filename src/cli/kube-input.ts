// Reading kube play's and kube down's input: a file, or `-` for standard input, and --configmap files.
import * as fs from 'node:fs';
import { KubeError } from '../kube/errors.js';

export async function readManifest(file: string): Promise<string> {
  if (file === '-') {
    const chunks: Buffer[] = [];
    for await (const c of process.stdin) chunks.push(c as Buffer);
    return Buffer.concat(chunks).toString('utf8');
  }
  try { return fs.readFileSync(file, 'utf8'); } catch (err) {
    const code = (err as { code?: string }).code;
    throw new KubeError(code === 'ENOENT' ? `${file}: no such file or directory` : code === 'EISDIR' ? `${file} is a directory: kube play reads a YAML file` : `reading ${file}: ${(err as Error).message}`);
  }
}

/** --configmap values: files, each flag possibly a comma-separated list. */
export async function readConfigMapFiles(values: string[] | undefined): Promise<{ file: string; text: string }[]> {
  const files = (values ?? []).flatMap((v) => v.split(',')).map((f) => f.trim()).filter(Boolean);
  return Promise.all(files.map(async (file) => ({ file, text: await readManifest(file) })));
}
