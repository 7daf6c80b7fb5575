// Quadlet .pod files and Pod= in .container files (pure conversion).
import t from 'tap';
import { convertPod } from '../../../src/systemd/quadlet-pod.js';
import { convertContainer } from '../../../src/systemd/quadlet.js';

const ctx = { tspod: ['/usr/bin/tspod'], globalArgs: [] };
const opts = (f: string) => ({ sourcePath: `/q/${f}`, ctx, user: true });

t.test('a .pod file becomes NAME-pod.service creating the pod from its keys', async (t) => {
  const u = convertPod('web.pod', '[Pod]\nPublishPort=8080:80\nNetwork=none\nLabel=a=b c=d\nVolume=./data:/data:ro\n', opts('web.pod'), ['web-srv.service']);
  t.equal(u.serviceName, 'web-pod.service');
  t.match(u.text, /^Type=forking$/m);
  t.match(u.text, /pod create \\\n\t--infra-conmon-pidfile=%t\/%N\.pid \\\n\t--pod-id-file=%t\/%N\.pod-id \\\n\t--exit-policy=stop \\\n\t--replace \\\n\t--name=systemd-web/);
  t.match(u.text, /--publish 8080:80/);
  t.match(u.text, /--network none/);
  t.match(u.text, /--label a=b \\\n\t--label c=d/);
  t.match(u.text, /--volume \/q\/data:\/data:ro/, 'a relative volume source is resolved against the file');
  t.match(u.text, /^RequiresMountsFor=\/q\/data$/m);
  t.match(u.text, /^ExecStart=\/usr\/bin\/tspod pod start \\\n\t--pod-id-file=%t\/%N\.pod-id$/m);
  t.match(u.text, /^PIDFile=%t\/%N\.pid$/m);
  t.match(u.text, /^Wants=web-srv\.service$/m);
  t.match(u.text, /^Before=web-srv\.service$/m);
  t.match(u.text, /^\[X-Pod\]$/m);
});

t.test('PodName and errors', async (t) => {
  t.match(convertPod('x.pod', '[Pod]\nPodName=mine\n', opts('x.pod'), []).text, /--name=mine/);
  t.throws(() => convertPod('x.pod', '[Unit]\n', opts('x.pod'), []), /no \[Pod\] section/);
  t.throws(() => convertPod('x.pod', '[Pod]\nBogus=1\n', opts('x.pod'), []), /x\.pod:2: unsupported key "Bogus" in section \[Pod\]/);
  t.throws(() => convertPod('x.pod', '[Pod]\n[Service]\nExecStart=/bin/true\n', opts('x.pod'), []), /ExecStart= in \[Service\] is generated/);
});

t.test('Pod= in a .container joins the pod by its ID file and binds to its unit', async (t) => {
  const u = convertContainer('srv.container', '[Container]\nImage=img\nPod=web.pod\n', { ...opts('srv.container'), pods: new Set(['web.pod']) });
  t.equal(u.pod, 'web.pod');
  t.match(u.text, /--pod-id-file %t\/web-pod\.pod-id/);
  t.match(u.text, /^BindsTo=web-pod\.service$/m);
  t.match(u.text, /^After=web-pod\.service$/m);
  t.throws(() => convertContainer('srv.container', '[Container]\nImage=img\nPod=nope.pod\n', { ...opts('srv.container'), pods: new Set(['web.pod']) }), /Pod=nope\.pod: no such \.pod file/);
  t.throws(() => convertContainer('srv.container', '[Container]\nImage=img\nPod=web\n', opts('srv.container')), /name a \.pod file/);
});
