import { Args, Flags } from '@oclif/core';
import { TspodCommand } from '../../cli/base.js';

const many = (description: string) => Flags.string({ multiple: true, multipleNonGreedy: true, description });

export default class PodCreate extends TspodCommand {
  static override summary = 'Create a new empty pod';
  static override description = 'A pod is a group of containers sharing namespaces (by default net, ipc and uts) held by an infra container, '
    + 'which also holds the pod\'s published ports, /etc/hosts, DNS configuration and hostname. Add containers with "tspod run --pod NAME".';
  static override examples = [
    'tspod pod create --name web -p 8080:80',
    'tspod pod create --name db --share +pid --exit-policy stop',
    'tspod pod create --infra=false --name plain',
  ];
  static override args = { name: Args.string({ ignoreStdin: true, description: 'pod name (instead of --name)', required: false }) };
  static override flags = {
    name: Flags.string({ char: 'n', description: 'Assign a name to the pod' }),
    publish: Flags.string({ char: 'p', multiple: true, multipleNonGreedy: true, description: 'Publish a port or a range of ports of the pod to the host ([[ip:]hostPort:]containerPort[/proto])' }),
    network: Flags.string({ description: 'Network of the pod: slirp4netns (default), none, host, or a network made with "tspod network create"', aliases: ['net'] }),
    'network-alias': many('Add a network-scoped alias for the pod (user-defined networks)'),
    share: Flags.string({ description: 'Namespaces to share among the pod\'s containers: cgroup, ipc, net, pid, uts or none (a leading + adds to the default net,ipc,uts)' }),
    hostname: Flags.string({ description: 'Set the pod\'s hostname (default: its name)' }),
    'add-host': many('Add a custom host-to-IP mapping (host:ip) to the pod\'s /etc/hosts'),
    dns: many('Set custom DNS servers for the pod'),
    'dns-search': many('Set custom DNS search domains for the pod'),
    'dns-option': many('Set custom DNS options for the pod'),
    label: many('Set metadata on the pod (key=value)'),
    volume: many('Bind mount a volume into every container of the pod (-v syntax)'),
    userns: Flags.string({ description: 'User namespace the pod\'s containers use (host or keep-id)' }),
    'exit-policy': Flags.option({ options: ['continue', 'stop'] as const, description: 'What the pod does when its last container exits: continue (default) or stop' })(),
    replace: Flags.boolean({ description: 'If a pod with the same name exists, replace it' }),
    'pod-id-file': Flags.string({ description: 'Write the pod ID to the file' }),
    infra: Flags.boolean({ allowNo: true, default: true, description: 'Create an infra container for the pod (--infra=false: none, and nothing shared)' }),
    'infra-image': Flags.string({ description: 'The image of the infra container (default: a local image with catatonit)' }),
    'infra-command': Flags.string({ description: 'The command the infra container runs (default: /catatonit -P)' }),
    'infra-name': Flags.string({ description: 'The name of the infra container' }),
    'infra-conmon-pidfile': Flags.string({ description: 'Write the PID of the infra container\'s conmon to this file' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(PodCreate);
    if (args.name && flags.name && args.name !== flags.name) this.fail('cannot specify both --name and a pod name argument');
    const { createPod } = await import('../../engine/pod/index.js');
    const ic = flags['infra-command'];
    const r = await createPod({
      name: flags.name ?? args.name, publish: flags.publish, network: flags.network, networkAlias: flags['network-alias'], share: flags.share, hostname: flags.hostname,
      addHost: flags['add-host'], dns: flags.dns, dnsSearch: flags['dns-search'], dnsOption: flags['dns-option'], label: flags.label, volume: flags.volume,
      userns: flags.userns, exitPolicy: flags['exit-policy'], replace: flags.replace, podIdFile: flags['pod-id-file'], infra: flags.infra,
      infraImage: flags['infra-image'], infraCommand: ic === undefined ? undefined : ic.trim().startsWith('[') ? JSON.parse(ic) as string[] : ic.split(/\s+/).filter(Boolean),
      infraName: flags['infra-name'], infraConmonPidfile: flags['infra-conmon-pidfile'], createCommand: ['tspod', ...process.argv.slice(2)],
    });
    for (const w of r.warnings) this.warn2(w);
    this.out(r.id);
  }
}
