import { defineConfig } from "vitest/config";

// What Stryker runs for each TypeScript mutant: the unit tests only (hermetic, seconds). The
// emulator, browser and end-to-end files start processes and take minutes; they are not run
// per mutant, so code only they exercise shows as "no coverage" in the mutation report.
export default defineConfig({
  test: {
    include: ["test/unit/**/*.test.ts"],
    testTimeout: 60_000,
  },
});
