// Runs a Pulumi program (or one component) under the mock runtime and records every registration with its
// parent, provider, options and dependencies: the real resource graph, without hosts or the CLI, for `npm run graph`,
// `npm run plan`, the bench and the tests to read.
import * as pulumi from "@pulumi/pulumi";
import { MockMonitor } from "@pulumi/pulumi/runtime/mocks";
import * as rpc from "@pulumi/pulumi/runtime/rpc";
import * as runtimeSettings from "@pulumi/pulumi/runtime/settings";
import * as state from "@pulumi/pulumi/runtime/state";
import type {
    RegisterResourceRequest,
    RegisterResourceResponse,
} from "@pulumi/pulumi/proto/resource_pb";
import { releaseOf } from "../../config/releases";

export interface Registration {
    readonly urn: string;
    readonly type: string;
    readonly name: string;
    readonly custom: boolean;
    readonly parent: string;
    /** Provider reference `urn::id`, or "" for the default provider. */
    readonly provider: string;
    /** Inputs with secrets unwrapped. */
    readonly inputs: Record<string, unknown>;
    /** Dotted paths of inputs that arrived as secrets (`connection.privateKey`, `stdin`). */
    readonly secretPaths: readonly string[];
    /** Resource-level dependencies (dependsOn and everything the inputs' Outputs came from). */
    readonly dependencies: readonly string[];
    /** Per-input dependencies. */
    readonly propertyDependencies: Readonly<Record<string, readonly string[]>>;
    readonly protect: boolean;
    readonly retainOnDelete: boolean;
    readonly deleteBeforeReplace: boolean;
    readonly ignoreChanges: readonly string[];
    readonly replaceOnChanges: readonly string[];
    readonly additionalSecretOutputs: readonly string[];
    readonly customTimeouts?: { create?: string; update?: string; delete?: string };
}

export type OutputsFor = (
    args: pulumi.runtime.MockResourceArgs,
) => Record<string, unknown> | undefined;

const SIG = rpc.specialSigKey;
const SECRET = rpc.specialSecretSig;

/** A mock's inputs and a property struct deserialized: plain objects, typed so that every read narrows. */
type Props = Record<string, unknown>;

function isProps(value: unknown): value is Props {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function unwrap(value: unknown, path: string, secrets: string[]): unknown {
    if (isProps(value)) {
        if (value[SIG] === SECRET) {
            secrets.push(path);
            return unwrap(value.value, path, []);
        }
        if (value[SIG]) return value; // assets, archives, resource references: keep as recorded
        const out: Props = {};
        for (const [k, v] of Object.entries(value))
            out[k] = unwrap(v, path ? `${path}.${k}` : k, secrets);
        return out;
    }
    if (Array.isArray(value)) return value.map((v, i) => unwrap(v, `${path}[${i}]`, secrets));
    return value;
}

/** The host key the mock's first contact with `name` reports: `ssh-ed25519 <base64 of the name>`. */
export function mockHostKey(reachableName: string): string {
    return `ssh-ed25519 ${Buffer.from(`mock-host-key-${reachableName.replace(/-reachable$/, "")}`)
        .toString("base64")
        .replace(/=+$/, "")}`;
}

/** Plausible outputs of the providers this program uses, so applies downstream have values to work on. */
/** The CA the mock's certificates stage prints, line by line. */
const MOCK_CA = ["-----BEGIN CERTIFICATE-----", "MIIBmock-kolla-ca", "-----END CERTIFICATE-----"];

export const defaultOutputs: OutputsFor = (args) => {
    // runtime/mocks.d.ts MockResourceArgs types the deserialized inputs `any`: an object of properties.
    const inputs = args.inputs as Props;
    switch (args.type) {
        case "command:remote:Command":
            // First contact prints the host's OS (one its script's release supports) and its SSH key last
            // (wait-ready.sh): a stable fake key per host.
            if (args.name.endsWith("-reachable")) {
                const stdin = typeof inputs.stdin === "string" ? inputs.stdin : "";
                // The Ubuntu the script expects (hostOs), else its release's first.
                const release = /^readonly RELEASE='([^']*)'$/m.exec(stdin)?.[1] ?? "";
                const os =
                    /^readonly HOST_OS='([a-z]+)'$/m.exec(stdin)?.[1] ??
                    releaseOf(release)?.hostOs[0] ??
                    "jammy";
                return {
                    stdout: `ready: host\nos: ubuntu ${os}\nhost-key: ${mockHostKey(args.name)}\n`,
                    stderr: "",
                };
            }
            // A TLS cloud's certificates stage prints kolla's CA (kolla-stage.sh print_ca): the provider trusts it.
            if (args.name === "kolla-certificates")
                return { stdout: `${MOCK_CA.map((l) => `== ca: ${l}`).join("\n")}\n`, stderr: "" };
            return { stdout: "", stderr: "" };
        case "command:local:Command":
            return { stdout: "", stderr: "" };
        case "docker:index/remoteImage:RemoteImage":
            return {
                imageId: `sha256:${args.name}`,
                repoDigest: `${String(inputs.name)}@sha256:${args.name}`,
            };
        case "random:index/randomPassword:RandomPassword":
            return { result: `mock-password-${args.name}` };
        default:
            return undefined;
    }
};

