// A real OCI registry for the benchmark: Debian's `docker-registry serve` on
// 127.0.0.1:<free port>, storage in the given directory.
import { spawn } from 'node:child_process';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as path from 'node:path';

export function freePort() {
  return new Promise((resolve, reject) => {
    const srv = net.createServer();
    srv.unref();
    srv.once('error', reject);
    srv.listen(0, '127.0.0.1', () => {
      const { port } = srv.address();
      srv.close(() => resolve(port));
    });
  });
}

/** Start the registry; resolves { host, url, stop() } once /v2/ answers. */
export async function startRegistry(dir) {
  fs.mkdirSync(path.join(dir, 'data'), { recursive: true });
  const port = await freePort();
  const host = `127.0.0.1:${port}`;
  const conf = path.join(dir, 'config.yml');
  fs.writeFileSync(conf, [
    'version: 0.1',
    'log: { level: error, accesslog: { disabled: true } }',
    `storage: { filesystem: { rootdirectory: ${JSON.stringify(path.join(dir, 'data'))} }, delete: { enabled: true } }`,
    `http: { addr: "${host}" }`,
    '',
  ].join('\n'));
  const logFd = fs.openSync(path.join(dir, 'registry.log'), 'w');
  const child = spawn('docker-registry', ['serve', conf], { stdio: ['ignore', logFd, logFd] });
  fs.closeSync(logFd);
  let exited = null;
  child.once('exit', (code, sig) => { exited = `exit ${code ?? sig}`; });
  child.once('error', (err) => { exited = err.message; });
  const url = `http://${host}`;
  const deadline = Date.now() + 15_000;
  for (;;) {
    if (exited) throw new Error(`docker-registry stopped at start-up (${exited}); see ${path.join(dir, 'registry.log')}`);
    try {
      const r = await fetch(`${url}/v2/`);
      if (r.ok) break;
    } catch { /* not up yet */ }
    if (Date.now() > deadline) {
      child.kill('SIGKILL');
      throw new Error(`docker-registry did not answer on ${url}/v2/ within 15 s; see ${path.join(dir, 'registry.log')}`);
    }
    await new Promise((r) => setTimeout(r, 50));
  }
  return {
    host, url, pid: child.pid,
    async stop() {
      if (exited) return;
      const done = new Promise((r) => child.once('exit', r));
      child.kill('SIGTERM');
      const t = setTimeout(() => child.kill('SIGKILL'), 3000);
      await done;
      clearTimeout(t);
    },
  };
}
