import { readFileSync } from 'node:fs';

/** Reads a reference-data copy from src/standards/data (see its README.md for each file's source). */
export function readDataFile(name: string): string {
  return readFileSync(new URL(`./data/${name}`, import.meta.url), 'utf8');
}

/**
 * Rows of one of the division CSVs. They have one quoted `name` column and no embedded quotes or
 * commas, so a full CSV parser is not needed; a row of another shape fails loudly.
 */
export function readCsvRows(name: string): Record<string, string>[] {
  const [header, ...lines] = readDataFile(name).split('\n');
  const columns = (header ?? '').split(',');
  return lines
    .filter((line) => line.trim() !== '')
    .map((line) => {
      const cells = line.split(',').map((cell) => cell.replace(/^"(.*)"$/, '$1'));
      if (cells.length !== columns.length) throw new Error(`${name}: malformed row: ${line}`);
      return Object.fromEntries(columns.map((column, i) => [column, cells[i] ?? '']));
    });
}
