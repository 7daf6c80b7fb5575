import { Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { renderList, since } from '../../cli/output.js';
import { humanDuration } from '../../format/units.js';

export default class ContainerList extends TspodCommand {
  static override summary = 'List containers';
  static override aliases = ['ps', 'container:ls', 'container:ps'];
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Show all the containers, default is only running containers' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print the numeric IDs of the containers only' }),
    latest: Flags.boolean({ char: 'l', description: 'Show the latest container created (all states)' }),
    last: Flags.integer({ char: 'n', description: 'Print the n last created containers (all states)' }),
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'Filter output based on conditions given (name, id, status, label, ancestor, exited, health, volume, network)' }),
    format: Flags.string({ description: "Pretty-print containers to JSON or using a Go template" }),
    'no-trunc': Flags.boolean({ description: 'Display the extended information' }),
    noheading: Flags.boolean({ description: 'Do not print headers' }),
    size: Flags.boolean({ char: 's', description: 'Display the total file sizes' }),
    sort: Flags.option({ options: ['command', 'created', 'id', 'image', 'names', 'runningfor', 'size', 'status'] as const, default: 'created', description: 'Sort output by' })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ContainerList);
    const { listContainers } = await import('../../engine/containers.js');
    const rows = await listContainers({ all: flags.all, latest: flags.latest, last: flags.last, filters: flags.filter }, humanDuration);
    if (flags.format === 'json') {
      this.out(renderList(rows.map((r) => ({ AutoRemove: r.AutoRemove, Command: r.Command.split(' '), Created: r.Created, CreatedAt: r.CreatedAt, Exited: r.Exited, ExitedAt: r.ExitedAt, ExitCode: r.ExitCode, Id: r.Id, Image: r.Image, ImageID: r.ImageID, IsInfra: false, Labels: r.Labels, Mounts: r.Mounts, Names: r.NamesList, Networks: r.Networks, Pid: r.Pid, Pod: '', PodName: '', Ports: r.Ports, RestartCount: r.RestartCount, StartedAt: r.StartedAt, State: r.State, Status: r.Status })), { format: 'json', columns: [] }));
      return;
    }
    if (flags.quiet) { this.out(rows.map((r) => (flags['no-trunc'] ? r.Id : r.ID)).join('\n')); return; }
    let sizes: Map<string, string> | undefined;
    if (flags.size) {
      const { containerSizes } = await import('../../engine/container-size.js');
      sizes = await containerSizes(rows.map((r) => r.Id));
    }
    const view = rows.map((r) => ({
      ...r,
      ID: flags['no-trunc'] ? r.Id : r.ID,
      Command: flags['no-trunc'] || r.Command.length <= 20 ? r.Command : `${r.Command.slice(0, 17)}...`,
      Created: since(r.Created),
      CreatedHuman: since(r.Created),
      RunningFor: since(r.Created),
      Size: sizes?.get(r.Id) ?? '',
    }));
    const columns = [
      { header: 'CONTAINER ID', field: 'ID' }, { header: 'IMAGE', field: 'Image' }, { header: 'COMMAND', field: 'Command' }, { header: 'CREATED', field: 'Created' },
      { header: 'STATUS', field: 'Status' }, { header: 'PORTS', field: 'Ports' }, { header: 'NAMES', field: 'Names' },
      ...(flags.size ? [{ header: 'SIZE', field: 'Size' }] : []),
    ];
    this.out(renderList(view, { format: flags.format, noHeading: flags.noheading, columns, headers: { ID: 'CONTAINER ID', RunningFor: 'CREATED', CreatedAt: 'CREATED AT' } }));
  }
}