class RecordingMonitor extends MockMonitor {
    readonly registrations: Registration[] = [];
    /** additionalSecretOutputs per `type::name`: the engine marks those outputs secret, so the mock does too. */
    readonly secretOutputs = new Map<string, string[]>();

    // The SDK's MockMonitor types its requests `any`; runtime/resource.js registerResource sends a
    // RegisterResourceRequest and reads a RegisterResourceResponse (proto/resource_pb.d.ts), as runtime/mocks.js
    // MockMonitor.registerResource answers: callback(null, response) or callback(err, undefined).
    override async registerResource(
        req: RegisterResourceRequest,
        callback: (err: unknown, resp: RegisterResourceResponse | undefined) => void,
    ): Promise<void> {
        const object = req.getObject();
        // runtime/resource.js always sets the object (Struct.fromJavaScript of the serialized props).
        if (!object)
            throw new Error(`registerResource ${req.getName()}: request has no properties`);
        const raw = rpc.deserializeProperties(object, true);
        const secretPaths: string[] = [];
        // Properties in, properties out: unwrap keeps an object an object.
        const inputs = unwrap(raw, "", secretPaths) as Props;
        const propertyDependencies: Record<string, string[]> = {};
        req.getPropertydependenciesMap().forEach((deps, key) => {
            propertyDependencies[key] = deps.getUrnsList();
        });
        this.secretOutputs.set(
            `${req.getType()}::${req.getName()}`,
            req.getAdditionalsecretoutputsList(),
        );
        const timeouts = req.getCustomtimeouts();
        const record = {
            type: req.getType(),
            name: req.getName(),
            custom: req.getCustom(),
            parent: req.getParent(),
            provider: req.getProvider(),
            inputs,
            secretPaths,
            dependencies: req.getDependenciesList(),
            propertyDependencies,
            protect: Boolean(req.getProtect()),
            retainOnDelete: Boolean(req.getRetainondelete()),
            deleteBeforeReplace: req.getDeletebeforereplace(),
            ignoreChanges: req.getIgnorechangesList(),
            replaceOnChanges: req.getReplaceonchangesList(),
            additionalSecretOutputs: req.getAdditionalsecretoutputsList(),
            ...(timeouts
                ? {
                      customTimeouts: {
                          create: timeouts.getCreate(),
                          update: timeouts.getUpdate(),
                          delete: timeouts.getDelete(),
                      },
                  }
                : {}),
        };
        await super.registerResource(
            req,
            (err: unknown, resp: RegisterResourceResponse | undefined) => {
                if (!err && resp) this.registrations.push({ urn: resp.getUrn(), ...record });
                callback(err, resp);
            },
        );
    }
}

export interface RunOptions {
    /** Qualified config (`openstack-aio:vip`) → string value, as the CLI hands it over. */
    config?: Record<string, string>;
    secretKeys?: string[];
    project?: string;
    stack?: string;
    preview?: boolean;
    outputs?: OutputsFor;
    /** The stack's outputs from its last run, as the program's StackReference to itself reads them (none: a new stack). */
    prior?: Record<string, unknown>;
}

export class Graph {
    private readonly byUrn = new Map<string, Registration>();

    constructor(
        readonly resources: readonly Registration[],
        readonly exports: Record<string, unknown> = {},
        readonly secretExports: readonly string[] = [],
    ) {
        for (const r of resources) this.byUrn.set(r.urn, r);
    }

    /** Every registration of a type (`command:remote:Command`). */
    ofType(type: string): Registration[] {
        return this.resources.filter((r) => r.type === type);
    }

    /** The one registration with this name (optionally of this type); throws when absent or ambiguous. */
    get(name: string, type?: string): Registration {
        const found = this.resources.filter((r) => r.name === name && (!type || r.type === type));
        if (found.length !== 1) {
            throw new Error(
                `expected one resource named ${name}${type ? ` of type ${type}` : ""}, found ${found.length}; names: ${this.resources.map((r) => r.name).join(", ")}`,
            );
        }
        return found[0];
    }

