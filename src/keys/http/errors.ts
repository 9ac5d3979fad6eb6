import { errorBody, HttpError } from "../../http/error";

/** A refusal as the key service answers it: `{error: {code, message}}` with its status (and any extra headers). */
export function keyError(status: number, code: string, message: string, headers: Readonly<Record<string, string>> = {}): HttpError {
  return new HttpError(status, errorBody(code, message), headers, { message, docs: "README.md#services" });
}
