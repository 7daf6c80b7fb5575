import * as fs from 'node:fs';
import * as path from 'node:path';
import { Flags } from '../../cli/params.js';
import { TspodCommand } from '../../cli/base.js';
import { composeFlags, composeLoadOptions } from '../../cli/compose-flags.js';
import type { LoadOptions, Project } from '../../compose/index.js';

// --parallel is a flag of the commands that create containers; the unit's `up` takes COMPOSE_PARALLEL_LIMIT's default
const { parallel: _parallel, ...projectFlags } = composeFlags;

/** What a systemd user manager's environment has (the unit's commands see these, not the shell's). */
const MANAGER_ENV = new Set(['HOME', 'USER', 'LOGNAME', 'SHELL', 'PATH', 'LANG', 'XDG_RUNTIME_DIR', 'XDG_DATA_DIRS', 'XDG_CONFIG_DIRS', 'DBUS_SESSION_BUS_ADDRESS', 'MANAGERPID', 'INVOCATION_ID', 'JOURNAL_STREAM']);

type Compose = typeof import('../../compose/index.js');

/**
 * Variables the Compose files reference that only this shell sets (not the manager, not COMPOSE_*, which the
 * unit's flags carry) and without which the project is not the same (a .env file may set the same value).
 */
function shellVariables(c: Compose, opts: LoadOptions, project: Project): string[] {
  const fixed: LoadOptions = { ...opts, files: project.config_files, projectName: project.name, projectDirectory: project.working_dir, profiles: project.profiles };
  let raw: string;
  try { raw = JSON.stringify(c.loadComposeDocument({ ...fixed, interpolate: false }).tree); } catch { return []; }
  const referenced = new Set([...raw.matchAll(/\$\{?([A-Za-z_][A-Za-z0-9_]*)/g)].map((m) => m[1]!));
  const candidates = [...referenced].filter((v) => process.env[v] !== undefined && !MANAGER_ENV.has(v) && !v.startsWith('COMPOSE_')).sort();
  if (!candidates.length) return [];
  const render = (env: NodeJS.ProcessEnv) => { try { return c.renderProject(c.loadProject({ ...fixed, env }), 'json'); } catch { return undefined; } };
  const withShell = render(process.env);
  // one at a time: a variable matters when the project differs (or does not load) without it
  return candidates.filter((v) => render(Object.fromEntries(Object.entries(process.env).filter(([k]) => k !== v))) !== withShell);
}

export default class ComposeSystemd extends TspodCommand {
  static override summary = 'Generate a systemd user unit that runs a Compose project';
  static override description = `Writes one systemd service unit for the whole project, tspod-compose-PROJECT.service, so that the project survives logout and reboot under the user's systemd manager (what podman-compose's systemd command is for, without its template unit and registry of projects).

The unit is Type=oneshot with RemainAfterExit=yes: ExecStart runs \`tspod compose up --detach --wait\` and ExecStop \`tspod compose down\` (named volumes are kept), both with the Compose files, the project directory, the project name, the --env-file files and the profiles baked in as absolute paths, so compose itself starts the services in dependency order, waits for their depends_on conditions, and the unit is active once every service runs (and is healthy, when it has a healthcheck). Variables are interpolated when the unit starts, from the project's .env file (or the --env-file files) and the manager's environment, not from the shell that ran this command: a warning names the variables the project takes from this shell only. The containers' restart policies hold without the unit, as after \`compose up -d\`.

The project is loaded and validated first; nothing is written when it is invalid. Install the unit under ~/.config/systemd/user, then \`systemctl --user daemon-reload\` and \`systemctl --user enable --now tspod-compose-PROJECT.service\` (and \`loginctl enable-linger\` to start it at boot without a login).

Exit status: 0 on success; 125 with one line when the project is invalid, a Compose file comes from standard input, or the --files directory does not exist.`;
  static override examples = [
    { description: 'Print the unit of the project in the current directory', command: '<%= config.bin %> compose systemd' },
    { description: 'Install and start it', command: '<%= config.bin %> compose systemd --files ~/.config/systemd/user && systemctl --user daemon-reload && systemctl --user enable --now tspod-compose-myapp.service' },
  ];
  static override flags = {
    ...projectFlags,
    files: Flags.string({ description: 'Write the unit into this directory (tspod-compose-PROJECT.service) and print its path, instead of printing the unit' }),
    'start-timeout': Flags.integer({ description: 'Seconds systemd waits for the project to be up (TimeoutStartSec=; default: no limit)' }),
    'no-header': Flags.boolean({ description: 'Leave out the header comment' }),
  };

  async run(): Promise<void> {
    const { flags } = await this.parseCmd(ComposeSystemd);
    const c = await import('../../compose/index.js');
    const opts = composeLoadOptions(flags);
    const project = c.loadProject(opts);
    for (const w of project.warnings) this.warn2(w);
    if (project.config_files.includes('-')) this.fail('a Compose file from standard input cannot be baked into a unit: name the file with --file');
    const shellOnly = shellVariables(c, opts, project);
    if (shellOnly.length) this.warn2(`the project uses ${shellOnly.join(', ')} from this shell's environment, which the unit will not have: put ${shellOnly.length > 1 ? 'them' : 'it'} in the project's .env file (or an --env-file)`);
    let dir: string | undefined;
    if (flags.files !== undefined) {
      dir = path.resolve(flags.files);
      if (!fs.statSync(dir, { throwIfNoEntry: false })?.isDirectory()) this.fail(`--files: ${dir} is not a directory`);
    }
    const { generateComposeUnit, generateContext } = await import('../../engine/systemd.js');
    const grace = Object.values(project.services).map((s) => Math.ceil((s.stop_grace_period ?? 10_000) / 1000));
    const unit = generateComposeUnit({
      name: project.name,
      workingDir: project.working_dir,
      files: project.config_files,
      envFiles: (opts.envFiles ?? []).map((f) => path.resolve(f)),
      profiles: project.profiles,
      stopTimeout: Math.max(10, ...grace),
    }, { noHeader: flags['no-header'], startTimeout: flags['start-timeout'] }, generateContext());
    if (dir === undefined) { process.stdout.write(unit.text); return; }
    const file = path.join(dir, unit.fileName);
    fs.writeFileSync(file, unit.text, { mode: 0o644 });
    this.out(file);
  }
}
