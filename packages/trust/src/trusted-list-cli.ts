export async function run(_args: string[]): Promise<number> {
  console.error('not built yet');
  return 2;
}
