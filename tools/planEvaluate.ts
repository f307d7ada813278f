// One side of `npm run plan`: evaluates a project tree (the working tree, or a base ref's tree extracted by plan.ts)
// with that tree's own code — its renderers, its index.ts under its own mock-runtime evaluator (tools/evaluate/tree.ts),
// no hosts, no CLI — and writes a JSON summary for plan.ts to compare.
// usage: ts-node --transpile-only tools/planEvaluate.ts <projectDir> <stack> <out.json> [<prior.json>]
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { evaluatorOf } from "./evaluate/tree";

export interface ResourceSummary {
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    /** Inputs with every secret path replaced by "[secret]" (the mock key and passwords never leave the evaluation). */
    readonly inputs: Record<string, unknown>;
    readonly replaceOnChanges: readonly string[];
    readonly ignoreChanges: readonly string[];
}

export interface HostSummary {
    readonly name: string;
    readonly address: string;
    readonly roles: readonly string[];
}

export interface TreeSummary {
    readonly stack: string;
    /** false: the tree has no Pulumi.<stack>.yaml (a new stack, or one this change removes). */
    readonly exists: boolean;
    /** A settings or stack-file error, as `npm run render` would print it. */
    readonly error?: string;
    readonly release?: string;
    /** The Ubuntu the stack says its hosts run (a tree from before hostOs: none). */
    readonly hostOs?: string;
    readonly registryMode?: string;
    readonly deployHost?: { readonly name: string; readonly address: string };
    readonly hosts?: readonly HostSummary[];
    /** openstack-aio:forceRemoveHosts: removals that go on regardless. */
    readonly forceRemoveHosts?: readonly string[];
    /** Everything `npm run render` writes, by relative path. */
    readonly files?: Readonly<Record<string, string>>;
    readonly resources?: readonly ResourceSummary[];
}

export const SECRET = "[secret]";

/** An object or array, whose keys and indexes a dotted path steps through. */
function isContainer(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null;
}

/** Replaces the value at each dotted path (`connection.privateKey`, `a[0].b`) with SECRET. */
export function redact(
    inputs: Record<string, unknown>,
    secretPaths: readonly string[],
): Record<string, unknown> {
    const out = JSON.parse(JSON.stringify(inputs)) as Record<string, unknown>;
    for (const p of secretPaths) {
        const keys = p
            .replace(/\[(\d+)\]/g, ".$1")
            .split(".")
            .filter(Boolean);
        let node: unknown = out;
        for (const k of keys.slice(0, -1)) node = isContainer(node) ? node[k] : undefined;
        if (isContainer(node) && keys.length) node[keys[keys.length - 1]] = SECRET;
    }
    return out;
}

/** What the cloud runs before the change: the base tree's release and Ubuntu (tools/plan.ts reads them). */
export interface Deployed {
    readonly release: string;
    readonly hostOs: string;
}

/**
 * Evaluates the tree's stack; `deployed`: as the program runs on a cloud that last deployed that (its StackReference to
 * itself answers `deployedRelease` and `hostOs`), so a release change shows as the hop it is, or as its refusal.
 */
export async function evaluateTree(
    dir: string,
    stack: string,
    deployed?: Deployed,
): Promise<TreeSummary> {
    if (!fs.existsSync(path.join(dir, `Pulumi.${stack}.yaml`))) return { stack, exists: false };
    // The tree's own modules: a base ref is evaluated with the code it had.
    const { render, stackRunOptions, stackSettings, runIndex } = await evaluatorOf(dir);
    const files: Record<string, string> = {};
    const out = fs.mkdtempSync(path.join(os.tmpdir(), "plan-render-"));
    try {
        for (const f of render(stack, out, dir, {}, deployed?.release))
            files[f] = fs.readFileSync(path.join(out, f), "utf8");
    } catch (e) {
        return { stack, exists: true, error: (e as Error).message };
    } finally {
        fs.rmSync(out, { recursive: true, force: true });
    }
    const settings = stackSettings(stack);
    let graph;
    try {
        graph = await runIndex({
            ...stackRunOptions({ stack }),
            ...(deployed
                ? { prior: { deployedRelease: deployed.release, hostOs: deployed.hostOs } }
                : {}),
        });
    } catch (e) {
        // The program refuses before registering anything (a release change that is not one hop): its own message.
        if ((e as Error).name !== "SettingsError") throw e;
        return { stack, exists: true, release: settings.release, error: (e as Error).message };
    }
    return {
        stack,
        exists: true,
        release: settings.release,
        ...(typeof settings.hostOs === "string" ? { hostOs: settings.hostOs } : {}),
        registryMode: settings.registry.mode,
        deployHost: { name: settings.deployHost.name, address: settings.deployHost.address },
        forceRemoveHosts: [...settings.forceRemoveHosts],
        hosts: settings.hosts.map((h) => ({
            name: h.name,
            address: h.address,
            roles: [...h.roles],
        })),
        files,
        resources: graph.resources.map((r) => ({
            type: r.type,
            name: r.name,
            custom: r.custom,
            inputs: redact(r.inputs, r.secretPaths),
            replaceOnChanges: r.replaceOnChanges ?? [],
            ignoreChanges: r.ignoreChanges ?? [],
        })),
    };
}

async function main(argv: string[]): Promise<number> {
    const [dir, stack, outFile, deployedFile] = argv;
    if (!dir || !stack || !outFile) {
        console.error("usage: planEvaluate.ts <projectDir> <stack> <out.json> [<deployed.json>]");
        return 2;
    }
    const deployed = deployedFile
        ? (JSON.parse(fs.readFileSync(deployedFile, "utf8")) as Deployed)
        : undefined;
    const summary = await evaluateTree(path.resolve(dir), stack, deployed);
    fs.writeFileSync(outFile, JSON.stringify(summary));
    return 0;
}

if (require.main === module) {
    main(process.argv.slice(2)).then(
        (code) => process.exit(code),
        (e) => {
            console.error(e instanceof Error ? (e.stack ?? e.message) : e);
            process.exit(1);
        },
    );
}
