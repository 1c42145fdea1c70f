/** Why a graph cannot be exported, as data: the node, its type and what is missing, so the editor can point at it. */
export type ExportErrorCode = 'no-emitter' | 'unsupported-setting' | 'not-trainable';

export class ExportError extends Error {
  constructor(
    readonly code: ExportErrorCode,
    /** The document node to point at (the block, for a layer inside one). */
    readonly nodeId: string | null,
    readonly nodeType: string | null,
    /** A sentence that names the node itself. */
    problem: string,
    readonly hint: string,
  ) {
    super(`${problem}; ${hint}`);
    this.name = 'ExportError';
  }
}
