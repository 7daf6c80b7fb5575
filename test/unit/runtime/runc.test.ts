import t from 'tap';
import { classifyStartError, normalizeSignal } from '../../../src/runtime/runc.js';

t.test('signals by name, short name or number', async (t) => {
  t.equal(normalizeSignal('TERM'), 'SIGTERM');
  t.equal(normalizeSignal('sigkill'), 'SIGKILL');
  t.equal(normalizeSignal(9), 'SIGKILL');
  t.equal(normalizeSignal('15'), 'SIGTERM');
  t.throws(() => normalizeSignal('BOGUS'), { code: 'EINVAL' });
  t.throws(() => normalizeSignal(0), { code: 'EINVAL' });
});

t.test('runc start failures map to 127 / 126', async (t) => {
  t.equal(classifyStartError('runc create failed: unable to start container process: exec: "nope": executable file not found in $PATH'), 127);
  t.equal(classifyStartError('runc create failed: unable to start container process: exec: "/etc": permission denied'), 126);
  t.equal(classifyStartError('runc create failed: unable to start container process: exec: "/x": is a directory'), 126);
  t.equal(classifyStartError('some other failure: no such file or directory'), undefined);
});
