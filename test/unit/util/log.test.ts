import t from 'tap';
import { formatLogLine, parseLogLevel, unsupportedLogLevel, LOG_LEVELS } from '../../../src/util/log.js';

t.test('levels: Podman\'s values, warning as warn', async (t) => {
  t.same(LOG_LEVELS, ['trace', 'debug', 'info', 'warn', 'warning', 'error', 'fatal', 'panic']);
  t.equal(parseLogLevel('warning'), 'warn');
  t.equal(parseLogLevel('DEBUG'), 'debug');
  t.equal(parseLogLevel('telepathic'), undefined);
  t.equal(unsupportedLogLevel('x'), 'Log Level "x" is not supported, choose from: trace, debug, info, warn, warning, error, fatal, panic');
});

t.test('lines: logrus text off a terminal, LEVL[secs] on one', async (t) => {
  const now = new Date('2026-01-02T03:04:05Z');
  const tz = process.env['TZ'];
  process.env['TZ'] = 'UTC';
  try {
    t.equal(formatLogLine('warn', 'the disk is "full"', false, now), 'time="2026-01-02T03:04:05Z" level=warning msg="the disk is \\"full\\""');
    t.equal(formatLogLine('info', 'plain', false, now), 'time="2026-01-02T03:04:05Z" level=info msg=plain');
    t.equal(formatLogLine('debug', 'x', false, now, 12), 'time="2026-01-02T03:04:05Z" level=debug msg=x elapsed=12ms', 'elapsed: a field');
  } finally {
    if (tz === undefined) delete process.env['TZ']; else process.env['TZ'] = tz;
  }
  t.match(formatLogLine('warn', 'hello', true), /^WARN\[\d{4}\] hello$/);
  t.match(formatLogLine('debug', 'x', true, new Date(), 12), /^DEBU\[\d{4}\] \+12ms x$/);
});
