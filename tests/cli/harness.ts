/** The CLI run in-process: `main(argv)` with its stderr and stdout captured per test. */
import { afterEach, beforeEach, vi } from 'vitest';
import { main } from '../../src/cli/main';

/** What the current test's CLI calls wrote; reset before each test. */
export const io = { stderr: '', stdout: [] as string[] };

/** Installs the capture for every test of the calling file. */
export function captureCliOutput() {
  beforeEach(() => {
    io.stderr = '';
    io.stdout = [];
    // The progress bar and messages go to stderr; keep them out of the test log but readable here.
    vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
      io.stderr += typeof chunk === 'string' ? chunk : Buffer.from(chunk).toString();
      return true;
    });
    vi.spyOn(console, 'log').mockImplementation((...args: unknown[]) => void io.stdout.push(args.join(' ')));
  });
  afterEach(() => {
    vi.restoreAllMocks();
    // main() reports through process.exitCode; never let it leak into the test runner's own exit code.
    process.exitCode = undefined;
  });
}

/** Runs the CLI in-process and returns its exit code. */
export async function cli(...argv: string[]): Promise<number> {
  process.exitCode = undefined;
  const code = await main(argv);
  process.exitCode = undefined;
  return code;
}
