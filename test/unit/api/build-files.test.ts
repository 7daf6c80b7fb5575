// The pure parts of /build, /commit and /containers/ID/stats: query and body
// parsing, and Docker's stats document.
import t, { type Test } from 'tap';
import { buildParams, jsonMap } from '../../../src/api/handlers/build.js';
import { commitChanges, statsDocument } from '../../../src/api/handlers/files.js';
import { ApiError } from '../../../src/api/errors.js';
import type { StatsReport } from '../../../src/engine/index.js';

function throwsStatus(t: Test, fn: () => unknown, status: number, re: RegExp): void {
  try { fn(); t.fail(`no error: ${re}`); } catch (e) {
    t.ok(e instanceof ApiError && e.status === status, `a ${status}: ${String(e)}`);
    t.match((e as Error).message, re);
  }
}

t.test('build query parameters', async (t) => {
  const q = new URLSearchParams();
  for (const [k, v] of [['t', 'a:1'], ['t', 'reg:5000/b'], ['buildargs', '{"X":"1","N":null,"Y":2}'], ['labels', '{"l":"v"}'], ['target', 'one'], ['nocache', '1'], ['pull', 'true'], ['q', '1'], ['dockerfile', 'sub/Dockerfile.dev']]) q.append(k!, v!);
  const p = buildParams(q);
  t.same(p.tags, ['a:1', 'reg:5000/b']);
  t.same(p.buildArgs, ['X=1', 'Y=2'], 'null build args are left out');
  t.same(p.labels, ['l=v']);
  t.same([p.target, p.noCache, p.pull, p.quiet, p.dockerfile], ['one', true, true, true, 'sub/Dockerfile.dev']);
  t.equal(buildParams(new URLSearchParams()).dockerfile, 'Dockerfile', 'the default Dockerfile');
  throwsStatus(t, () => buildParams(new URLSearchParams('dockerfile=../x')), 400, /inside the build context/);
  throwsStatus(t, () => buildParams(new URLSearchParams('dockerfile=/etc/passwd')), 400, /inside the build context/);
  throwsStatus(t, () => buildParams(new URLSearchParams('buildargs=[1]')), 400, /invalid buildargs/);
  throwsStatus(t, () => buildParams(new URLSearchParams('labels={"a":{"b":1}}')), 400, /must be a string/);
  throwsStatus(t, () => buildParams(new URLSearchParams('remote=https://example.com/x.git')), 501, /remote/);
  t.same(jsonMap(null, 'x'), {});
});

t.test('commit: the config body and changes become Dockerfile instructions', async (t) => {
  const q = new URLSearchParams();
  q.append('changes', 'ENV A=1\nLABEL x=y');
  t.same(commitChanges(Buffer.from(''), q), ['ENV A=1', 'LABEL x=y']);
  t.same(commitChanges(Buffer.from('null'), new URLSearchParams()), []);
  t.same(commitChanges(Buffer.from(JSON.stringify({ Cmd: ['sh', '-c', 'x'], Env: ['B=2 3'], Labels: { k: 'v' }, ExposedPorts: { '80/tcp': {} }, WorkingDir: '/w', User: 'u' })), new URLSearchParams()), [
    'CMD ["sh","-c","x"]', 'ENV B="2 3"', 'LABEL "k"="v"', 'EXPOSE 80/tcp', 'WORKDIR /w', 'USER u',
  ]);
  throwsStatus(t, () => commitChanges(Buffer.from('{'), new URLSearchParams()), 400, /invalid JSON/);
});

t.test('stats: Docker\'s document, precpu from the previous sample', async (t) => {
  const s = (cpu: number, sys: number): StatsReport => ({ id: 'abc', name: 'web', read: '2026-01-01T00:00:01Z', cpuNanos: cpu, systemCpuNanos: sys, onlineCpus: 2, memoryBytes: 4096, memoryLimit: 8192, pids: 3, networks: { tap0: { rxBytes: 10, rxPackets: 1, txBytes: 20, txPackets: 2 } }, blockReadBytes: 5, blockWriteBytes: 6, source: 'procfs' });
  const d = statsDocument(s(200, 2000), s(100, 1000)) as Record<string, Record<string, unknown>>;
  t.equal(d['name'] as unknown, '/web');
  t.same((d['cpu_stats']!['cpu_usage'] as Record<string, number>)['total_usage'], 200);
  t.same((d['precpu_stats']!['cpu_usage'] as Record<string, number>)['total_usage'], 100);
  t.same([d['cpu_stats']!['system_cpu_usage'], d['precpu_stats']!['system_cpu_usage'], d['cpu_stats']!['online_cpus']], [2000, 1000, 2]);
  t.same([d['memory_stats']!['usage'], d['memory_stats']!['limit'], d['pids_stats']!['current']], [4096, 8192, 3]);
  t.same(d['networks']!['tap0'], { rx_bytes: 10, rx_packets: 1, rx_errors: 0, rx_dropped: 0, tx_bytes: 20, tx_packets: 2, tx_errors: 0, tx_dropped: 0 });
  const first = statsDocument(s(200, 2000), undefined) as Record<string, Record<string, unknown>>;
  t.equal(first['preread'] as unknown, '0001-01-01T00:00:00Z', 'no previous sample: a zero time');
  t.same((first['precpu_stats']!['cpu_usage'] as Record<string, number>)['total_usage'], 0);
});
