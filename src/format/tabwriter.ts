// Go's text/tabwriter, as Podman configures it for tables
// (containers/common report.NewWriterDefault: minwidth 12, padding 2, pad ' ').
//
// Cells are tab-terminated; the last cell of a line is not part of a column and
// is never padded. A column is a block of consecutive lines that all have a cell
// in it; its width is the widest cell plus padding, at least minwidth.

export interface TabwriterOptions { minwidth?: number; padding?: number; padchar?: string }

export function tabwrite(text: string, opts: TabwriterOptions = {}): string {
  const minwidth = opts.minwidth ?? 12;
  const padding = opts.padding ?? 2;
  const padchar = opts.padchar ?? ' ';
  const endsWithNewline = text.endsWith('\n');
  const lines = (endsWithNewline ? text.slice(0, -1) : text).split('\n').map((l) => l.split('\t'));
  const width = (s: string): number => {
    if (/^[\x00-\x7f]*$/.test(s)) return s.length;
    let n = 0;
    for (const _ of s) n++;
    return n;
  };
  const out: string[] = new Array<string>(lines.length).fill('');
  const widths: number[] = [];

  const format = (line0: number, line1: number): void => {
    const column = widths.length;
    let start = line0;
    for (let i = line0; i < line1; i++) {
      if (column >= lines[i]!.length - 1) continue;
      // Lines before this one (within the range) have no cell in this column.
      emit(start, i);
      const blockStart = i;
      let w = minwidth;
      for (; i < line1; i++) {
        const line = lines[i]!;
        if (column >= line.length - 1) break;
        w = Math.max(w, width(line[column]!) + padding);
      }
      widths.push(w);
      format(blockStart, i);
      widths.pop();
      start = i; // line i has no cell in this column: written by a later emit
    }
    emit(start, line1);
  };

  const emit = (from: number, to: number): void => {
    for (let i = from; i < to; i++) {
      const cells = lines[i]!;
      let s = '';
      for (let j = 0; j < cells.length; j++) {
        const c = cells[j]!;
        s += c;
        if (j < widths.length) s += padchar.repeat(Math.max(0, widths[j]! - width(c)));
      }
      out[i] = s;
    }
  };

  format(0, lines.length);
  return out.join('\n') + (endsWithNewline ? '\n' : '');
}
