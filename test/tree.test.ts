// tools/evaluate/tree.ts: which evaluator evaluates a tree. This tree's is imported statically; another tree (a base
// ref `npm run plan` extracts) brings its own, from tools/evaluate/ or, older than that, test/support/. A base that
// old evaluated end to end: plan.test.ts.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import { render } from "../tools/render";
import { runIndex } from "../tools/evaluate/harness";
import { PROJECT_DIR, stackRunOptions } from "../tools/evaluate/stack";
import { evaluatorDir, evaluatorOf } from "../tools/evaluate/tree";
import { tempDir } from "./support/tools";

describe("tree evaluators: this tree's own, or the one a base tree brings", () => {
    it("evaluates this tree with the modules it imports", async () => {
        const e = await evaluatorOf(PROJECT_DIR);
        assert.equal(e.runIndex, runIndex);
        assert.equal(e.stackRunOptions, stackRunOptions);
        assert.equal(e.render, render);
        assert.equal(evaluatorDir(PROJECT_DIR), "tools/evaluate");
    });

    it("finds a tree's evaluator in tools/evaluate/, in test/support/ in a tree from before the move, or names what is missing", () => {
        const tree = tempDir("tree-");
        const plant = (rel: string) => {
            fs.mkdirSync(path.join(tree, rel), { recursive: true });
            fs.writeFileSync(path.join(tree, rel, "harness.ts"), "");
        };
        assert.throws(
            () => evaluatorDir(tree),
            /has no mock-runtime evaluator \(tools\/evaluate\/harness\.ts\)/,
        );
        plant("test/support");
        assert.equal(evaluatorDir(tree), "test/support");
        plant("tools/evaluate");
        assert.equal(evaluatorDir(tree), "tools/evaluate");
    });
});
