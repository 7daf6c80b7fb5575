import t from 'tap';
import { render, renderInspect, normalizeFormat, isJSONFormat, type Column } from '../../../src/format/render.js';
import { TemplateError } from '../../../src/format/template.js';
import { humanSizeWithPrecision } from '../../../src/format/units.js';

// The two images and the expected tables below were taken from Podman 4.3 on
// this machine (`podman images` after importing two images), so the output is
// compared byte for byte with the reference implementation.
interface Img { Repository: string; Tag: string; ID: string; CreatedSince: string; Size: number; Names: string[]; Labels: Record<string, string> }
const images: Img[] = [
  { Repository: 'quay.io/averyveryverylongname/thing', Tag: 'v2.0.1', ID: 'b6d0c2a1a92b', CreatedSince: 'Less than a second ago', Size: 1987655, Names: ['quay.io/averyveryverylongname/thing:v2.0.1'], Labels: {} },
  { Repository: 'localhost/test/bb', Tag: '1', ID: 'c0e5c4311173', CreatedSince: '1 second ago', Size: 1987655, Names: ['localhost/test/bb:1'], Labels: { role: 'db' } },
];
const columns: Array<Column<Img>> = [
  { header: 'REPOSITORY', field: 'Repository' },
  { header: 'TAG', field: 'Tag' },
  { header: 'IMAGE ID', field: 'ID' },
  { header: 'CREATED', field: 'CreatedSince' },
  { header: 'SIZE', field: (i) => humanSizeWithPrecision(i.Size, 3) },
];

t.test('default table looks exactly like podman images', async (t) => {
  const want = [
    'REPOSITORY                           TAG         IMAGE ID      CREATED                 SIZE',
    'quay.io/averyveryverylongname/thing  v2.0.1      b6d0c2a1a92b  Less than a second ago  1.99 MB',
    'localhost/test/bb                    1           c0e5c4311173  1 second ago            1.99 MB',
    '',
  ].join('\n');
  t.equal(render(images, { columns }), want);
  t.equal(render(images, { columns, format: 'table' }), want, '--format table is the default table');
  t.equal(render(images, { columns, noHeading: true }), want.split('\n').slice(1).join('\n'), '--noheading');
  t.equal(render([], { columns }), 'REPOSITORY  TAG         IMAGE ID    CREATED     SIZE\n', 'an empty listing still has its header');
  t.equal(render([], { columns, noHeading: true }), '', 'and nothing without it');
});

t.test('table templates: header row from field names, aligned rows', async (t) => {
  const cases: Array<[string, string]> = [
    // [--format as typed on the command line, expected output] (podman)
    ['table {{.ID}} {{.Repository}}', 'IMAGE ID      REPOSITORY\nb6d0c2a1a92b  quay.io/averyveryverylongname/thing\nc0e5c4311173  localhost/test/bb\n'],
    ['table {{.ID}}\\t{{.CreatedSince}}\\t{{.Tag}}', 'IMAGE ID      CREATED     TAG\nb6d0c2a1a92b  Less than a second ago  v2.0.1\nc0e5c4311173  1 second ago            1\n'.replace('CREATED     TAG', 'CREATED                 TAG')],
    ['table {{.ID}}\t{{.Repository | upper}}', 'IMAGE ID      REPOSITORY\nb6d0c2a1a92b  QUAY.IO/AVERYVERYVERYLONGNAME/THING\nc0e5c4311173  LOCALHOST/TEST/BB\n'],
    ['table {{.Tag}} {{printf "%s x %s" .Tag .ID}}', 'TAG         TAG x IMAGE ID\nv2.0.1      v2.0.1 x b6d0c2a1a92b\n1           1 x c0e5c4311173\n'],
    ['table {{.Labels}} {{index .Labels "role"}}', 'LABELS      LABELS\nmap[]       \nmap[role:db]  db\n'.replace('map[]       \n', 'map[]         \n').replace('LABELS      LABELS', 'LABELS        LABELS')],
  ];
  for (const [format, want] of cases) t.equal(render(images, { columns, format }), want, format);
  t.equal(render(images, { columns, format: 'table {{.ID}}', noHeading: true }), 'b6d0c2a1a92b\nc0e5c4311173\n', '--noheading with a table template');
  t.equal(render(images, { columns, format: 'table {{.ID}} {{.Size}}', headers: { ID: 'CONTAINER ID', Size: 'BYTES' } }),
    'CONTAINER ID  BYTES\nb6d0c2a1a92b  1987655\nc0e5c4311173  1987655\n', 'caller headers override');
});

