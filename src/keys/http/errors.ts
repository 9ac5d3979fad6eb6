import { FlareFlowError } from "../../errors";

/** An error the HTTP layer turns into `{error: {code, message}}` with its status (and any extra headers). */
export class HttpError extends FlareFlowError {
  override readonly name = "HttpError";
  override readonly docs = "README.md#services";
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly headers: Readonly<Record<string, string>> = {},
  ) {
    super(message);
  }
}
