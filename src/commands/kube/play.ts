import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { readConfigMapFiles, readManifest } from '../../cli/kube-input.js';

export default class KubePlay extends TspodCommand {
  static override summary = 'Create pods, containers and volumes from Kubernetes YAML';
  static override description = [
    'Reads Kubernetes YAML (several documents separated by ---) and runs it: a pod per Pod (named as the Pod, its containers <pod>-<container>),',
    'per Deployment replica (<name>-pod-<i>), per DaemonSet and Job (<name>-pod); a named volume per PersistentVolumeClaim; ConfigMaps and',
    'Secrets feed environments and volumes. A Service is read for its nodePorts and not run. Every document is checked against the',
    'Kubernetes API server\'s rules first: nothing is created unless all of it is valid. Pods join the network podman-default-kube-network',
    '(pods reach each other by name) unless --network says otherwise. Prints the IDs of the pods and containers it made.',
  ].join('\n');
  static override aliases = ['play:kube'];
  static override args = { file: Args.string({ required: true, description: 'Kubernetes YAML file, or - for standard input' }) };
  static override examples = [
    { description: 'Run the pods of a manifest', command: '<%= config.bin %> kube play app.yaml' },
    { description: 'Replace what an earlier play made', command: '<%= config.bin %> kube play --replace app.yaml' },
    { description: 'Tear it down', command: '<%= config.bin %> kube play --down app.yaml' },
  ];
  static override flags = {
    replace: Flags.boolean({ description: 'Remove the pods of the same names (and their own volumes) first' }),
    down: Flags.boolean({ description: 'Remove the pods the file describes, as kube down does' }),
    start: Flags.boolean({ description: 'Start the pods after creating them (--start=false only creates them)', default: true, allowNo: true }),
    build: Flags.boolean({ description: 'Build an image whose name matches a directory with a Containerfile in the context directory' }),
    'context-dir': Flags.string({ description: 'Directory holding the build contexts for --build (default: the current directory)' }),
    network: Flags.string({ description: 'Network for the pods (default: podman-default-kube-network, created when missing)' }),
    configmap: Flags.string({ description: 'YAML file(s) with ConfigMaps the manifest refers to (repeatable, or comma-separated)', multiple: true, multipleNonGreedy: true }),
    publish: Flags.string({ description: 'Publish a port of the pods, [[ip:]hostPort:]containerPort[/protocol] (containerPorts without hostPort are not published)', multiple: true, multipleNonGreedy: true }),
    'log-driver': Flags.string({ description: 'Logging driver for the containers' }),
    userns: Flags.string({ description: 'User namespace mode for the pods' }),
    quiet: Flags.boolean({ char: 'q', description: 'Do not print image pull progress' }),
    'tls-verify': Flags.boolean({ description: 'Require HTTPS and verify certificates when pulling images', allowNo: true }),
    authfile: Flags.string({ description: 'Path of the registry authentication file' }),
  };

  async run(): Promise<void> {
    const { args, flags } = await this.parseCmd(KubePlay);
    const { loadManifest, play, downPods, podsToRemove } = await import('../../kube/play.js');
    const { objects, extra } = loadManifest(args.file, await readManifest(args.file), await readConfigMapFiles(flags.configmap));
    if (flags.down) {
      const { renderDown } = await import('../../kube/render.js');
      const r = await downPods(await podsToRemove(objects));
      process.stdout.write(renderDown(r));
      if (r.errors.length) { for (const e of r.errors.slice(0, -1)) this.warn2(e.message); throw r.errors.at(-1)!; }
      return;
    }
    const rep = await play(objects, extra, {
      configMaps: flags.configmap, replace: flags.replace, start: flags.start, network: flags.network, publish: flags.publish,
      logDriver: flags['log-driver'], userns: flags.userns, tlsVerify: flags['tls-verify'], authfile: flags.authfile,
      build: flags.build, contextDir: flags['context-dir'], quiet: flags.quiet,
    }, { onWarning: (l) => this.warn2(l), onProgress: flags.quiet ? undefined : (l) => process.stderr.write(`${l}\n`) });
    const { renderPlay } = await import('../../kube/render.js');
    process.stdout.write(renderPlay(rep));
  }
}