t.test('plain templates: one line per item, verbatim', async (t) => {
  const cases: Array<[string, string]> = [
    ['{{.ID}}\\t{{.Repository}}', 'b6d0c2a1a92b\tquay.io/averyveryverylongname/thing\nc0e5c4311173\tlocalhost/test/bb\n'], // (podman)
    ['{{.ID}}', 'b6d0c2a1a92b\nc0e5c4311173\n'],
    ['{{.ID}}\\n', 'b6d0c2a1a92b\nc0e5c4311173\n'], // (podman) no doubled newline
    ['{{.Repository}}:{{.Tag}} {{.ID}}', 'quay.io/averyveryverylongname/thing:v2.0.1 b6d0c2a1a92b\nlocalhost/test/bb:1 c0e5c4311173\n'],
    ['{{json .Names}}', '["quay.io/averyveryverylongname/thing:v2.0.1"]\n["localhost/test/bb:1"]\n'],
    ['{{range .}}{{.ID}} {{end}}', 'b6d0c2a1a92b c0e5c4311173 \n'], // (podman) a template ranging over all items runs once
    ['{{`raw\\t`}}|{{"esc\\t"}}', 'raw\\t|esc\t\nraw\\t|esc\t\n'],
    ['  {{.Tag}}  ', '  v2.0.1  \n  1  \n'],
  ];
  for (const [format, want] of cases) t.equal(render(images, { columns, format }), want, format);
  t.equal(render([], { columns, format: '{{.ID}}' }), '', 'no items, no lines');
});

t.test('{{json .}} and --format json', async (t) => {
  const out = render(images, { columns, format: 'json' });
  t.same(JSON.parse(out), images);
  t.ok(out.startsWith('[\n    {\n        "Repository": '), '4-space indent like podman');
  t.ok(out.endsWith(']\n'));
  t.equal(render([], { columns, format: 'json' }), '[]\n');
  t.equal(render(images, { columns, format: ' JSON ' }), out, 'case and spaces are ignored');
  t.same(JSON.parse(render({ Host: { Arch: 'amd64' } }, { columns: [], format: 'json' })), { Host: { Arch: 'amd64' } }, 'a single object stays an object');
  const lines = render(images, { columns, format: '{{json .}}' }).trimEnd().split('\n');
  t.same(lines.map((l) => JSON.parse(l)), images, '{{json .}} prints one compact object per line');
});

t.test('--quiet prints one field per line', async (t) => {
  t.equal(render(images, { columns, quiet: true }), 'b6d0c2a1a92b\nc0e5c4311173\n');
  t.equal(render(images, { columns, quiet: true, quietField: 'Tag' }), 'v2.0.1\n1\n');
  t.equal(render(images, { columns, quiet: true, quietField: (i) => i.ID.slice(0, 4) }), 'b6d0\nc0e5\n');
  t.equal(render(images, { columns, quiet: true, format: '{{.Tag}}' }), 'b6d0c2a1a92b\nc0e5c4311173\n', 'quiet wins over format');
  t.equal(render([], { columns, quiet: true }), '');
});

t.test('a single object renders once', async (t) => {
  const info = { Host: { OCIRuntime: { Name: 'runc' }, Arch: 'amd64' }, Version: { Version: '0.1.0' } };
  t.equal(render(info, { columns: [], format: '{{.Host.OCIRuntime.Name}}' }), 'runc\n');
  t.equal(render(info, { columns: [{ header: 'ARCH', field: 'Host.Arch' }] }), 'ARCH\namd64\n');
});

