// The evaluator of a project tree, for `npm run plan` (a base ref's tree) and `npm run graph --dir`: this tree's own
// modules, imported by name, or another tree's, loaded from that tree so a base is evaluated with the code it had.
// The one place outside index.ts's re-evaluation that loads code by a computed path (test/architecture.test.ts).
import * as fs from "fs";
import * as path from "path";
import type { Settings } from "../../config/settings";
import type { Graph, RunOptions } from "./harness";
import type { StackOptions } from "./stack";

/** This tree: tools/evaluate/ is two levels below it. */
const THIS_TREE = path.resolve(__dirname, "../..");

export interface TreeEvaluator {
    /**
     * Writes what `npm run render` writes for the stack into outDir; returns the relative paths. `deployed`: as for a
     * cloud that last deployed that release (a base tree from before hops were rendered ignores it).
     */
    readonly render: (
        stack: string,
        outDir: string,
        projectDir: string,
        overrides?: Record<string, unknown>,
        deployed?: string,
    ) => string[];
    readonly stackSettings: (stack: string) => Settings;
    readonly stackRunOptions: (opts: StackOptions) => RunOptions;
    readonly runIndex: (opts: RunOptions) => Promise<Graph>;
}

/**
 * Where a tree keeps its evaluator: tools/evaluate/ since it left the tests; a tree from before that commit has it in
 * test/support/ (same module names and exports), which is how `npm run plan -- <stack> --base <older ref>` still
 * evaluates such a base with its own code.
 */
export function evaluatorDir(dir: string): string {
    for (const rel of ["tools/evaluate", "test/support"]) {
        if (fs.existsSync(path.join(dir, rel, "harness.ts"))) return rel;
    }
    throw new Error(`${dir} has no mock-runtime evaluator (tools/evaluate/harness.ts)`);
}

/**
 * The evaluator of the tree at dir. This tree's modules are imported only when this tree is the one evaluated: a base
 * tree's evaluation (its own process, see tools/plan.ts) loads that tree's copies and nothing of ours.
 */
export async function evaluatorOf(dir: string): Promise<TreeEvaluator> {
    if (path.resolve(dir) === THIS_TREE) {
        const [{ render }, { runIndex }, { stackRunOptions, stackSettings }] = await Promise.all([
            import("../render"),
            import("./harness"),
            import("./stack"),
        ]);
        return { render, stackSettings, stackRunOptions, runIndex };
    }
    const at = evaluatorDir(dir);
    /* eslint-disable @typescript-eslint/no-require-imports -- another tree's modules, by their path */
    const { stackRunOptions, stackSettings } = require(
        path.join(dir, at, "stack"),
    ) as typeof import("./stack");
    const { runIndex } = require(path.join(dir, at, "harness")) as typeof import("./harness");
    const { render } = require(path.join(dir, "tools/render")) as typeof import("../render");
    /* eslint-enable @typescript-eslint/no-require-imports */
    return {
        render,
        stackSettings: (stack) => stackSettings(stack),
        stackRunOptions,
        runIndex,
    };
}
