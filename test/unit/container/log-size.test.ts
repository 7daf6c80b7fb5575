// log-opt max-size: decimal units as Podman reads them, and inspect's LogConfig.Size as it prints it.
import t from 'tap';
import { parseDecimalBytes } from '../../../src/container/options.js';
import { humanSizeCompact } from '../../../src/format/units.js';

t.test('parseDecimalBytes', async (t) => {
  t.equal(parseDecimalBytes('7.073m', 'x'), 7073000);
  t.equal(parseDecimalBytes('10MB', 'x'), 10_000_000);
  t.equal(parseDecimalBytes('512k', 'x'), 512_000);
  t.equal(parseDecimalBytes('2KiB', 'x'), 2048);
  t.equal(parseDecimalBytes('100', 'x'), 100);
  t.equal(parseDecimalBytes('1g', 'x'), 1e9);
  t.throws(() => parseDecimalBytes('ten', 'log-opt max-size'), /invalid log-opt max-size "ten"/);
  t.throws(() => parseDecimalBytes('5x', 'x'));
});

t.test('LogConfig.Size as Podman prints it', async (t) => {
  for (const [s, want] of [['7.073m', '7.073MB'], ['1.01m', '1.01MB'], ['0.123m', '123kB'], ['9.990m', '9.99MB']] as const) {
    t.equal(humanSizeCompact(parseDecimalBytes(s, 'x')), want, s);
  }
  t.equal(humanSizeCompact(0), '0B');
});
