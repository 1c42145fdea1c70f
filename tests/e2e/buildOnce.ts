/**
 * Vitest global setup for the slow project: one production build of the app
 * for the whole run, instead of one per browser test file. Each file still
 * gets its own copy (harness.buildApp), so a file that deletes its folder, or
 * a run that rebuilds, never pulls the app from under another.
 */
import { rmSync } from 'node:fs';
import type { TestProject } from 'vitest/node';
import { buildInto } from './build';

declare module 'vitest' {
  export interface ProvidedContext {
    /** The folder the global setup built the app into. */
    e2eDist: string;
  }
}

export default function setup(project: TestProject) {
  const dist = buildInto();
  project.provide('e2eDist', dist);
  return () => rmSync(dist, { recursive: true, force: true });
}
