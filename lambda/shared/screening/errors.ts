/** Errors of the output screen ({@link screenOutput}, {@link screenToolArguments}). */

/** Invalid options for the output screen; callers map it (like any exception from screening) to a blocked response. */
export class OutputScreeningError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'OutputScreeningError';
  }
}
