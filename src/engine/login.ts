// `tspod login` / `logout`: verify credentials against the registry, then
// store them in the containers auth file (auth.json).
import { InvalidArgumentError } from '../util/errors.js';

export interface LoginOptions { registry: string; username: string; password: string; authfile?: string | undefined; tlsVerify?: boolean | undefined; certDir?: string | undefined }

function hostOf(input: string): string {
  let s = input.replace(/^https?:\/\//, '').replace(/\/+$/, '');
  if (s.startsWith('docker://')) s = s.slice(9);
  if (!s) throw new InvalidArgumentError('registry must not be empty');
  return s;
}

export async function login(opts: LoginOptions): Promise<{ file: string }> {
  const key = hostOf(opts.registry);
  const host = key.split('/')[0]!;
  const { RegistryClient } = await import('../registry/client.js');
  const client = new RegistryClient(host, { tlsVerify: opts.tlsVerify, certDir: opts.certDir, authfile: opts.authfile });
  try {
    await client.verifyCredentials({ username: opts.username, password: opts.password });
  } finally {
    await client.close();
  }
  const { saveCredentials } = await import('../registry/auth.js');
  const file = await saveCredentials(key, { username: opts.username, password: opts.password }, { authfile: opts.authfile });
  return { file };
}

/** Check credentials against a registry without storing them (the Docker API's /auth). */
export async function verifyLogin(opts: Omit<LoginOptions, 'authfile'>): Promise<void> {
  const host = hostOf(opts.registry).split('/')[0]!;
  const { RegistryClient } = await import('../registry/client.js');
  const client = new RegistryClient(host, { tlsVerify: opts.tlsVerify, certDir: opts.certDir });
  try {
    await client.verifyCredentials({ username: opts.username, password: opts.password });
  } finally {
    await client.close();
  }
}

export async function logout(opts: { registry?: string | undefined; all?: boolean; authfile?: string | undefined }): Promise<string> {
  const auth = await import('../registry/auth.js');
  if (opts.all) {
    await auth.removeAllCredentials({ authfile: opts.authfile });
    return 'Removed login credentials for all registries';
  }
  if (!opts.registry) throw new InvalidArgumentError('a registry is required (or use --all)');
  const key = hostOf(opts.registry);
  const r = await auth.removeCredentials(key, { authfile: opts.authfile });
  if (r.removed) return `Removed login credentials for ${key}`;
  if (r.foundIn) throw new InvalidArgumentError(`not logged into ${key} with tspod: the credentials are in ${r.foundIn}; remove them there (e.g. "docker logout ${key}")`);
  throw new InvalidArgumentError(`not logged into ${key}`);
}

export async function currentLogin(registry: string, authfile?: string): Promise<string> {
  const { getCredentials } = await import('../registry/auth.js');
  const key = hostOf(registry);
  const c = getCredentials(key, { authfile });
  if (!c) throw new InvalidArgumentError(`not logged into ${key}`);
  return c.username;
}
