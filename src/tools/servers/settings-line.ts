/**
 * A warm spare's settings: the one line of JSON a spare tool server reads from stdin once it has
 * loaded its code, before the MCP stream starts on the rest of stdin. What follows the line's
 * newline — in the same chunk and after — is handed on as a stream of its own for the server's
 * transport. Stdin is never paused on the way: a stdin pipe paused and resumed with lines already
 * buffered left the event loop asleep until the next I/O under tsx's loader (the tests' launcher),
 * and a relay costs nothing here.
 */
import { PassThrough, type Readable } from "node:stream";
import { SwitchyardError } from "../../errors/switchyard-error.js";

/** Settings are a small JSON object; a line this long is not one. */
export const MAX_SETTINGS_LINE_BYTES = 1024 * 1024;

export interface SettingsLine {
  /** The line, without its newline. */
  line: string;
  /** Everything the input carries after the line, ending when it ends. */
  rest: Readable;
}

/**
 * The settings line and the rest of the input; undefined when the input ends first (the process
 * that started the spare has gone, or closed it as not needed).
 */
export function readSettingsLine(input: Readable): Promise<SettingsLine | undefined> {
  return new Promise((resolve, reject) => {
    const pieces: Buffer[] = [];
    let bytes = 0;
    const stop = () => {
      input.off("data", onData);
      input.off("end", onEnd);
      input.off("error", onError);
    };
    const onData = (chunk: Buffer) => {
      const newline = chunk.indexOf(10);
      if (newline === -1) {
        pieces.push(chunk);
        bytes += chunk.length;
        if (bytes <= MAX_SETTINGS_LINE_BYTES) return;
        stop();
        input.pause();
        reject(
          new SwitchyardError(
            "invalid-request",
            `The settings line on stdin is over ${MAX_SETTINGS_LINE_BYTES} bytes; send the settings as one line of JSON`,
          ),
        );
        return;
      }
      pieces.push(chunk.subarray(0, newline));
      stop();
      // Attached in this same callback, so no chunk falls between the line and the relay.
      // No backpressure on purpose: pausing stdin is what this relay avoids (the server reads as
      // fast as the parent writes, one request at a time).
      const rest = new PassThrough();
      rest.write(chunk.subarray(newline + 1));
      input.on("data", (next: Buffer) => rest.write(next));
      input.once("end", () => rest.end());
      input.once("error", (error) => rest.destroy(error));
      resolve({ line: Buffer.concat(pieces).toString("utf8"), rest });
    };
    const onEnd = () => {
      stop();
      resolve(undefined);
    };
    const onError = (error: Error) => {
      stop();
      reject(error);
    };
    input.on("data", onData);
    input.once("end", onEnd);
    input.once("error", onError);
  });
}
