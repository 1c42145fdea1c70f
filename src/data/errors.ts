/**
 * Every data problem a user can cause (bad file, wrong folder, truncated
 * download) is a DataError, so the UI and CLI can show `message` + `hint`
 * instead of a stack trace.
 */
export class DataError extends Error {
  override name = 'DataError';
  /** The file or folder at fault, as the user named it. */
  readonly file: string;
  /** What to do about it. */
  readonly hint: string;

  constructor(file: string, problem: string, hint = '') {
    super(`${file}: ${problem}`);
    this.file = file;
    this.hint = hint;
  }
}
