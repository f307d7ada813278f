// Mocha root hooks (loaded by .mocharc.cjs): whatever temporary directories the tests made are removed at the end.
import { removeTempDirs } from "./tools";

export const mochaHooks = {
    afterAll(): void {
        removeTempDirs();
    },
};