    find(name: string, type?: string): Registration | undefined {
        return this.resources.find((r) => r.name === name && (!type || r.type === type));
    }

    byUrnOf(urn: string): Registration | undefined {
        return this.byUrn.get(urn);
    }

    /** Direct edges: dependencies, property dependencies and the provider a resource uses. */
    directDependencies(r: Registration): Set<string> {
        const out = new Set<string>(r.dependencies);
        for (const deps of Object.values(r.propertyDependencies)) deps.forEach((d) => out.add(d));
        if (r.provider) out.add(r.provider.slice(0, r.provider.lastIndexOf("::")));
        out.delete(r.urn);
        return out;
    }

    /** Everything `r` waits for, transitively. */
    transitiveDependencies(r: Registration): Set<string> {
        const seen = new Set<string>();
        const queue = [...this.directDependencies(r)];
        while (queue.length) {
            const urn = queue.pop()!;
            if (seen.has(urn)) continue;
            seen.add(urn);
            const dep = this.byUrn.get(urn);
            if (dep) queue.push(...this.directDependencies(dep));
        }
        return seen;
    }

    dependsOn(r: Registration, on: Registration): boolean {
        return this.transitiveDependencies(r).has(on.urn);
    }

    /** Children whose parent is `r` (or, with deep, all descendants). */
    children(r: Registration, deep = false): Registration[] {
        const direct = this.resources.filter((c) => c.parent === r.urn);
        return deep ? direct.flatMap((c) => [c, ...this.children(c, true)]) : direct;
    }

    /** The registration of the provider a resource uses. */
    providerOf(r: Registration): Registration | undefined {
        return r.provider
            ? this.byUrn.get(r.provider.slice(0, r.provider.lastIndexOf("::")))
            : undefined;
    }
}

// runtime/settings.js waitForRPCs, @internal (absent from settings.d.ts): resolves once the RPC queue is drained.
const rpcQueue = runtimeSettings as unknown as { waitForRPCs(): Promise<void> };

async function settle(monitor: RecordingMonitor): Promise<void> {
    // Registrations chain through applies; wait until the RPC queue is drained and no new ones arrive. One turn of the
    // event loop is enough between checks: the mock monitor and the SDK's runtime answer with promises, never timers.
    let last = -1;
    while (last !== monitor.registrations.length) {
        last = monitor.registrations.length;
        await rpcQueue.waitForRPCs();
        await new Promise((r) => setImmediate(r));
    }
}

/**
 * What an Output settles to, or the error its apply threw: what the engine would see. (Output's `promise()` is
 * SDK-internal; this is the one place the tests reach it.)
 */
export function settled<T>(o: pulumi.Output<T>): Promise<T> {
    return (o as unknown as { promise(): Promise<T> }).promise();
}

export async function resolve<T>(o: pulumi.Input<T>): Promise<{ value: T; secret: boolean }> {
    if (!pulumi.Output.isInstance(o)) return { value: (await o) as T, secret: false };
    const output = o as pulumi.Output<T>;
    const value = await new Promise<T>((r) =>
        output.apply((v) => {
            r(v);
            return v;
        }),
    );
    const secret = await pulumi.isSecret(output);
    return { value, secret: Boolean(secret) };
}

/**
 * Runs `f` with the stack of a message-less error reduced to its first line. The SDK reads `new Error().stack` for
 * every promise it makes and every resource it registers (runtime/debuggable.js debuggablePromise, resource.js
 * Resource.callsites); under ts-node each read mapped every frame through the source maps, and even V8's own frame
 * text was a third of an evaluation's time. Neither trace reaches the graph (the monitor records no source
 * position). An error with a message, one that can reach a developer, keeps its whole mapped stack.
 */
async function withCheapTraces<T>(f: () => Promise<T>): Promise<T> {
    const installed = Object.getOwnPropertyDescriptor(Error, "prepareStackTrace");
    const mapped = installed?.value as
        ((error: Error, frames: NodeJS.CallSite[]) => unknown) | undefined;
    if (!installed || !mapped) return f();
    Error.prepareStackTrace = (error, frames): unknown =>
        error.message === "" ? String(error) : mapped(error, frames);
    try {
        return await f();
    } finally {
        Object.defineProperty(Error, "prepareStackTrace", installed);
    }
}

/**
 * Runs `program` under the mock runtime with the given config and returns the recorded graph. If the program
 * returns an object (a module's exports), its Outputs are resolved into `exports`, secret ones listed.
 */
