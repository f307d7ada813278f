// `npm run graph -- <stack> [--dir projectDir] [--overrides JSON] [--deployed RELEASE]`: the stack's resource graph under the mock runtime, as canonical JSON —
// each resource's URN, type, name, parent, provider, inputs (secrets shown as "[secret]"), dependencies and
// options. Two trees give byte-equal output exactly when a deployed stack would see no name, input or edge change,
// which is how a restructuring proves it moves code and nothing else:
//   npm run graph -- aio > after.json && npm run graph -- aio --dir ../base > before.json && diff before.json after.json
// --overrides replaces top-level settings, e.g. '{"enableTls": true}', to compare variants no stack file holds.
// --deployed evaluates the stack as on a cloud that last deployed RELEASE (its own `deployedRelease` output): a release
// change is then the hop it is, e.g. the 2023.1 → 2024.1 hop of aio as the graph's changes:
//   npm run graph -- aio > before.json
//   npm run graph -- aio --overrides '{"release": "2024.1"}' --deployed 2023.1 > after.json
import * as path from "path";
import { evaluatorOf } from "./evaluate/tree";
import { redact } from "./planEvaluate";

/** JSON with sorted object keys and two-space indent, so a diff shows the one input that moved. */
function canonical(v: unknown): unknown {
    if (Array.isArray(v)) return v.map(canonical);
    if (v && typeof v === "object") {
        return Object.fromEntries(
            Object.keys(v)
                .sort()
                .map((k) => [k, canonical((v as Record<string, unknown>)[k])]),
        );
    }
    return v;
}

export async function stackGraph(
    dir: string,
    stack: string,
    overrides: Record<string, unknown> = {},
    deployed?: string,
): Promise<unknown> {
    // The tree's own evaluator: a base tree is evaluated with the code it had.
    const { stackRunOptions, runIndex } = await evaluatorOf(dir);
    const graph = await runIndex({
        ...stackRunOptions({ stack, overrides }),
        // What the program's StackReference to itself reads (config/index.ts loadPriorDeployment).
        ...(deployed ? { prior: { deployedRelease: deployed } } : {}),
    });
    const resources = graph.resources
        .map((r) => ({
            urn: r.urn,
            type: r.type,
            name: r.name,
            custom: r.custom,
            parent: r.parent,
            provider: r.provider,
            inputs: redact(r.inputs, r.secretPaths),
            secretPaths: [...r.secretPaths].sort(),
            dependencies: [...r.dependencies].sort(),
            propertyDependencies: Object.fromEntries(
                Object.entries(r.propertyDependencies).map(([k, deps]) => [k, [...deps].sort()]),
            ),
            options: {
                protect: r.protect,
                retainOnDelete: r.retainOnDelete,
                deleteBeforeReplace: r.deleteBeforeReplace,
                ignoreChanges: r.ignoreChanges,
                replaceOnChanges: r.replaceOnChanges,
                additionalSecretOutputs: r.additionalSecretOutputs,
                customTimeouts: r.customTimeouts,
            },
        }))
        .sort((a, b) => a.urn.localeCompare(b.urn));
    return canonical({
        stack,
        resources,
        exports: graph.exports,
        secretExports: [...graph.secretExports].sort(),
    });
}

if (require.main === module) {
    const args = process.argv.slice(2);
    const option = (flag: string): string | undefined => {
        const i = args.indexOf(flag);
        return i >= 0 ? args.splice(i, 2)[1] : undefined;
    };
    const dir = option("--dir");
    const overrides = option("--overrides");
    const deployed = option("--deployed");
    const [stack] = args;
    if (!stack || args.length !== 1) {
        console.error(
            "usage: npm run graph -- <stack> [--dir projectDir] [--overrides JSON] [--deployed RELEASE]",
        );
        process.exit(2);
    }
    void stackGraph(
        path.resolve(dir ?? path.join(__dirname, "..")),
        stack,
        overrides ? (JSON.parse(overrides) as Record<string, unknown>) : {},
        deployed,
    ).then(
        (g) => process.stdout.write(`${JSON.stringify(g, null, 2)}\n`),
        (e) => {
            console.error(e instanceof Error ? e.message : e);
            process.exit(1);
        },
    );
}
