import { createContext, useContext, type Context } from "react";
import { PageError } from "../errors";

/**
 * A context with no sensible default, and its hook: read outside its provider, the hook throws
 * (`use<name> outside <name>Provider`), a wiring mistake to see at once rather than a state to render.
 */
export function requiredContext<T>(name: string): [Context<T | null>, () => T] {
  const context = createContext<T | null>(null);
  const useValue = (): T => {
    const value = useContext(context);
    if (!value) throw new PageError(`use${name} outside ${name}Provider`);
    return value;
  };
  return [context, useValue];
}
