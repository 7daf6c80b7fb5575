import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import { composeProjectName } from '../../cli/compose-project.js';
import { abortOnSignals } from '../../cli/signals.js';

export default class ComposeEvents extends TspodCommand {
  static override summary = 'Stream the events of a Compose project\'s containers';
  static override description = 'Follows the events log (from now on) for the containers of the project (or of the named services): one line per event, `TIME container ACTION ID (attributes)`, or with --json one object per line with time, type, action, id, service and attributes. Ctrl-C ends it.';
  static override strict = false;
  static override args = { service: Args.string({ description: 'Services (default: all)' }) };
  static override examples = [{ description: 'The project\'s events as JSON', command: '<%= config.bin %> compose events --json' }];
  static override flags = {
    ...composeFlags,
    json: Flags.boolean({ description: 'One JSON object per line' }),
    since: Flags.string({ description: 'Show events since this time (as tspod events --since), then follow' }),
    until: Flags.string({ description: 'Stop at this time' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(ComposeEvents);
    const { name } = await composeProjectName(composeLoadOptions(flags), (w) => this.warn2(w));
    const { events } = await import('../../engine/index.js');
    const { LABELS } = await import('../../compose/names.js');
    const services = argv as string[];
    const sig = abortOnSignals();
    try {
      for await (const e of events.watch({ filters: ['type=container', `label=${LABELS.project}=${name}`], since: flags.since ?? new Date(), until: flags.until, signal: sig.signal })) {
        const service = e.Attributes[LABELS.service] ?? '';
        if (services.length && !services.includes(service)) continue;
        const attributes = { ...e.Attributes, ...(e.Image ? { image: e.Image } : {}), ...(e.Name ? { name: e.Name } : {}) };
        if (flags.json) {
          process.stdout.write(`${JSON.stringify({ time: e.Time, type: e.Type, action: e.Status, id: e.ID ?? '', service, attributes })}\n`);
        } else {
          const attrs = Object.entries(attributes).filter(([k]) => !k.startsWith('com.docker.compose.')).map(([k, v]) => `${k}=${v}`).join(', ');
          process.stdout.write(`${e.Time} ${e.Type} ${e.Status} ${e.ID ?? ''}${attrs ? ` (${attrs})` : ''}\n`);
        }
      }
    } finally { sig.dispose(); }
  }
}
