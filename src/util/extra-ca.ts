// Extra trusted CAs for tspod's own TLS clients (registries, `import URL`, `ADD URL`).
//
// NODE_EXTRA_CA_CERTS makes node read and parse the whole CA store at start-up, ~40 ms on every
// command, though most commands never open a TLS connection. The launcher (bin/tspod) moves the
// variable to TSPOD_EXTRA_CA_CERTS before it starts node; the clients add the file's certificates
// when they connect. Read once, on first use.
import * as fs from 'node:fs';
import * as tls from 'node:tls';
import { log } from './log.js';

let cached: string[] | undefined;

/** The PEM text of the file TSPOD_EXTRA_CA_CERTS names (the launcher moved NODE_EXTRA_CA_CERTS there). */
export function extraCaCerts(): string[] {
  if (cached) return cached;
  const file = process.env['TSPOD_EXTRA_CA_CERTS'];
  cached = [];
  if (file) {
    try { cached = [fs.readFileSync(file, 'utf8')]; } catch (err) {
      // node itself only warns about an unreadable NODE_EXTRA_CA_CERTS: so does tspod
      log.warn(`cannot read extra CA certificates from ${file} (TSPOD_EXTRA_CA_CERTS, from NODE_EXTRA_CA_CERTS): ${(err as Error).message}`);
    }
  }
  return cached;
}

/** The `ca` option for a TLS connection that adds `more` (and the extra CAs) to the default store; undefined when there is nothing to add. */
export function caWith(more: string[] = []): string[] | undefined {
  const extra = extraCaCerts();
  if (!extra.length && !more.length) return undefined;
  return [...tls.rootCertificates, ...extra, ...more];
}

/** Forget what was read (tests). */
export function resetExtraCaCerts(): void { cached = undefined; }

/** fetch(url), trusting the extra CAs too when there are any. */
export async function fetchTrusting(url: string): Promise<Response> {
  const ca = caWith();
  if (!ca) return await fetch(url);
  const undici = await import('undici');
  return await undici.fetch(url, { dispatcher: new undici.Agent({ connect: { ca } }) }) as unknown as Response;
}
