import { FlareFlowError } from "../errors";

/** A call of the seed's API refused before or after its transaction: a wrong signer, a subscription Flow does not know, an event missing. */
export class ApiError extends FlareFlowError {
  override readonly name = "ApiError";
  override readonly docs = "README.md#the-seeds-api-by-name";
}
