import { ensureWebBuild } from '../../src/http/web-build';

/** The browser journeys test the console as built: build it first when missing or stale. */
export default async function setup() {
  await ensureWebBuild((line) => process.stdout.write(`${line}\n`));
}
