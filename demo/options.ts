import { MAX_STUDENTS } from './plan';

/** `mingde demo` options after parsing. */
export interface DemoOptions {
  seed?: number;
  /** Active K-12 students (1 – 1,000,000); the default demo has 20,000. */
  students?: number;
  force?: boolean;
}

/** A bad `mingde demo` option: printed as is (bilingual), exit code 2. */
export class DemoOptionError extends Error {}

const wholeNumber = (text: string) => (/^\d+$/.test(text.trim()) ? Number(text.trim()) : Number.NaN);

/** `--seed` and `--students` as typed on the command line; every problem is named in the error. */
export function parseDemoOptions(values: { seed?: string; students?: string; force?: boolean }): DemoOptions {
  const problems: string[] = [];
  const options: DemoOptions = { force: values.force };
  if (values.seed !== undefined) {
    const seed = wholeNumber(values.seed);
    if (Number.isSafeInteger(seed) && seed <= 0xffff_ffff) options.seed = seed;
    else
      problems.push(
        `--seed 应为 0 至 4294967295 的整数 / --seed must be a whole number from 0 to 4294967295`,
      );
  }
  if (values.students !== undefined) {
    const students = wholeNumber(values.students.replaceAll('_', '').replaceAll(',', ''));
    if (Number.isSafeInteger(students) && students >= 1 && students <= MAX_STUDENTS)
      options.students = students;
    else
      problems.push(
        `--students 应为 1 至 ${MAX_STUDENTS.toLocaleString('en')} 的整数 / --students must be a whole number from 1 to ${MAX_STUDENTS.toLocaleString('en')}`,
      );
  }
  if (problems.length > 0) throw new DemoOptionError(problems.join('\n'));
  return options;
}
