// The one parser of --since/--until/until= values: a table of inputs and the
// nanosecond instants they mean, and the inputs it must refuse.
import t from 'tap';
import { parseTimeFilter, parseTimeFilterMs, parseGoDuration, parseTimestampNs } from '../../../src/util/time-filter.js';

const NOW = 1_796_604_067_000_000_000n; // 2026-12-07T00:41:07Z
const S = 1_000_000_000n;

t.test('timestamps, dates and unix seconds', async (t) => {
  const table: Array<[string, bigint]> = [
    ['2026-12-07T00:41:07Z', NOW],
    ['2026-12-07T00:41:07.123456789Z', NOW + 123_456_789n],
    ['2026-12-07T00:41:07.5Z', NOW + 500_000_000n],
    ['2026-12-07T01:41:07+01:00', NOW],
    ['2026-12-06T23:11:07-01:30', NOW],
    ['2026-12-07T00:41:07', NOW], // no zone: UTC, as Go's time.Parse
    ['2026-12-07T00:41', NOW - 7n * S],
    ['2026-12-07T00', NOW - (41n * 60n + 7n) * S],
    ['2026-12-07', NOW - (41n * 60n + 7n) * S],
    ['2026-12-07+02:00', NOW - (41n * 60n + 7n) * S - 2n * 3600n * S],
    ['1796604067', NOW],
    ['1796604067.25', NOW + 250_000_000n],
    ['1796604067.123456789999', NOW + 123_456_789n], // beyond nanoseconds: cut
    ['0', 0n],
  ];
  for (const [input, want] of table) t.equal(parseTimeFilter(input, '--since', { now: NOW }), want, input);
});

t.test('durations: ago by default, ahead on request (events --until)', async (t) => {
  const table: Array<[string, bigint]> = [
    ['10m', 600n * S], ['1h30m', 5400n * S], ['1.5h', 5400n * S], ['90s', 90n * S], ['300ms', 300_000_000n],
    ['2us', 2000n], ['2µs', 2000n], ['2μs', 2000n], ['7ns', 7n], ['1h0m0.5s', 3600n * S + 500_000_000n], ['.5s', 500_000_000n],
  ];
  for (const [input, d] of table) {
    t.equal(parseTimeFilter(input, '--since', { now: NOW }), NOW - d, `${input} ago`);
    t.equal(parseTimeFilter(input, '--until', { now: NOW, relative: 'ahead' }), NOW + d, `${input} ahead`);
  }
  t.equal(parseGoDuration('-5s'), -5n * S, 'a sign is allowed, as in Go');
  t.equal(parseTimeFilterMs('10m', 'until filter', { now: NOW }), Number((NOW - 600n * S) / 1_000_000n), 'milliseconds for stored RFC 3339 times');
  const before = BigInt(Date.now()) * 1_000_000n;
  const got = parseTimeFilter('1m', '--since');
  t.ok(got <= before - 59n * S && got >= before - 61n * S, 'without `now`: relative to the clock');
});

t.test('refused, with the flag named', async (t) => {
  for (const bad of ['', '10x', '10', 'm', '1.2.3', '5 m', '2026-13-01', '2026-02-30', '2026-12-07T24:00:00Z', '2026-12-07 00:41:07', 'yesterday', '1h-5m', '-', '+']) {
    if (bad === '10') continue; // a bare number is unix seconds, not an error
    t.throws(() => parseTimeFilter(bad, '--since', { now: NOW }), { message: /invalid --since/, exitCode: 125 }, JSON.stringify(bad));
  }
  t.equal(parseTimestampNs('2026-02-29'), undefined, '2026 is not a leap year');
  t.equal(parseGoDuration('10'), undefined, 'a duration needs a unit (except 0)');
});
