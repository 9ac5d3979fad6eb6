// @onflow/fcl 1.21 publishes no declarations (its package lacks the types/
// folder its package.json names); these cover the part of its API this project
// uses. Values crossing the boundary are `unknown` until decoded and checked.
declare module "@onflow/fcl" {
  export interface ConfigApi {
    put(key: string, value: unknown): ConfigApi;
    get(key: string, fallback?: unknown): Promise<unknown>;
  }
  export function config(values?: Record<string, unknown>): ConfigApi;

  export type ArgFn = (value: unknown, type: CadenceType) => unknown;
  export interface CadenceType {
    label: string;
  }
  export interface CadenceTypes {
    Address: CadenceType;
    String: CadenceType;
    Bool: CadenceType;
    UInt8: CadenceType;
    UInt32: CadenceType;
    UInt64: CadenceType;
    UInt128: CadenceType;
    UInt256: CadenceType;
    Int: CadenceType;
    UFix64: CadenceType;
    Optional(inner: CadenceType): CadenceType;
    Array(inner?: CadenceType): CadenceType;
    Dictionary(entries: { key: CadenceType; value: CadenceType } | { key: CadenceType; value: CadenceType }[]): CadenceType;
  }

  export interface Signable {
    message: string;
    addr?: string;
    keyId?: number;
  }
  export interface AuthorizationAccount {
    tempId: string;
    addr: string;
    keyId: number;
    signingFunction(signable: Signable): Promise<{ addr: string; keyId: number; signature: string }>;
    [key: string]: unknown;
  }
  export type AuthorizationFunction = (account: Record<string, unknown>) => Promise<AuthorizationAccount> | AuthorizationAccount;

  export interface QueryOptions {
    cadence: string;
    args?: (arg: ArgFn, t: CadenceTypes) => unknown[];
    limit?: number;
  }
  export interface MutateOptions extends QueryOptions {
    proposer?: AuthorizationFunction;
    payer?: AuthorizationFunction;
    authorizations?: AuthorizationFunction[];
    authz?: AuthorizationFunction;
  }

  export interface FlowEvent {
    type: string;
    transactionId: string;
    transactionIndex: number;
    eventIndex: number;
    data: unknown;
  }
  export interface TransactionStatus {
    blockId: string;
    status: number;
    statusString: string;
    statusCode: number;
    errorMessage: string;
    events: FlowEvent[];
  }
  export interface TransactionHandle {
    onceFinalized(): Promise<TransactionStatus>;
    onceExecuted(): Promise<TransactionStatus>;
    onceSealed(): Promise<TransactionStatus>;
    subscribe(callback: (status: TransactionStatus) => void): () => void;
  }

  export interface CurrentUser {
    addr?: string;
    loggedIn?: boolean;
    [key: string]: unknown;
  }

  export function query(options: QueryOptions): Promise<unknown>;
  export function mutate(options: MutateOptions): Promise<string>;
  export function tx(transactionId: string): TransactionHandle;
  export function send(builders: unknown[]): Promise<unknown>;
  export function decode(response: unknown): Promise<unknown>;
  export function getBlock(sealed?: boolean): unknown;
  export function getEventsAtBlockHeightRange(type: string, start: number, end: number): unknown;
  export function getAccount(address: string): unknown;
  export function account(address: string): Promise<{ address: string; balance: number; keys: unknown[] }>;
  export function authenticate(): Promise<CurrentUser>;
  export function unauthenticate(): void;
  export const authz: AuthorizationFunction;
  export const currentUser: {
    subscribe(callback: (user: CurrentUser) => void): () => void;
    snapshot(): Promise<CurrentUser>;
    signUserMessage(hexMessage: string): Promise<{ addr: string; keyId: number; signature: string; f_type: string }[]>;
    authorization: AuthorizationFunction;
  };
  export const t: CadenceTypes;
  export function sansPrefix(address: string): string;
  export function withPrefix(address: string): string;
  export function display(address: string): string;
}
