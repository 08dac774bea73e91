/* Plain-text tables for a terminal: a header, a rule, left-aligned columns. */

export function table(header: readonly string[], rows: readonly (readonly string[])[]): string {
  const widths = header.map((title, column) =>
    Math.max(title.length, ...rows.map((row) => (row[column] ?? '').length)),
  );
  const line = (cells: readonly string[]) =>
    cells
      .map((cell, column) => cell.padEnd(widths[column] ?? 0))
      .join('  ')
      .trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)].join('\n');
}

/** `2026-12-03 18:40:12Z`: sortable, unambiguous, short. */
export function instant(date: Date | undefined): string {
  return date === undefined ? '-' : `${date.toISOString().slice(0, 19).replace('T', ' ')}Z`;
}
