import { Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';
import { renderList, since } from '../../cli/output.js';

export default class PodPs extends TspodCommand {
  static override summary = 'List pods';
  static override aliases = ['pod:ls', 'pod:list'];
  static override examples = ['tspod pod ps', 'tspod pod ps --ctr-names --ctr-status', 'tspod pod ps --filter status=running --format "{{.Name}}"'];
  static override flags = {
    filter: Flags.string({ char: 'f', multiple: true, multipleNonGreedy: true, description: 'Filter output (id, name, label, status, ctr-names, ctr-ids, ctr-status, ctr-number, network, until)' }),
    format: Flags.string({ description: 'Pretty-print pods to JSON or using a Go template' }),
    'ctr-names': Flags.boolean({ description: 'Display the container names' }),
    'ctr-ids': Flags.boolean({ description: 'Display the container IDs' }),
    'ctr-status': Flags.boolean({ description: 'Display the container statuses' }),
    quiet: Flags.boolean({ char: 'q', description: 'Print the numeric IDs of the pods only' }),
    'no-trunc': Flags.boolean({ description: 'Do not truncate pod and container IDs' }),
    noheading: Flags.boolean({ description: 'Do not print headers' }),
    namespace: Flags.boolean({ description: 'Display the namespace (cgroup) information of the pod' }),
    sort: Flags.option({ options: ['created', 'id', 'name', 'number', 'status'] as const, default: 'created', description: 'Sort output by' })(),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(PodPs);
    const { listPods } = await import('../../engine/pod/index.js');
    const rows = await listPods({ filters: flags.filter });
    if (flags.format?.trim().toLowerCase() === 'json') { this.out(renderList(rows, { format: 'json', columns: [] })); return; }
    const trunc = (id: string) => (flags['no-trunc'] ? id : id.slice(0, 12));
    const view = rows.map((r) => ({
      ...r, ID: trunc(r.Id), InfraID: trunc(r.InfraId), Created: since(Math.floor(Date.parse(r.Created) / 1000)), NumberOfContainers: r.Containers.length,
      ContainerNames: r.Containers.map((c) => c.Names).join(','), ContainerIds: r.Containers.map((c) => trunc(c.Id)).join(','),
      ContainerStatuses: r.Containers.map((c) => c.Status).join(','), Networks: r.Networks.join(','),
    }));
    const key: Record<string, (v: typeof view[number]) => string | number> = { id: (v) => v.Id, name: (v) => v.Name, number: (v) => v.NumberOfContainers, status: (v) => v.Status };
    const k = key[flags.sort];
    if (k) view.sort((a, b) => (k(a) < k(b) ? -1 : k(a) > k(b) ? 1 : 0));
    if (flags.quiet) { this.out(view.map((v) => v.ID).join('\n')); return; }
    const extra = flags['ctr-ids'] || flags['ctr-names'] || flags['ctr-status'];
    const columns = [
      { header: 'POD ID', field: 'ID' }, { header: 'NAME', field: 'Name' }, { header: 'STATUS', field: 'Status' }, { header: 'CREATED', field: 'Created' },
      { header: 'INFRA ID', field: 'InfraID' },
      ...(flags['ctr-ids'] ? [{ header: 'IDS', field: 'ContainerIds' }] : []),
      ...(flags['ctr-names'] ? [{ header: 'NAMES', field: 'ContainerNames' }] : []),
      ...(flags['ctr-status'] ? [{ header: 'STATUS', field: 'ContainerStatuses' }] : []),
      ...(flags.namespace ? [{ header: 'CGROUP', field: 'Cgroup' }, { header: 'NAMESPACES', field: 'Namespace' }] : []),
      ...(extra ? [] : [{ header: '# OF CONTAINERS', field: 'NumberOfContainers' }]),
    ];
    this.out(renderList(view, {
      format: flags.format, noHeading: flags.noheading, columns,
      headers: { ID: 'POD ID', InfraID: 'INFRA ID', NumberOfContainers: '# OF CONTAINERS', ContainerIds: 'IDS', ContainerNames: 'NAMES', ContainerStatuses: 'STATUS' },
    }));
  }
}
