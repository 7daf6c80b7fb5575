import { Args, Flags } from '../cli/params.js';
import { TspodCommand } from '../cli/base.js';
import { reportTargets, eachTarget } from '../cli/report.js';
import { renderObjects } from '../cli/output.js';
import { imageExists, inspectImage } from '../engine/images.js';
import { NotFoundError } from '../util/errors.js';
import { inspectTargets } from '../cli/latest.js';

export default class Inspect extends TspodCommand {
  static override summary = 'Display the configuration of an object denoted by ID or name';
  static override strict = false;
  static override args = { name: Args.string({ ignoreStdin: true, description: 'image or container name or ID', required: false }) };
  static override flags = {
    format: Flags.string({ char: 'f', description: "Format the output using a Go template, or 'json'" }),
    type: Flags.option({ char: 't', options: ['all', 'image', 'container'] as const, default: 'all', description: 'Specify inspect-object type' })(),
    size: Flags.boolean({ char: 's', description: 'Display total file size (containers)' }),
    latest: Flags.boolean({ char: 'l', description: 'Act on the latest container tspod is aware of' }),
  };

  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(Inspect);
    const out: object[] = [];
    const reps = await eachTarget(await inspectTargets(argv as string[], flags.latest), async (name) => await inspectAny(name, flags.type, flags.size));
    for (const r of reps) if (r.value) out.push(r.value);
    if (out.length) this.out(renderObjects(out, flags.format === 'json' ? undefined : flags.format));
    else if (!reps.some((r) => r.error)) this.out('[]');
    reportTargets(reps, () => undefined);
  }
}

async function inspectAny(name: string, type: string, size: boolean): Promise<object> {
  if (type !== 'image') {
    try {
      const { inspectContainer } = await import('../engine/container/inspect.js');
      return await inspectContainer(name, { size });
    } catch (err) {
      if (!(err instanceof NotFoundError) || type === 'container') throw err;
    }
    if (type === 'container') throw new NotFoundError(`no such container ${name}`);
  }
  try {
    return inspectImage(name);
  } catch (err) {
    // (a manifest list without its platform's image exists: its own error says so)
    if (err instanceof NotFoundError && type === 'all' && !imageExists(name)) throw new NotFoundError(`no such object: "${name}"`);
    throw err;
  }
}
