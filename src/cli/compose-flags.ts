// The flags every `tspod compose` subcommand takes (Docker Compose's global options), in one place, and
// their translation into the loader's options. Docker Compose users write them before the subcommand
// (`tspod compose -f a.yml config`); hoistComposeFlags moves them after it, where oclif parses them.
import { Flags } from './params.js';
import type { LoadOptions } from '../compose/index.js';

const GROUP = 'COMPOSE';

export const composeFlags = {
  file: Flags.string({ char: 'f', multiple: true, helpGroup: GROUP, description: 'Compose configuration file (repeatable; "-" reads standard input); default: COMPOSE_FILE, else compose.yaml (or compose.yml, docker-compose.yml, docker-compose.yaml) in the current directory or a parent, plus its override file' }),
  'project-name': Flags.string({ char: 'p', helpGroup: GROUP, description: 'Project name (default: COMPOSE_PROJECT_NAME, else the top-level name:, else the project directory\'s name)' }),
  'project-directory': Flags.string({ helpGroup: GROUP, description: 'Project directory: the base of relative paths and of the default .env file (default: the first Compose file\'s directory)' }),
  'env-file': Flags.string({ multiple: true, helpGroup: GROUP, description: 'Environment file for interpolation (repeatable, later files win; default: .env in the project directory)' }),
  profile: Flags.string({ multiple: true, helpGroup: GROUP, description: 'Enable a profile (repeatable; default: COMPOSE_PROFILES)' }),
};

/** Flags of composeFlags that take a value, by every spelling (for hoisting). */
const WITH_VALUE = new Set(['-f', '--file', '-p', '--project-name', '--project-directory', '--env-file', '--profile']);

/**
 * `compose <compose flags> SUBCOMMAND rest` -> `compose SUBCOMMAND <compose flags> rest`, so the options can
 * go before the subcommand as with Docker Compose. Anything else is returned unchanged.
 */
export function hoistComposeFlags(argv: string[]): string[] {
  if (argv[0] !== 'compose') return argv;
  const flags: string[] = [];
  let i = 1;
  while (i < argv.length) {
    const a = argv[i]!;
    const name = a.startsWith('--') ? a.split('=')[0]! : a;
    if (!WITH_VALUE.has(name) && !(/^-[fp]./.test(a))) break;
    // short options become long ones: after the subcommand, `-f` may be its own flag (`logs -f` follows)
    const long = (x: string) => (x.startsWith('-f') ? `--file${x.length > 2 ? `=${x.slice(2)}` : ''}` : x.startsWith('-p') ? `--project-name${x.length > 2 ? `=${x.slice(2)}` : ''}` : x);
    if (a.includes('=') || /^-[fp]./.test(a) || i + 1 >= argv.length) { flags.push(a.startsWith('--') ? a : long(a)); i += 1; } else { flags.push(long(a), argv[i + 1]!); i += 2; }
  }
  if (!flags.length || i >= argv.length) return argv;
  return ['compose', argv[i]!, ...flags, ...argv.slice(i + 1)];
}

export interface ComposeFlagValues {
  file?: string[] | undefined;
  'project-name'?: string | undefined;
  'project-directory'?: string | undefined;
  'env-file'?: string[] | undefined;
  profile?: string[] | undefined;
}

export function composeLoadOptions(f: ComposeFlagValues): LoadOptions {
  return {
    files: f.file,
    projectName: f['project-name'],
    projectDirectory: f['project-directory'],
    envFiles: f['env-file'],
    profiles: f.profile,
  };
}
