/*
 * `pnpm trust <command>`: the operator's trust material for the edge.
 *   refresh-crls   fetch every trusted CA's CRL from its distribution points, check it, write the bundle
 *   build-bundle   build the QWAC CA bundle from an ETSI TS 119 612 trusted list (or the EU list of lists)
 * Each command lives in its own module and exports `run(args): Promise<number>` (the exit code).
 */

const commands: Record<string, () => Promise<{ run(args: string[]): Promise<number> }>> = {
  'refresh-crls': () => import('./crl-refresh-cli.js'),
  'build-bundle': () => import('./trusted-list-cli.js'),
};

const [name, ...args] = process.argv.slice(2);
const load = name === undefined ? undefined : commands[name];
if (load === undefined) {
  console.error(`usage: pnpm trust <${Object.keys(commands).join('|')}> [options]`);
  process.exitCode = 2;
} else {
  process.exitCode = await (await load()).run(args);
}
