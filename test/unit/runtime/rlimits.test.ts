import t from 'tap';
import { defaultRlimits, parseProcLimits } from '../../../src/runtime/rlimits.js';

const LIMITS = `Limit                     Soft Limit           Hard Limit           Units
Max cpu time              unlimited            unlimited            seconds
Max processes             96365                96365                processes
Max open files            1024                 20000                files
Max locked memory         8388608              8388608              bytes
`;

t.test('parses /proc/<pid>/limits', async (t) => {
  const m = parseProcLimits(LIMITS);
  t.same(m.get('Max open files'), [1024, 20000]);
  t.same(m.get('Max cpu time'), [Infinity, Infinity]);
});

t.test('defaults are Podman\'s, capped by the hard limits (root without CAP_SYS_RESOURCE cannot raise them either)', async (t) => {
  t.same(defaultRlimits(LIMITS, true), [
    { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
    { type: 'RLIMIT_NPROC', soft: 96365, hard: 96365 },
  ]);
  t.same(defaultRlimits(LIMITS, false), [
    { type: 'RLIMIT_NOFILE', soft: 20000, hard: 20000 },
    { type: 'RLIMIT_NPROC', soft: 96365, hard: 96365 },
  ]);
});
