import * as fs from 'node:fs';
import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';

export default class KubeGenerate extends TspodCommand {
  static override summary = 'Generate Kubernetes YAML from containers, pods or volumes';
  static override description = [
    'Writes a Pod (or, with --type deployment, a Deployment) holding the given pod\'s containers, or the given containers (in one pod named',
    '<first container>-pod), with their images, the commands and environment that differ from the image, ports, volumes (named volumes as',
    'PersistentVolumeClaims, bind mounts as hostPath), capabilities, resources, health checks as liveness probes and the restart policy;',
    'a PersistentVolumeClaim per named volume; with --service, a Service for the published ports. Names are made valid for Kubernetes',
    '(lowercase RFC 1123 labels and subdomains, RFC 1035 for Services; annotation keys qualified names) and every document is checked',
    'against the API server\'s rules before it is written. With --project, a compose project (found by Compose\'s labels) becomes a',
    'Deployment and a Service per service (named as the service, so services still find each other by name), with PersistentVolumeClaims.',
  ].join('\n');
  static override aliases = ['generate:kube'];
  static override strict = false;
  static override args = { name: Args.string({ description: 'Pods, containers or volumes (names or IDs)' }) };
  static override examples = [
    { description: 'A Pod and Service for a pod', command: '<%= config.bin %> kube generate -s web > web.yaml' },
    { description: 'A Deployment of three replicas of a container', command: '<%= config.bin %> kube generate --type deployment --replicas 3 -f web.yaml web' },
    { description: 'Deployments, Services and claims for a compose project', command: '<%= config.bin %> kube generate --project shop > shop.yaml' },
  ];
  static override flags = {
    service: Flags.boolean({ char: 's', description: 'Also write a Service (type NodePort) for the published ports' }),
    filename: Flags.string({ char: 'f', description: 'Write the YAML to this file instead of standard output' }),
    type: Flags.option({ char: 't', options: ['pod', 'deployment'] as const, description: 'The kind of workload to write', default: 'pod' })(),
    replicas: Flags.integer({ char: 'r', description: 'Replicas of a Deployment (--type deployment)', min: 0 }),
    project: Flags.string({ description: 'A compose project: a Deployment and a Service per service, and PersistentVolumeClaims for its volumes' }),
  };

  async run(): Promise<void> {
    const { flags, argv } = await this.parseCmd(KubeGenerate);
    if (flags.replicas !== undefined && flags.type !== 'deployment') this.fail('--replicas is only for --type deployment');
    const names = argv as string[];
    if (!names.length && !flags.project) this.fail('kube generate needs pods, containers or volumes to generate from, or --project');
    if (names.length && flags.project) this.fail('kube generate takes either names or --project, not both');
    const { collect, collectProject } = await import('../../kube/collect.js');
    const { generateKube, renderKube } = await import('../../kube/generate.js');
    const { version } = (await import('../../engine/index.js')).system;
    const input = flags.project ? { pods: await collectProject(flags.project), volumes: [] } : await collect(names);
    const project = !!flags.project;
    const { objects, warnings } = generateKube(input.pods, input.volumes, { service: flags.service || project, type: project ? 'deployment' : flags.type, replicas: flags.replicas });
    for (const w of warnings) this.warn2(w);
    const text = renderKube(objects, (await version()).Client.Version);
    if (flags.filename) { fs.writeFileSync(flags.filename, text, { mode: 0o644 }); return; }
    process.stdout.write(text);
  }
}
