/** CSV text of 2-D points → rows (browser-safe): x,y with an optional class column. */

export interface PointRows {
  /** 2 (x,y) or 3 (x,y,class) */
  columns: 2 | 3;
  /** x0,y0,x1,y1,… for the good rows */
  xy: number[];
  /** class per good row, as written, when columns is 3 */
  classes: string[];
  /** "line 7: …" for each bad row, in order */
  bad: string[];
}

/** Comma, tab or semicolon when the first line has one (in that order); else runs of spaces. */
function splitterFor(line: string): (line: string) => string[] {
  const sep = [',', '\t', ';'].find((s) => line.includes(s));
  const split = sep ? (l: string) => l.split(sep) : (l: string) => l.trim().split(/\s+/);
  return (l) => {
    const fields = split(l).map((f) => f.trim().replace(/^"(.*)"$/, '$1'));
    if (fields.length > 1 && fields[fields.length - 1] === '') fields.pop(); // "1,2," from spreadsheet exports
    return fields;
  };
}

const isNumber = (s: string) => s !== '' && Number.isFinite(Number(s));
/** A field as the user wrote it, cut short: a binary file's "line" can be huge. */
const quote = (s: string) => `"${s.length > 40 ? s.slice(0, 40) + '…' : s}"`;

/**
 * Parses points from `text`. A first line whose x and y fields are not numbers
 * is a header; blank lines are ignored. The column count is set by the header or
 * the first row; rows that disagree or hold a non-number are listed in `bad`.
 * Returns a string (why) when the layout itself is unusable.
 */
export function parsePointsCsv(text: string): PointRows | string {
  const lines = text.split(/\r\n|\n|\r/);
  const first = lines.findIndex((l) => l.trim() !== '');
  if (first < 0) return 'is empty';
  const split = splitterFor(lines[first]);
  const head = split(lines[first]);
  const isHeader = !isNumber(head[0]) && !isNumber(head[1] ?? '');
  if (head.length !== 2 && head.length !== 3) {
    return `${isHeader ? 'header' : 'line ' + (first + 1)} has ${head.length} column${head.length === 1 ? '' : 's'}; expected x,y or x,y,class`;
  }
  const rows: PointRows = { columns: head.length, xy: [], classes: [], bad: [] };
  for (let i = isHeader ? first + 1 : first; i < lines.length; i++) {
    if (lines[i].trim() === '') continue;
    const f = split(lines[i]);
    const at = `line ${i + 1}:`;
    if (f.length !== rows.columns) rows.bad.push(`${at} has ${f.length} column${f.length === 1 ? '' : 's'}, expected ${rows.columns}`);
    else if (!isNumber(f[0])) rows.bad.push(`${at} ${quote(f[0])} is not a number`);
    else if (!isNumber(f[1])) rows.bad.push(`${at} ${quote(f[1])} is not a number`);
    else if (rows.columns === 3 && f[2] === '') rows.bad.push(`${at} the class is empty`);
    else {
      rows.xy.push(Number(f[0]), Number(f[1]));
      if (rows.columns === 3) rows.classes.push(f[2]);
    }
  }
  return rows;
}
