/** A command line that cannot be acted on (exit status 2, like a scenario problem). */
export class UsageError extends Error {}
UsageError.prototype.name = 'UsageError';