t.test('default cells: nested paths, methods, nulls, tabs and wide characters', async (t) => {
  const rows = [
    { Name: 'ünïcödé', State: { Status: 'running' }, Ports: null, Cmd: 'sh\t-c\nx', Up() { return 'yes'; } },
    { Name: 'b', State: { Status: 'exited' }, Ports: ['80/tcp'], Cmd: 'true', Up() { return 'no'; } },
  ];
  const cols: Column[] = [
    { header: 'NAME', field: 'Name' }, { header: 'STATUS', field: 'State.Status' }, { header: 'PORTS', field: 'Ports' },
    { header: 'COMMAND', field: 'Cmd' }, { header: 'UP', field: 'Up' },
  ];
  t.equal(render(rows, { columns: cols }), [
    'NAME        STATUS      PORTS       COMMAND     UP',
    'ünïcödé     running                 sh -c x     yes',
    'b           exited      [80/tcp]    true        no',
    '',
  ].join('\n'));
});

t.test('template errors surface as TemplateError (exit 125) named after the command', async (t) => {
  t.throws(() => render(images, { columns, format: '{{.Nope}}', name: 'images' }), {
    message: 'template: images:1:2: executing "images" at <.Nope>: can\'t evaluate field Nope in type struct',
    exitCode: 125,
    code: 'ETEMPLATE',
  });
  t.throws(() => render(images, { columns, format: '{{.ID', name: 'images' }), { message: 'template: images:1: unclosed action' });
  t.throws(() => render(images, { columns, format: 'table {{foo .ID}}', name: 'ps' }), { name: 'TemplateError', message: 'template: ps:1: function "foo" not defined' });
  try {
    render(images, { columns, format: '{{.ID' });
  } catch (e) {
    t.ok(e instanceof TemplateError, 'an instance of TemplateError');
  }
});

t.test('renderInspect', async (t) => {
  const objs = [{ Id: 'aaa', Config: { Labels: { x: 'y' }, Env: ['A=1'] } }, { Id: 'bbb', Config: { Labels: {}, Env: [] } }];
  const out = renderInspect(objs);
  t.same(JSON.parse(out), objs);
  t.ok(out.startsWith('[\n    {\n        "Id": "aaa",'), 'JSON array, 4-space indent');
  t.equal(renderInspect(objs, 'json'), out);
  t.equal(renderInspect([], undefined), '[]\n');
  t.equal(renderInspect(objs, '{{.Id}}'), 'aaa\nbbb\n');
  t.equal(renderInspect(objs, '{{json .Config}}'), '{"Labels":{"x":"y"},"Env":["A=1"]}\n{"Labels":{},"Env":[]}\n');
  t.equal(renderInspect(objs, '{{.Id}}\\t{{index .Config.Labels "x"}}'), 'aaa\ty\nbbb\t\n');
  t.equal(renderInspect(objs, '{{.Config.Labels.x}}'), 'y\n<no value>\n');
  t.equal(renderInspect(objs, '{{range .}}{{.Id}},{{end}}'), 'aaa,bbb,\n');
  t.throws(() => renderInspect(objs, '{{.Nope}}', { name: 'inspect' }), /template: inspect:1:2: executing "inspect" at <\.Nope>/);
});

t.test('format helpers', async (t) => {
  t.equal(normalizeFormat('{{.A}}\\t{{.B}}\\n'), '{{.A}}\t{{.B}}\n');
  t.equal(normalizeFormat('{{`\\t`}}\\t'), '{{`\\t`}}\t', 'inside actions Go escapes apply instead');
  t.equal(normalizeFormat('{{/* "\\t */}}\\t'), '{{/* "\\t */}}\t', 'comments are skipped');
  t.ok(isJSONFormat('json'));
  t.ok(isJSONFormat(' Json\n'));
  t.notOk(isJSONFormat('{{json .}}'));
  t.notOk(isJSONFormat(undefined));
});

t.test('{{.ID}} reads a JSON-shaped "Id" (Podman\'s Go field name)', async (t) => {
  t.equal(renderInspect([{ Id: 'abc' }], '{{.ID}}'), 'abc\n');
  t.equal(renderInspect([{ ID: 'short', Id: 'long' }], '{{.ID}} {{.Id}}'), 'short long\n', 'an own ID field wins');
});
