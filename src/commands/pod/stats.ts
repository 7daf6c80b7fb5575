import { Args, Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { renderList } from '../../cli/output.js';

export default class PodStats extends TspodCommand {
  static override summary = 'Display the resource usage of the containers of pods';
  static override description = 'Rootless containers on cgroups v1 have no cgroup of their own: the figures come from procfs '
    + '(the processes of each container\'s PID namespace), and the memory limit is the host\'s unless the container has its own.';
  static override examples = ['tspod pod stats --no-stream web', 'tspod pod stats -a --no-stream --format json'];
  static override strict = false;
  static override args = { pod: Args.string({ ignoreStdin: true, description: 'pod name or ID', required: false }) };
  static override flags = {
    all: Flags.boolean({ char: 'a', description: 'Show the stats of all pods (default: the running ones)' }),
    'no-stream': Flags.boolean({ description: 'Print one sample and exit (default: refresh until interrupted)' }),
    'no-reset': Flags.boolean({ description: 'Do not clear the terminal between samples' }),
    format: Flags.string({ description: "Pretty-print using a Go template, or 'json'" }),
  };
  async run(): Promise<void> {
    const { argv, flags } = await this.parseCmd(PodStats);
    const { podStats } = await import('../../engine/pod/index.js');
    const columns = [
      { header: 'POD', field: 'Pod' }, { header: 'CID', field: 'CID' }, { header: 'NAME', field: 'Name' }, { header: 'CPU %', field: 'CPU' },
      { header: 'MEM USAGE / LIMIT', field: 'MemUsage' }, { header: 'MEM %', field: 'Mem' }, { header: 'NET IO', field: 'NetIO' },
      { header: 'BLOCK IO', field: 'BlockIO' }, { header: 'PIDS', field: 'PIDS' },
    ];
    const headers = { Pod: 'POD', CPU: 'CPU %', MemUsage: 'MEM USAGE / LIMIT', Mem: 'MEM %', NetIO: 'NET IO', BlockIO: 'BLOCK IO' };
    let stop = false;
    process.once('SIGINT', () => { stop = true; });
    do {
      const rows = await podStats({ pods: argv as string[], all: flags.all });
      if (!flags['no-stream'] && !flags['no-reset'] && process.stdout.isTTY) process.stdout.write('\x1b[2J\x1b[H');
      this.out(renderList(rows, { format: flags.format, columns, headers }));
    } while (!flags['no-stream'] && !stop);
  }
}
