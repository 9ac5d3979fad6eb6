import { oraclePublicKey } from "../report/oracle";

/**
 * The local stack's oracle keys: public in this file, for the emulator and Hardhat node only,
 * never for a live network (live oracles bring their own keys through the environment).
 */
export const LOCAL_ORACLE_KEYS: readonly string[] = [
  "0x1b0f1c5e0e6f2ce4b8c6a0b0a2a5e1d6c3c1e8f7a9b2d4c6e8f0a1b3c5d7e9f1",
  "0x2c1e2d6f1f703df5c9d7b1c1b3b6f2e7d4d2f9e8bac3e5d7f9e1b2c4d6e8fa02",
  "0x3d2f3e7020814ee6dae8c2d2c4c7f3f8e5e3fae9cbd4f6e8fae2c3d5e7f9fb13",
];

export const LOCAL_ORACLE_PUBLIC_KEYS: readonly string[] = LOCAL_ORACLE_KEYS.map((k) => oraclePublicKey(k).toLowerCase());
