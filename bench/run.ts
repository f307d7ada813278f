// `npm run bench`: how long validation, rendering and a whole-stack evaluation take (figures, not assertions).
// `npm run bench -- mirror [options]`: the image mirror against a real registry pair (bench/mirror.ts).
import { hostScripts } from "../render/hostFiles";
import { mirrorBench } from "./mirror";
import { kollaFiles } from "../render/deployHost";
import { parseSettings } from "../config/settings";
import { runIndex } from "../tools/evaluate/harness";
import { stackRunOptions, stackValues, TEST_PUBLIC_KEY } from "../tools/evaluate/stack";

async function time<T>(label: string, runs: number, f: () => T | Promise<T>): Promise<T> {
    let last: T | undefined;
    const start = process.hrtime.bigint();
    for (let i = 0; i < runs; i++) last = await f();
    const ms = Number(process.hrtime.bigint() - start) / 1e6;
    console.log(
        `${label.padEnd(44)} ${runs.toString().padStart(5)} runs  ${(ms / runs).toFixed(3).padStart(10)} ms/run`,
    );
    return last as T;
}

(async () => {
    if (process.argv[2] === "mirror") return mirrorBench(process.argv.slice(3));
    const raw = stackValues("aio");
    const settings = await time("parseSettings (aio)", 2000, () => parseSettings(raw));
    await time("render globals, inventory, ansible.cfg", 500, () => kollaFiles(settings));
    const scripts = await time("render every script", 100, () => hostScripts(settings));
    console.log(
        `  ${scripts.length} scripts, ${scripts.reduce((n, s) => n + s.text.length, 0)} bytes`,
    );
    const graph = await time("whole stack under the mock runtime", 3, () =>
        runIndex(stackRunOptions({ overrides: { keypairPublicKey: TEST_PUBLIC_KEY } })),
    );
    console.log(
        `  ${graph.resources.length} registrations, ${Object.keys(graph.exports).length} outputs`,
    );
})().catch((e) => {
    console.error(e);
    process.exit(1);
});
