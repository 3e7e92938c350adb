/** Every subcommand module exports `run`; the exit code is returned, never process.exit()ed. */
export interface CommandModule {
  run(args: string[]): Promise<number>;
}

/** A usage error: printed without a stack trace, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}
