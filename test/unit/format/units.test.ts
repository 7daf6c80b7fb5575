import t from 'tap';
import { bytesSize, humanDuration, humanSize, humanSizeWithPrecision, timeAgo } from '../../../src/format/units.js';

// Expectations follow github.com/docker/go-units (HumanSizeWithPrecision uses
// %.*g with decimal units; BytesSize %.4g with binary units; HumanDuration).
t.test('decimal sizes', async (t) => {
  const cases: Array<[number, number, string]> = [
    [0, 3, '0 B'],
    [999, 3, '999 B'],
    [1000, 3, '1 kB'],
    [1024, 4, '1.024 kB'],
    [5600, 3, '5.6 kB'],
    [1987655, 3, '1.99 MB'], // podman images on this machine
    [1_000_000, 3, '1 MB'],
    [1_048_576, 4, '1.049 MB'],
    [3.42e9, 3, '3.42 GB'],
    [5.372e12, 4, '5.372 TB'],
    [2.22e15, 3, '2.22 PB'],
    [1e21, 3, '1 ZB'],
    [1e24, 3, '1 YB'],
    [1e25, 3, '10 YB'],
    [999_999, 3, '1e+03 kB'], // %.3g rounds up into the exponent form, as Go does
    [123_456_789, 3, '123 MB'],
    [72_800_000, 3, '72.8 MB'],
    [1_125_000, 3, '1.12 MB'], // an exact tie rounds to even, as in Go
    [1_135_000, 3, '1.14 MB'],
  ];
  for (const [bytes, prec, want] of cases) t.equal(humanSizeWithPrecision(bytes, prec), want, `${bytes} @${prec}`);
  t.equal(humanSize(1_048_576), '1.049 MB', 'humanSize is precision 4');
});

t.test('binary sizes', async (t) => {
  const cases: Array<[number, string]> = [
    [0, '0 B'], [1023, '1023 B'], [1024, '1 KiB'], [1536, '1.5 KiB'], [1_048_576, '1 MiB'],
    [1987655, '1.896 MiB'], [5 * 1024 ** 3, '5 GiB'], [1024 ** 4, '1 TiB'],
  ];
  for (const [bytes, want] of cases) t.equal(bytesSize(bytes), want, String(bytes));
});

t.test('human durations', async (t) => {
  const s = 1000;
  const m = 60 * s;
  const h = 60 * m;
  const d = 24 * h;
  const cases: Array<[number, string]> = [
    [-5 * s, 'Less than a second'],
    [0, 'Less than a second'],
    [999, 'Less than a second'],
    [1 * s, '1 second'],
    [2 * s, '2 seconds'],
    [59 * s, '59 seconds'],
    [60 * s, 'About a minute'],
    [119 * s, 'About a minute'],
    [2 * m, '2 minutes'],
    [59 * m, '59 minutes'],
    [60 * m, 'About an hour'],
    [h + 29 * m, 'About an hour'],
    [h + 30 * m, '2 hours'], // rounds to the nearest hour
    [47 * h, '47 hours'],
    [47 * h + 30 * m, '2 days'],
    [13 * d, '13 days'],
    [14 * d, '2 weeks'],
    [59 * d, '8 weeks'],
    [60 * d, '2 months'],
    [365 * d, '12 months'],
    [729 * d, '24 months'],
    [730 * d, '2 years'],
    [3650 * d, '10 years'],
  ];
  for (const [ms, want] of cases) t.equal(humanDuration(ms), want, `${ms} ms`);
});

t.test('timeAgo for CREATED columns', async (t) => {
  const now = Date.parse('2024-05-01T12:00:00Z');
  t.equal(timeAgo(new Date(now - 400), now), 'Less than a second ago');
  t.equal(timeAgo(now - 3 * 60_000, now), '3 minutes ago');
  t.equal(timeAgo('2024-05-01T11:00:00Z', now), 'About an hour ago');
  t.equal(timeAgo('2024-04-28T12:00:00Z', now), '3 days ago');
});