export function runProgram(program: () => unknown, opts: RunOptions = {}): Promise<Graph> {
    return withCheapTraces(() => failOnUnhandled(record(program, opts)));
}

/**
 * An error no one awaits (thrown in an apply, say) fails the run with that error, as Pulumi's language host fails the
 * program (@pulumi/pulumi cmd/run/run.js: process.on("unhandledRejection", uncaughtHandler) logs it, the update fails);
 * the run's own promise may never settle then (what waits on the failed value waits forever).
 */
function failOnUnhandled<T>(run: Promise<T>): Promise<T> {
    let fail: (reason: unknown) => void = () => undefined;
    const failed = new Promise<never>((_, reject) => {
        fail = reject;
    });
    process.on("unhandledRejection", fail);
    return Promise.race([run, failed]).finally(() =>
        process.removeListener("unhandledRejection", fail),
    );
}

/**
 * The engine features the runtime's store records (runtime/state.js LocalStore, whose getStore is @internal and
 * absent from state.d.ts): what a real engine answers to supportsFeature, set here as the CLI's engine would.
 */
interface FeatureFlags {
    supportsSecrets: boolean;
    supportsResourceReferences: boolean;
    supportsOutputValues: boolean;
    supportsDeletedWith: boolean;
    supportsAliasSpecs: boolean;
}

async function record(program: () => unknown, opts: RunOptions): Promise<Graph> {
    pulumi.runtime.setAllConfig(opts.config ?? {}, opts.secretKeys ?? []);
    const outputs = opts.outputs ?? defaultOutputs;
    const monitor: RecordingMonitor = new RecordingMonitor({
        newResource: (args) => {
            // runtime/mocks.d.ts MockResourceArgs types the deserialized inputs `any`: an object of properties.
            const inputs = args.inputs as Props;
            // The program reads its own last outputs (config/index.ts loadPriorDeployment): a read, not a registration.
            if (args.type === "pulumi:pulumi:StackReference") {
                return {
                    id: args.id ?? args.name,
                    state: { ...inputs, outputs: opts.prior ?? {}, secretOutputNames: [] },
                };
            }
            const state: Props = {
                ...inputs,
                ...(outputs(args) ?? defaultOutputs(args) ?? {}),
            };
            for (const key of monitor.secretOutputs.get(`${args.type}::${args.name}`) ?? []) {
                if (key in state) state[key] = { [SIG]: SECRET, value: state[key] };
            }
            return { id: args.custom === false ? undefined : `${args.name}-id`, state };
        },
        // Data sources answer with their arguments and an id, enough for applies downstream.
        call: (args) => ({ id: `${args.token.split(":").pop()}-id`, ...(args.inputs as Props) }),
    });
    runtimeSettings.setMockOptions(
        monitor,
        opts.project ?? "openstack-aio",
        opts.stack ?? "test",
        opts.preview ?? false,
        // The self-managed backend's organization (pulumi pkg/backend/diy: always "organization").
        "organization",
    );
    const store = (state as unknown as { getStore(): FeatureFlags }).getStore();
    store.supportsSecrets = true;
    store.supportsResourceReferences = true;
    store.supportsOutputValues = false;
    store.supportsDeletedWith = true;
    store.supportsAliasSpecs = true;

    const result = await program();
    await settle(monitor);
    const exported: Record<string, unknown> = {};
    const secretExports: string[] = [];
    if (result && typeof result === "object") {
        for (const [k, v] of Object.entries(result as Record<string, unknown>)) {
            if (k === "__esModule") continue;
            const { value, secret } = await resolve(v);
            exported[k] = value;
            if (secret) secretExports.push(k);
        }
    }
    await settle(monitor);
    return new Graph([...monitor.registrations], exported, secretExports);
}

/**
 * Runs the whole program (index.ts) freshly, so each test gets its own graph. Only index.ts is evaluated again:
 * it alone registers resources at load time, and keeping every other module means a class a test imported
 * (SettingsError, say) is the class the program throws.
 */
export function runIndex(opts: RunOptions): Promise<Graph> {
    return runProgram(() => {
        const root = require.resolve("../../index");
        delete require.cache[root];
        // index.ts is an async program (`export = async () => outputs`): Pulumi calls it and awaits its outputs.
        // eslint-disable-next-line @typescript-eslint/no-require-imports -- run afresh (cache entry deleted above); an import loads once
        const program: unknown = require(root);
        return typeof program === "function" ? (program as () => Promise<unknown>)() : program;
    }, opts);
}
