import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts", "test/db/**/*.test.ts", "test/security/**/*.test.ts", "test/emulator/**/*.test.ts", "test/web/**/*.test.{ts,tsx}", "test/e2e/**/*.test.ts"],
    // Emulator-backed files each start their own processes: on two cores they
    // run one file at a time.
    fileParallelism: false,
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ["default"],
  },
});
