import t from 'tap';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { conmonArgs, lastRuntimeError, parseSyncMessage, readExitCode, waitForExitCode, type ConmonOptions } from '../../../src/runtime/conmon.js';
import { pidAlive } from '../../../src/state/atomic.js';

const opts: ConmonOptions = {
  id: 'abc',
  name: 'web',
  runtimePath: '/usr/bin/runc',
  runtimeRoot: '/run/user/1/tspod/runc',
  runtimeLogFile: '/run/user/1/tspod/containers/abc/oci-log',
  pidFile: '/run/p/pidfile',
  conmonPidFile: '/run/p/conmon.pid',
  exitDir: '/run/exits',
  persistDir: '/run/p',
  logPath: '/data/abc/ctr.log',
  exitCommand: { path: '/usr/bin/tspod', args: ['--root', '/data', 'container', 'cleanup', 'abc'] },
};

const pairs = (a: string[]) => {
  const m = new Map<string, string[]>();
  for (let i = 0; i < a.length; i++) {
    const k = a[i]!;
    if (k.startsWith('-') && a[i + 1] !== undefined && !a[i + 1]!.startsWith('-')) m.set(k, [...(m.get(k) ?? []), a[++i]!]);
    else m.set(k, [...(m.get(k) ?? []), '']);
  }
  return m;
};

t.test('conmon command line as Podman builds it', async (t) => {
  const a = conmonArgs('/data/abc', opts);
  const m = pairs(a);
  t.same(a.slice(0, 2), ['--api-version', '1']);
  t.same(m.get('-c'), ['abc']);
  t.same(m.get('-u'), ['abc']);
  t.same(m.get('-r'), ['/usr/bin/runc']);
  t.same(m.get('-b'), ['/data/abc']);
  t.same(m.get('-p'), ['/run/p/pidfile']);
  t.same(m.get('-n'), ['web']);
  t.same(m.get('--exit-dir'), ['/run/exits']);
  t.same(m.get('--persist-dir'), ['/run/p']);
  t.same(m.get('-l'), ['k8s-file:/data/abc/ctr.log']);
  t.same(m.get('--log-level'), ['warning']);
  t.same(m.get('--conmon-pidfile'), ['/run/p/conmon.pid']);
  t.ok(a.includes('--full-attach'));
  t.same(m.get('--exit-command'), ['/usr/bin/tspod']);
  t.same(a.filter((_, i) => a[i - 1] === '--exit-command-arg'), ['--root', '/data', 'container', 'cleanup', 'abc']);
  // runc --root reaches runc through --runtime-arg, before `create`
  const ra = a.flatMap((x, i) => (a[i - 1] === '--runtime-arg' ? [x] : x.startsWith('--runtime-arg=') ? [x.slice(14)] : []));
  t.same(ra, ['--root', '/run/user/1/tspod/runc', '--log-format=json', '--log', '/run/user/1/tspod/containers/abc/oci-log']);
  t.notOk(a.includes('-t') || a.includes('-i'), 'no terminal, no stdin by default');
  const tty = conmonArgs('/b', { ...opts, terminal: true, stdin: true, leaveStdinOpen: true, timeoutSeconds: 5, logSizeMax: 1000, exitCommand: { path: '/x', delaySeconds: 3 } });
  for (const f of ['-t', '-i', '--leave-stdin-open']) t.ok(tty.includes(f), f);
  t.same(pairs(tty).get('-T'), ['5']);
  t.same(pairs(tty).get('--log-size-max'), ['1000']);
  t.same(pairs(tty).get('--exit-delay'), ['3']);
});

t.test('sync pipe messages', async (t) => {
  t.equal(parseSyncMessage(''), undefined);
  t.equal(parseSyncMessage('{"data": 12'), undefined, 'incomplete line: not yet');
  t.same(parseSyncMessage('{"data": 1234}\n'), { data: 1234 });
  t.same(parseSyncMessage('{"data": -1, "message": "runc create failed"}\n{"data": 0}\n'), { data: -1, message: 'runc create failed' });
  t.throws(() => parseSyncMessage('hello\n'), { code: 'ECONMON' });
});

t.test('runc json log: last error', async (t) => {
  const dir = t.testdir({
    'oci-log': [
      '{"level":"warning","msg":"meh","time":"x"}',
      '{"level":"error","msg":"first","time":"x"}',
      'not json',
      '{"level":"error","msg":"runc create failed: unable to start container process: exec: \\"x\\": executable file not found in $PATH","time":"x"}',
      '',
    ].join('\n'),
  });
  t.match(lastRuntimeError(path.join(dir, 'oci-log')), /executable file not found/);
  t.equal(lastRuntimeError(path.join(dir, 'none')), undefined);
  t.equal(lastRuntimeError(undefined), undefined);
});

t.test('exit files', async (t) => {
  const dir = t.testdir({ exits: { a: '0', b: '137', c: 'junk' } });
  const ex = path.join(dir, 'exits');
  t.equal(readExitCode(ex, 'a'), 0);
  t.equal(readExitCode(ex, 'b'), 137);
  t.equal(readExitCode(ex, 'c'), undefined);
  t.equal(readExitCode(ex, 'missing'), undefined);
  t.equal(await waitForExitCode(ex, 'b'), 137);
  // The file appears later.
  setTimeout(() => fs.writeFileSync(path.join(ex, 'late'), '3'), 30);
  t.equal(await waitForExitCode(ex, 'late', { timeoutMs: 5000 }), 3);
  await t.rejects(waitForExitCode(ex, 'never', { timeoutMs: 50 }), { code: 'ETIMEOUT' });
  // conmon gone without an exit file: an error, not a hang.
  await t.rejects(waitForExitCode(ex, 'never', { conmonPid: 2 ** 22 + 12345 }), { code: 'ECONMON' });
});

t.test('pidAlive: a running process is, a missing one and a zombie are not', async (t) => {
  t.equal(pidAlive(process.pid), true);
  t.equal(pidAlive(2 ** 22 + 12345), false);
  // a child that exited and is not reaped yet: a zombie (conmon under a pid 1 that does not reap)
  const { spawn } = await import('node:child_process');
  const child = spawn('/bin/sh', ['-c', 'exit 0'], { stdio: 'ignore' });
  const pid = child.pid!;
  child.unref();
  // node reaps on SIGCHLD in the event loop: while this loop runs (no await) the child stays a zombie
  const deadline = Date.now() + 2000;
  let state = '';
  while (Date.now() < deadline) {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    state = stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3);
    if (state === 'Z') break;
  }
  t.equal(state, 'Z', 'the child is a zombie');
  t.equal(pidAlive(pid), false, 'a zombie counts as gone');
});
