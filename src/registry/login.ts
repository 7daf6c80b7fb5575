// `login` and `logout` as Podman does them: check the credentials against the registry
// (Basic or bearer token), then store them in the auth file; logout removes them.
import { NotFoundError } from '../util/errors.js';
import { RegistryClient } from './client.js';
import { removeAllCredentials, removeCredentials, saveCredentials, validateAuthKey, type AuthOptions, type Credentials } from './auth.js';

export interface LoginOptions extends AuthOptions {
  tlsVerify?: boolean | undefined;
  certDir?: string | undefined;
}

export interface LoginReport {
  /** the key stored: host[:port][/namespace] */
  registry: string;
  /** the auth file written */
  file: string;
}

/** Verify credentials against `registry` (host[:port][/namespace]) and store them. */
export async function login(registry: string, creds: Credentials, opts: LoginOptions = {}): Promise<LoginReport> {
  const key = validateAuthKey(registry);
  const host = key.split('/')[0]!;
  const client = new RegistryClient(host, { tlsVerify: opts.tlsVerify, certDir: opts.certDir, authfile: opts.authfile, credentials: creds });
  try {
    await client.verifyCredentials(creds);
  } finally {
    await client.close();
  }
  const file = await saveCredentials(key, creds, opts);
  return { registry: key, file };
}

/** Remove stored credentials for `registry`; NotFoundError when there are none in the writable file. */
export async function logout(registry: string, opts: AuthOptions = {}): Promise<LoginReport> {
  const key = validateAuthKey(registry);
  const r = await removeCredentials(key, opts);
  if (!r.removed) {
    if (r.foundIn) {
      throw new NotFoundError(`not logged into ${key} with tspod: existing credentials were established in ${r.foundIn} (e.g. by docker login); remove them there (docker logout ${key})`);
    }
    throw new NotFoundError(`not logged into ${key}`);
  }
  return { registry: key, file: r.file };
}

/** `logout --all`: empty the writable auth file. */
export async function logoutAll(opts: AuthOptions = {}): Promise<{ file: string; count: number }> {
  return removeAllCredentials(opts);
}
