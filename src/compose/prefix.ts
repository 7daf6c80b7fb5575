// The `name | ` prefixes of multiplexed container output (`compose up`, `compose logs`): Compose's short
// container names, aligned, each container in its own colour on a terminal.

/** The name a log line is prefixed with: the container's name without `<project>-` (as Compose prints `web-1`). */
export function shortName(project: string, name: string): string {
  return name.startsWith(`${project}-`) ? name.slice(project.length + 1) : name;
}

// ANSI colours Compose cycles through for the prefixes (bright first)
const COLORS = [36, 33, 32, 35, 34, 96, 93, 92, 95, 94];

/** `name  | ` prefixes, aligned, coloured per service when `color`. */
export function prefixes(project: string, names: string[], color: boolean): Map<string, string> {
  const short = names.map((n) => shortName(project, n));
  const width = Math.max(0, ...short.map((n) => n.length));
  return new Map(names.map((n, i) => {
    const p = `${short[i]!.padEnd(width)} | `;
    return [n, color ? `\u001b[${COLORS[i % COLORS.length]}m${p}\u001b[0m` : p];
  }));
}
