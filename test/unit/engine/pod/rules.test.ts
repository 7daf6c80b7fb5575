// The pod rules that need no containers: --share parsing, the pod status from its
// containers' states, and what a member may not ask for when it joins a pod.
import t from 'tap';
import { parseShare } from '../../../../src/engine/pod/create.js';
import { podStatus } from '../../../../src/engine/pod/common.js';
import { memberOptions } from '../../../../src/engine/pod/member.js';
import type { PodRecord } from '../../../../src/engine/pod/types.js';

t.test('--share', async (t) => {
  t.same(parseShare(undefined), ['ipc', 'net', 'uts'], 'default net,ipc,uts');
  t.same(parseShare('net'), ['net']);
  t.same(parseShare('pid,net'), ['net', 'pid'], 'sorted, as inspect shows them');
  t.same(parseShare('+pid'), ['ipc', 'net', 'pid', 'uts'], 'a leading + adds to the default');
  t.same(parseShare('+cgroup,pid'), ['cgroup', 'ipc', 'net', 'pid', 'uts']);
  t.same(parseShare('none'), []);
  t.same(parseShare(''), []);
  t.throws(() => parseShare('bogus'), /invalid kernel namespace to share: bogus/);
  t.throws(() => parseShare('user'), /--userns/);
  t.throws(() => parseShare('none,net'), /none/);
  t.throws(() => parseShare('+none'), /none/);
});

t.test('pod status', async (t) => {
  const table: Array<[Parameters<typeof podStatus>[0], string]> = [
    [[], 'Created'],
    [['created'], 'Created'],
    [['created', 'configured'], 'Created'],
    [['running', 'running'], 'Running'],
    [['running', 'exited'], 'Degraded'],
    [['running', 'created'], 'Degraded'],
    [['paused', 'paused'], 'Paused'],
    [['paused', 'exited'], 'Degraded'],
    [['exited', 'exited'], 'Exited'],
    [['exited', 'created'], 'Exited'],
  ];
  for (const [states, want] of table) t.equal(podStatus(states), want, `${states.join(',') || 'none'} -> ${want}`);
});

const pod = (over: Partial<PodRecord> = {}): PodRecord => ({
  id: 'p'.repeat(64), name: 'web', created: '', labels: {}, infraId: 'i'.repeat(64), share: ['ipc', 'net', 'uts'], hostname: '', exitPolicy: 'continue',
  createCommand: [], network: '', ports: [], dns: [], dnsSearch: [], dnsOption: [], addHost: [], volumes: [], userns: '', infraConmonPidfile: '', podIdFile: '', ...over,
});

t.test('a member joins the namespaces its pod shares', async (t) => {
  const o = memberOptions({ image: 'x' }, pod());
  const infra = `container:${'i'.repeat(64)}`;
  t.equal(o.network, infra);
  t.equal(o.ipc, infra);
  t.equal(o.uts, infra);
  t.equal(o.pid, undefined, 'pid is not shared by default');
  t.equal(o.pod, 'p'.repeat(64));
  const pid = memberOptions({ image: 'x' }, pod({ share: ['pid'] }));
  t.equal(pid.pid, infra);
  t.equal(pid.network, undefined, 'a pod not sharing net leaves the member its own network');
  const noInfra = memberOptions({ image: 'x' }, pod({ infraId: '', share: [] }));
  t.equal(noInfra.network, undefined);
});

t.test('the pod volumes and user namespace carry over; the member\'s own win', async (t) => {
  const o = memberOptions({ image: 'x', volume: ['/b:/data'] }, pod({ volumes: ['/a:/data', '/c:/conf'], userns: 'keep-id' }));
  t.same(o.volume, ['/c:/conf', '/b:/data']);
  t.equal(o.userns, 'keep-id');
  t.equal(memberOptions({ image: 'x', userns: 'host' }, pod({ userns: 'keep-id' })).userns, 'host');
});

t.test('what a member may not ask for (Podman\'s wording)', async (t) => {
  const shared = 'network cannot be configured when it is shared with a pod';
  t.throws(() => memberOptions({ image: 'x', publish: ['80'] }, pod()), { message: `invalid config provided: published or exposed ports must be defined when the pod is created: ${shared}` });
  t.throws(() => memberOptions({ image: 'x', publishAll: true }, pod()), /published or exposed ports/);
  t.throws(() => memberOptions({ image: 'x', network: 'none' }, pod()), { message: `invalid config provided: networks must be defined when the pod is created: ${shared}` });
  t.throws(() => memberOptions({ image: 'x', addHost: ['a:1.2.3.4'] }, pod()), /extra host entries must be specified on the pod/);
  t.throws(() => memberOptions({ image: 'x', hostname: 'h' }, pod()), { message: 'invalid config provided: cannot set hostname when joining the pod UTS namespace: invalid configuration' });
  t.throws(() => memberOptions({ image: 'x', pid: 'host' }, pod({ share: ['pid'] })), /PID namespace/);
  // what the pod does not share, the member may set
  t.doesNotThrow(() => memberOptions({ image: 'x', publish: ['80'], hostname: 'h' }, pod({ share: ['ipc'] })));
});
