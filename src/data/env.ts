/** True under Node (CLI, tests); false in the page and the Web Worker. */
export function isNode(): boolean {
  return typeof process !== 'undefined' && typeof process.versions?.node === 'string';
}

/**
 * Imports a Node built-in only at run time. The specifier goes through a
 * variable so Vite/Rollup never try to bundle `fs` for the browser.
 */
export async function nodeBuiltin<T>(specifier: string): Promise<T> {
  return (await import(/* @vite-ignore */ specifier)) as T;
}
