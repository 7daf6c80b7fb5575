// Podman's event filters: values of the same key OR, different keys AND; the
// name/ID filters match only events of their type; bad keys and values are
// refused with exit code 125.
import t from 'tap';
import { eventFilter } from '../../../src/events/filter.js';
import type { TspodEvent } from '../../../src/events/types.js';

let n = 0;
const ev = (o: Partial<TspodEvent> & Pick<TspodEvent, 'Type' | 'Status'>): TspodEvent =>
  ({ Time: '2026-12-07T00:00:00Z', timeNano: BigInt(n++), Attributes: {}, ...o });

const A = 'a1b2c3d4e5f6'.padEnd(64, '0'), B = 'b1b2c3d4e5f6'.padEnd(64, '0');
const events: Record<string, TspodEvent> = {
  webCreate: ev({ Type: 'container', Status: 'create', ID: A, Name: 'web', Image: 'bb', Attributes: { app: 'shop', tier: 'front' } }),
  webDied: ev({ Type: 'container', Status: 'died', ID: A, Name: 'web', ContainerExitCode: 3, Attributes: { app: 'shop', tier: 'front' } }),
  dbStart: ev({ Type: 'container', Status: 'start', ID: B, Name: 'db', Attributes: { app: 'shop', tier: 'back' } }),
  pull: ev({ Type: 'image', Status: 'pull', ID: B, Name: 'localhost/web:1' }),
  vol: ev({ Type: 'volume', Status: 'create', Name: 'web' }),
  net: ev({ Type: 'network', Status: 'create', ID: A, Network: 'front' }),
  conn: ev({ Type: 'network', Status: 'connect', ID: B, Name: 'db', Network: 'front' }),
  pod: ev({ Type: 'pod', Status: 'start', ID: B, Name: 'shop' }),
};

function which(filters: string[]): string[] {
  const f = eventFilter(filters);
  return Object.entries(events).filter(([, e]) => f(e)).map(([k]) => k);
}

t.test('table', async (t) => {
  const table: Array<[string[], string[]]> = [
    [[], Object.keys(events)],
    [['container=web'], ['webCreate', 'webDied']],
    [['container=a1b2'], ['webCreate', 'webDied']],
    [['container=web', 'container=db'], ['webCreate', 'webDied', 'dbStart']], // same key: OR
    [['container=web', 'event=died'], ['webDied']], // different keys: AND
    [['event=create', 'event=start'], ['webCreate', 'dbStart', 'vol', 'net', 'pod']],
    [['status=died'], ['webDied']],
    [['type=container', 'type=volume'], ['webCreate', 'webDied', 'dbStart', 'vol']],
    [['image=localhost/web:1'], ['pull']],
    [['image=b1b2'], ['pull']], // not the container or pod with that ID prefix
    [['volume=web'], ['vol']],
    [['network=front'], ['net', 'conn']],
    [['network=front', 'event=connect'], ['conn']],
    [['pod=shop'], ['pod']],
    [['label=tier=front'], ['webCreate', 'webDied']],
    [['label=app'], ['webCreate', 'webDied', 'dbStart']],
    [['label=tier=front', 'label=tier=back'], ['webCreate', 'webDied', 'dbStart']],
    [['label=app=shop', 'event=start', 'container=db', 'container=web'], ['dbStart']],
    [['label=tier=side'], []],
    [['CONTAINER=web'], ['webCreate', 'webDied']],
  ];
  for (const [f, want] of table) t.same(which(f), want, f.join(' ') || '(none)');
});

t.test('bad filters', async (t) => {
  for (const bad of ['bogus=1', 'container', '=web', 'type=box', 'event=exploded']) {
    t.throws(() => eventFilter([bad]), { exitCode: 125 }, bad);
  }
});
