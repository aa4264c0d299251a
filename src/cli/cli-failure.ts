/**
 * The one error a command throws to stop with a message and an exit code (2 for a usage error, 1
 * for a failure). On its own, without the config loader, so that the command-line definitions and
 * the error printing load nothing else.
 */
export class CliFailure extends Error {
  constructor(
    message: string,
    readonly exitCode = 1,
  ) {
    super(message);
  }
}
