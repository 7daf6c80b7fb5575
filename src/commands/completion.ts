import { Args } from '../cli/params.js';
import { TspodCommand } from '../cli/base.js';
import { completionScript, SHELLS } from '../completion/scripts.js';

export default class Completion extends TspodCommand {
  static override summary = 'Print the shell completion script for bash, zsh or fish';
  static override description = [
    'Print the completion script for SHELL on standard output. Load it into the running shell, or install it where the',
    'shell looks for completions:',
    '',
    '  bash: tspod completion bash > ~/.local/share/bash-completion/completions/tspod',
    '  zsh:  tspod completion zsh > "${fpath[1]}/_tspod"',
    '  fish: tspod completion fish > ~/.config/fish/completions/tspod.fish',
  ].join('\n');
  static override args = {
    shell: Args.string({ ignoreStdin: true, description: 'the shell to print the script for', required: true, options: [...SHELLS] }),
  };
  static override flags = {};
  static override examples = [
    'source <(<%= config.bin %> completion bash)',
    '<%= config.bin %> completion zsh > "${fpath[1]}/_tspod"',
    '<%= config.bin %> completion fish | source',
  ];

  async run(): Promise<void> {
    const { args } = await this.parseCmd(Completion);
    process.stdout.write(completionScript(args.shell as (typeof SHELLS)[number], this.config.root));
  }
}
