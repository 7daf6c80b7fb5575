// What a command's arguments (and some flags' values) are, for shell
// completion: one small table keyed by command id (space-separated words;
// canonical ids and their Docker-style aliases both). Commands not listed take
// no completable arguments. Used by `tspod __complete` and by
// scripts/gen-completions.mjs, which bakes the static part into the scripts.
//
// Kept free of imports: the completion fast path loads it on every <TAB>.

export type Kind =
  | 'none'
  | 'files'               // the shell's own file completion
  | 'dirs'                // the shell's own directory completion
  | 'containers'          // every container
  | 'containers-running'  // running only
  | 'containers-stopped'  // created or exited (what `start` accepts)
  | 'containers-paused'   // paused only
  | 'images'
  | 'volumes'
  | 'networks'
  | 'pods'
  | 'objects'             // anything `inspect` takes: containers, images, volumes, networks
  | 'image-path'          // a path inside the image given as the first argument (run, create)
  | 'cp-path';            // CONTAINER:path inside the container, NAME: for a container, else a host path

export const KINDS: readonly Kind[] = [
  'none', 'files', 'dirs', 'containers', 'containers-running', 'containers-stopped', 'containers-paused',
  'images', 'volumes', 'networks', 'pods', 'objects', 'image-path', 'cp-path',
];

/** Kinds answered by the shell itself rather than by `tspod __complete`. */
export function isShellKind(k: Kind): boolean {
  return k === 'files' || k === 'dirs' || k === 'none';
}

/** Positional arguments: `args[i]` is the kind of the i-th, `rest` of every later one. */
export interface ArgSpec { args: Kind[]; rest: Kind }

const all = (k: Kind): ArgSpec => ({ args: [], rest: k });
const first = (k: Kind, rest: Kind = 'none'): ArgSpec => ({ args: [k], rest });

/** Both the topic form and the Docker-style top-level alias of each verb. */
function both(verb: string, spec: ArgSpec, topic = 'container', alias = verb): Array<[string, ArgSpec]> {
  return [[`${topic} ${verb}`, spec], [alias, spec]];
}

export const ARG_KINDS: ReadonlyMap<string, ArgSpec> = new Map<string, ArgSpec>([
  // containers: running only
  ...both('stop', all('containers-running')),
  ...both('kill', all('containers-running')),
  ...both('pause', all('containers-running')),
  ...both('attach', first('containers-running')),
  ...both('exec', first('containers-running')),
  ...both('top', first('containers-running')),
  ...both('stats', all('containers-running')),
  ...both('port', first('containers-running')),
  // containers: by state
  ...both('start', all('containers-stopped')),
  ...both('unpause', all('containers-paused')),
  // containers: any
  ...both('restart', all('containers')),
  ...both('logs', all('containers')),
  ...both('rm', all('containers')),
  ...both('wait', all('containers')),
  ...both('inspect', all('containers')),
  ...both('exists', first('containers')),
  ...both('rename', first('containers')),
  ...both('commit', first('containers')),
  ...both('diff', first('containers')),
  ...both('export', first('containers')),
  ...both('mount', all('containers')),
  ...both('unmount', all('containers')),
  ...both('umount', all('containers')),
  ...both('init', all('containers')),
  ...both('cleanup', all('containers')),
  ...both('cp', { args: ['cp-path', 'cp-path'], rest: 'none' }),
  ['container list', all('none')],
  // images
  ['rmi', all('images')],
  ...both('rm', all('images'), 'image', 'rmi'),
  ['image remove', all('images')],
  ...both('run', first('images', 'image-path')),
  ...both('create', first('images', 'image-path')),
  ...both('push', first('images', 'none'), 'image'),
  ...both('save', all('images'), 'image'),
  ...both('tag', all('images'), 'image'),
  ...both('untag', all('images'), 'image'),
  ...both('history', first('images'), 'image'),
  ['image inspect', all('images')],
  ['image exists', first('images')],
  ['image tree', first('images')],
  ['image mount', all('images')],
  ['image unmount', all('images')],
  ...both('build', first('dirs'), 'image'),
  ...both('import', first('files', 'none'), 'image'),
  ['image load', all('none')],
  ['load', all('none')],
  // manifest lists are images in the store: the list, then (create, add) images to put in it
  ['manifest create', first('none', 'images')],
  ['manifest add', all('images')],
  ['manifest rm', all('images')],
  ...['inspect', 'exists', 'annotate', 'remove', 'push'].map((v): [string, ArgSpec] => [`manifest ${v}`, first('images')]),
  // volumes and networks
  ['volume rm', all('volumes')],
  ['volume inspect', all('volumes')],
  ['volume exists', first('volumes')],
  ['volume export', first('volumes')],
  ['volume import', first('volumes', 'files')],
  ['volume mount', all('volumes')],
  ['network rm', all('networks')],
  ['network inspect', all('networks')],
  ['network exists', first('networks')],
  ['network connect', { args: ['networks', 'containers'], rest: 'none' }],
  ['network disconnect', { args: ['networks', 'containers'], rest: 'none' }],
  ['network reload', all('containers')],
  // pods
  ...['start', 'stop', 'restart', 'kill', 'pause', 'unpause', 'rm', 'inspect', 'stats'].map((v): [string, ArgSpec] => [`pod ${v}`, all('pods')]),
  ...['exists', 'top', 'logs'].map((v): [string, ArgSpec] => [`pod ${v}`, first('pods')]),
  ['pod create', first('none')],
  // anything
  ['inspect', all('objects')],
  // tspod itself
  ['completion', all('none')],
]);

/** Value kinds of flags, by long name, for every command that has such a flag. */
export const FLAG_KINDS: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['root', 'dirs'],
  ['runroot', 'dirs'],
  ['env-file', 'files'],
  ['label-file', 'files'],
  ['cidfile', 'files'],
  ['iidfile', 'files'],
  ['pidfile', 'files'],
  ['conmon-pidfile', 'files'],
  ['authfile', 'files'],
  ['input', 'files'],
  ['output', 'files'],
  ['file', 'files'],
  ['cert-dir', 'dirs'],
  ['network', 'networks'],
  ['net', 'networks'],
  ['volumes-from', 'containers'],
  ['pod', 'pods'],
]);

/** Per-command overrides of FLAG_KINDS (`command id|flag`). */
const FLAG_KIND_OVERRIDES: ReadonlyMap<string, Kind> = new Map<string, Kind>([
  ['build|from', 'images'],
  ['image build|from', 'images'],
]);

export function normalizeId(id: string): string {
  return id.replace(/:/g, ' ').trim();
}

/** The argument spec of a command, tried by its canonical id and then each alias. */
export function argSpec(ids: readonly string[]): ArgSpec {
  for (const id of ids) {
    const s = ARG_KINDS.get(normalizeId(id));
    if (s) return s;
  }
  return all('none');
}

/** The kind of the positional argument at `index` (0-based). */
export function argKind(spec: ArgSpec, index: number): Kind {
  return spec.args[index] ?? spec.rest;
}

/** The kind of a flag's value for a command (ids: canonical first, then aliases). */
export function flagKind(ids: readonly string[], flag: string): Kind {
  for (const id of ids) {
    const o = FLAG_KIND_OVERRIDES.get(`${normalizeId(id)}|${flag}`);
    if (o) return o;
  }
  return FLAG_KINDS.get(flag) ?? 'none';
}
