// `npm run plan -- <stack> [--base <git ref>]`: what a change does on the hosts, before anyone runs it.
// Evaluates the base ref's tree and the working tree with the same mock evaluation the tests use (each tree with
// its own code, no hosts, no Pulumi CLI) and prints, in Markdown: the kolla-ansible runs and the hosts each touches
// (tools/planKolla.ts), what the operator must confirm, the images mirrored or dropped, the hosts added or losing a
// role, the cloud resources that change, and a unified diff of every file that lands on a host.
import { ChildProcess, spawn, spawnSync } from "child_process";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import { nextRelease, releaseOf, UBUNTU_VERSIONS, UbuntuCodename } from "../config/releases";
import { readStackConfig } from "../config/stackFile";
import { Deployed, ResourceSummary, TreeSummary } from "./planEvaluate";
import { KollaRun, kollaRuns, kollaVars, Op } from "./planKolla";

export type { KollaRun, Op } from "./planKolla";
/** Review lists of images (render/hostFiles.ts), shown as images: kolla's, and what the mirror copies ahead of them. */
const IMAGE_LISTS = ["images.txt", "images-ahead.txt"];
/** Files that land on a host: not the image lists, nor topology.svg (a picture). */
const isHostFile = (f: string) => !IMAGE_LISTS.includes(f) && !f.endsWith(".svg");

export interface ResourceChange {
    readonly type: string;
    readonly name: string;
    readonly op: Op;
    /** Top-level inputs that differ (update/replace). */
    readonly keys: readonly string[];
    readonly detail: readonly string[];
    /** The resource's own `name` input (the name in OpenStack), when it has one. */
    readonly label?: string;
}

export interface Plan {
    readonly stack: string;
    readonly base: string;
    readonly error?: string;
    /** Every kolla command the change touches, with what it runs and where (tools/planKolla.ts). */
    readonly stages: readonly KollaRun[];
    /** Target hosts some kolla-ansible run touches. */
    readonly stageHosts: readonly string[];
    readonly imagesAdded: readonly string[];
    readonly imagesRemoved: readonly string[];
    /** Mirrored ahead of kolla's own: a hop's RabbitMQ steps, the next release's (mirrorNextRelease). */
    readonly imagesAhead: readonly string[];
    /** A release change on the deployed cloud: the upgrade hop it is (the working tree evaluated on the base's cloud). */
    readonly hop?: { readonly from: string; readonly to: string };
    /** What the hosts' Ubuntu means for this change and the next hop. */
    readonly hostOs: readonly string[];
    readonly registryMode: string;
    readonly hosts: readonly string[];
    readonly cloud: readonly ResourceChange[];
    readonly other: readonly ResourceChange[];
    readonly fileDiff: string;
    readonly filesChanged: readonly string[];
}

/** JSON with sorted object keys: equal inputs compare equal whatever order they were built in. */
function canonical(v: unknown): string {
    if (Array.isArray(v)) return `[${v.map(canonical).join(",")}]`;
    if (v && typeof v === "object") {
        return `{${Object.keys(v)
            .sort()
            .map((k) => `${JSON.stringify(k)}:${canonical((v as Record<string, unknown>)[k])}`)
            .join(",")}}`;
    }
    return JSON.stringify(v) ?? "undefined";
}

function short(v: unknown): string {
    const s = typeof v === "string" ? v : canonical(v);
    return s.length > 100 ? `${s.slice(0, 97)}...` : s;
}

/** create / update / replace / delete of one resource between the two evaluations. */
function change(
    base: ResourceSummary | undefined,
    head: ResourceSummary | undefined,
): ResourceChange | undefined {
    const r = (head ?? base)!;
    const label = typeof r.inputs.name === "string" ? r.inputs.name : undefined;
    if (!base) return { type: r.type, name: r.name, op: "create", keys: [], detail: [], label };
    if (!head) return { type: r.type, name: r.name, op: "delete", keys: [], detail: [], label };
    // ignoreChanges inputs never cause a diff (Pulumi resource option docs: ignoreChanges).
    const ignored = new Set(head.ignoreChanges.map((k) => k.split(/[.[]/)[0]));
    const keys = [...new Set([...Object.keys(base.inputs), ...Object.keys(head.inputs)])]
        .filter((k) => !ignored.has(k) && canonical(base.inputs[k]) !== canonical(head.inputs[k]))
        .sort();
    if (keys.length === 0) return undefined;
    // replaceOnChanges as registered (for remote.Command the SDK adds `triggers[*]`: @pulumi/command remote/command.js).
    const replaceKeys = new Set(head.replaceOnChanges.map((k) => k.split(/[.[]/)[0]));
    const op: Op = keys.some((k) => replaceKeys.has(k)) ? "replace" : "update";
    const detail = keys
        .filter(
            (k) => k !== "stdin" && base.inputs[k] !== "[secret]" && head.inputs[k] !== "[secret]",
        )
        .map((k) => `${k}: ${short(base.inputs[k])} → ${short(head.inputs[k])}`);
    return { type: r.type, name: r.name, op, keys, detail, label };
}

function imageNames(t: TreeSummary, file = "images.txt"): string[] {
    const list = t.files?.[file] ?? "";
    return list
        .split("\n")
        .filter(Boolean)
        .map((l) => l.split(" -> ")[0]);
}

function hostChanges(base: TreeSummary, head: TreeSummary): string[] {
    const out: string[] = [];
    const before = new Map((base.hosts ?? []).map((h) => [h.name, h]));
    const after = new Map((head.hosts ?? []).map((h) => [h.name, h]));
    for (const [n, h] of after) {
        const b = before.get(n);
        if (!b) {
            out.push(`host \`${n}\` (${h.address}) is added with roles ${h.roles.join(", ")}`);
            continue;
        }
        const lost = b.roles.filter((x) => !h.roles.includes(x));
        const gained = h.roles.filter((x) => !b.roles.includes(x));
        if (lost.length)
            out.push(`host \`${n}\` loses role${lost.length > 1 ? "s" : ""} ${lost.join(", ")}`);
        if (gained.length)
            out.push(
                `host \`${n}\` gains role${gained.length > 1 ? "s" : ""} ${gained.join(", ")}`,
            );
        if (b.address !== h.address)
            out.push(`host \`${n}\` moves from ${b.address} to ${h.address}`);
    }
    for (const [n, b] of before) {
        if (!after.has(n))
            out.push(`host \`${n}\` (${b.address}) is removed: it leaves the inventory`);
    }
    if (base.deployHost && head.deployHost && base.deployHost.address !== head.deployHost.address) {
        out.push(
            `the deploy host moves from ${base.deployHost.address} to ${head.deployHost.address}`,
        );
    }
    return out;
}

/** git-diff(1): `--no-index` compares two paths outside a repository; exit 1 means they differ. */
function unifiedDiff(
    base: Record<string, string>,
    head: Record<string, string>,
): { diff: string; changed: string[] } {
    const changed = [...new Set([...Object.keys(base), ...Object.keys(head)])]
        .filter((f) => base[f] !== head[f])
        .sort();
    if (changed.length === 0) return { diff: "", changed };
    const dir = makeTemp("plan-diff-");
    try {
        for (const [side, files] of [
            ["a", base],
            ["b", head],
        ] as const) {
            fs.mkdirSync(path.join(dir, side));
            for (const [f, text] of Object.entries(files)) {
                fs.mkdirSync(path.dirname(path.join(dir, side, f)), { recursive: true });
                fs.writeFileSync(path.join(dir, side, f), text);
            }
        }
        const r = spawnSync(
            "git",
            ["diff", "--no-index", "--no-color", "--no-ext-diff", "--no-prefix", "--", "a", "b"],
            { cwd: dir, encoding: "utf8", maxBuffer: 64 << 20 },
        );
        if (r.status !== 0 && r.status !== 1)
            throw new Error(`git diff --no-index failed: ${r.stderr || r.error}`);
        return { diff: r.stdout, changed };
    } finally {
        removeTemp(dir);
    }
}

export function comparePlans(base: TreeSummary, head: TreeSummary, baseRef: string): Plan {
    const empty = {
        stages: [],
        stageHosts: [],
        imagesAdded: [],
        imagesRemoved: [],
        imagesAhead: [],
        hostOs: [],
        registryMode: "",
        hosts: [],
        cloud: [],
        other: [],
        fileDiff: "",
        filesChanged: [],
    };
    if (head.error || !head.exists) {
        return {
            stack: head.stack,
            base: baseRef,
            ...empty,
            error: head.error ?? `no stack "${head.stack}" in the working tree`,
        };
    }
    const key = (r: ResourceSummary) => `${r.type}::${r.name}`;
    const before = new Map(
        (base.exists && !base.error ? (base.resources ?? []) : []).map((r) => [key(r), r]),
    );
    const after = new Map((head.resources ?? []).map((r) => [key(r), r]));
    const changes: { change: ResourceChange; base?: ResourceSummary; head?: ResourceSummary }[] =
        [];
    for (const k of [...new Set([...after.keys(), ...before.keys()])]) {
        const c = change(before.get(k), after.get(k));
        if (c) changes.push({ change: c, base: before.get(k), head: after.get(k) });
    }

    const stages = kollaRuns(
        base,
        head,
        changes
            .filter((c) => kollaVars(c.head ?? c.base))
            .map((c) => ({ op: c.change.op, base: c.base, head: c.head })),
    );

    const baseImages = new Set(imageNames(base));
    const headImages = new Set(imageNames(head));
    const hostFiles = (t: TreeSummary) =>
        Object.fromEntries(Object.entries(t.files ?? {}).filter(([f]) => isHostFile(f)));
    const { diff, changed } = unifiedDiff(hostFiles(base), hostFiles(head));
    const isStage = (c: { base?: ResourceSummary; head?: ResourceSummary }) =>
        Boolean(kollaVars(c.head ?? c.base));
    return {
        stack: head.stack,
        base: baseRef,
        stages,
        stageHosts: (head.hosts ?? [])
            .map((h) => h.name)
            .concat((base.hosts ?? []).map((h) => h.name))
            .filter((n, i, all) => all.indexOf(n) === i && stages.some((r) => r.hosts.includes(n))),
        imagesAdded: [...headImages].filter((i) => !baseImages.has(i)),
        imagesRemoved: [...baseImages].filter((i) => !headImages.has(i)),
        imagesAhead: imageNames(head, "images-ahead.txt").filter(
            (i) => !imageNames(base, "images-ahead.txt").includes(i),
        ),
        ...(base.exists && !base.error && base.release && head.release !== base.release
            ? { hop: { from: base.release, to: head.release! } }
            : {}),
        hostOs: hostOsNotes(base, head),
        registryMode: head.registryMode ?? "mirror",
        hosts: base.exists
            ? hostChanges(base, head)
            : (head.hosts ?? []).map(
                  (h) =>
                      `host \`${h.name}\` (${h.address}) is added with roles ${h.roles.join(", ")}`,
              ),
        cloud: changes.filter((c) => c.change.type.startsWith("openstack:")).map((c) => c.change),
        other: changes
            .filter(
                (c) =>
                    !c.change.type.startsWith("openstack:") &&
                    !isStage(c) &&
                    (c.head ?? c.base)!.custom,
            )
            .map((c) => c.change),
        fileDiff: diff,
        filesChanged: changed,
    };
}

const ubuntu = (os: string) => `Ubuntu ${UBUNTU_VERSIONS[os as UbuntuCodename] ?? os} (${os})`;

/**
 * The hosts' Ubuntu: a hostOs change (what runs again for it), and on a release that the next hop leaves behind, what
 * to do before that hop (kolla documents no in-place distro upgrade; docs/upgrades.md).
 */
export function hostOsNotes(base: TreeSummary, head: TreeSummary): string[] {
    const notes: string[] = [];
    const deployed = base.exists && !base.error;
    if (deployed && base.hostOs && head.hostOs && base.hostOs !== head.hostOs)
        notes.push(
            `hostOs moves from ${base.hostOs} to ${head.hostOs}: \`pulumi up\` first checks that every host runs ${ubuntu(head.hostOs)} and stops naming any that does not; the deploy host's venv is rebuilt on its Python; bootstrap-servers runs again, one host at a time`,
        );
    // Said when the release changes (a hop, a new stack), not on every later change.
    const next =
        head.release && head.release !== base.release ? nextRelease(head.release) : undefined;
    const nextOs = next ? (releaseOf(next)?.hostOs ?? []) : [];
    if (
        next &&
        head.hostOs &&
        nextOs.length &&
        !(nextOs as readonly string[]).includes(head.hostOs)
    )
        notes.push(
            `the next hop, to ${next}, runs on ${nextOs.map(ubuntu).join(", ")} only and these hosts run ${ubuntu(head.hostOs)}: while on ${head.release}, move every host to ${nextOs.map(ubuntu).join(" or ")} one at a time, then set hostOs to ${nextOs[0]} (docs/upgrades.md); \`pulumi up\` refuses ${next} until then`,
        );
    return notes;
}

const plural = (n: number, word: string) => `${n} ${word}${n === 1 ? "" : "s"}`;
const imageName = (ref: string) => ref.split("/").pop()!.split(":")[0];
const imageTag = (ref: string) => ref.split(":").pop()!;

/**
 * The images added and dropped, paired by name: the ones that only change tag (a release or Ubuntu change), one group
 * per tag pair, and what is really new or gone.
 */
export function imageMoves(p: Plan): {
    moved: { from: string; to: string; names: string[] }[];
    added: string[];
    removed: string[];
} {
    const removedByName = new Map(p.imagesRemoved.map((i) => [imageName(i), i]));
    const moved = new Map<string, { from: string; to: string; names: string[] }>();
    const added: string[] = [];
    const paired = new Set<string>();
    for (const i of p.imagesAdded) {
        const old = removedByName.get(imageName(i));
        if (!old) {
            added.push(i);
            continue;
        }
        paired.add(old);
        const key = `${imageTag(old)} ${imageTag(i)}`;
        const group = moved.get(key) ?? { from: imageTag(old), to: imageTag(i), names: [] };
        group.names.push(imageName(i));
        moved.set(key, group);
    }
    return {
        moved: [...moved.values()],
        added,
        removed: p.imagesRemoved.filter((i) => !paired.has(i)),
    };
}

/** "host cmp3", "2 hosts (cmp1, cmp2)". */
function hostList(hosts: readonly string[]): string {
    return hosts.length === 1
        ? `host ${hosts[0]}`
        : `${plural(hosts.length, "host")} (${hosts.join(", ")})`;
}

export function headline(p: Plan): string {
    const running = p.stages.filter((s) => s.action);
    // A hop is its own sentence: what it is first, then what runs (a first run of the recording version cannot be one).
    if (p.hop && running.some((s) => s.kind === "hop" || s.action === "upgrade")) {
        const parts: string[] = [];
        for (const s of running) {
            if (s.stage === "hop-rabbitmq")
                parts.push(
                    `move RabbitMQ one version at a time (${s.steps.map((x) => x.split(" ")[2]).join(", ")})`,
                );
            else if (s.stage === "hop-queues") parts.push("reset RabbitMQ's queues");
            else if (s.action === "upgrade")
                parts.push(`run \`kolla-ansible upgrade\` on ${hostList(s.hosts)}`);
            else if (s.stage === "hop-verify") parts.push("run kolla's checks");
        }
        const images = imageMoves(p);
        const counts = [
            ...images.moved.map((m) => `${plural(m.names.length, "image")} at ${m.to}`),
            ...(images.added.length ? [plural(images.added.length, "new image")] : []),
            ...(p.imagesAhead.length ? [`${p.imagesAhead.length} ahead of the upgrade`] : []),
        ];
        if (counts.length)
            parts.unshift(
                `${p.registryMode === "mirror" ? "mirror" : "pull through the cache"} ${counts.join(", ")}`,
            );
        if (images.removed.length) parts.push(`drop ${plural(images.removed.length, "image")}`);
        if (p.cloud.length) parts.push(`change ${plural(p.cloud.length, "cloud resource")}`);
        return `This change upgrades the cloud from ${p.hop.from} to ${p.hop.to}, one hop on kolla's SLURP path: it will ${parts.join(", ")}.`;
    }
    if (running.length && running.every((s) => s.firstRun))
        return "This is the first `pulumi up` of the version that records what each host runs: nothing runs on the hosts if the deploy host finds the cloud last deployed with exactly this configuration; otherwise the stages below run once, on every host (bootstrap-servers one host at a time).";
    const parts: string[] = [];
    const deploy = running.find((s) => s.kind === "stage" && s.stage === "deploy");
    const stages = running.filter((s) => s.kind === "stage");
    if (deploy) parts.push(`run \`kolla-ansible ${deploy.action}\` on ${hostList(deploy.hosts)}`);
    else if (stages.length)
        parts.push(
            `run the kolla stage${stages.length > 1 ? "s" : ""} ${stages.map((s) => `\`${s.action}\``).join(", ")}${stages.some((s) => s.hosts.length) ? ` on ${hostList([...new Set(stages.flatMap((s) => s.hosts))])}` : " on the deploy host"}`,
        );
    for (const s of running.filter((r) => r.kind === "scope"))
        parts.push(`run \`${s.steps[0].replace(/ --limit .*/, "")}\` on ${hostList(s.hosts)}`);
    for (const s of running.filter((r) => r.kind === "host")) {
        const host = s.stage.replace(/^host-/, "");
        if (s.op === "delete") parts.push(`remove ${host} (${s.steps.map(shortStep).join(", ")})`);
        else
            parts.push(
                `${s.why.includes("joins") ? "add" : "re-deploy"} ${host} (${s.steps.map(shortStep).join(", ")})`,
            );
    }
    // Only hosts that join or leave are touched: say so, it is what the operator wants to read.
    const named = running.map((s) => s.stage.replace(/^host-/, ""));
    if (
        running.length &&
        running.every((s) => s.kind === "host" && s.hosts.every((h) => named.includes(h)))
    )
        parts.push(`no kolla-ansible run on any other host`);
    const verb = p.registryMode === "mirror" ? "mirror" : "pull through the cache";
    if (p.imagesAdded.length) parts.push(`${verb} ${plural(p.imagesAdded.length, "new image")}`);
    if (p.imagesRemoved.length) parts.push(`drop ${plural(p.imagesRemoved.length, "image")}`);
    if (p.cloud.length) parts.push(`change ${plural(p.cloud.length, "cloud resource")}`);
    const noStage = running.length ? "" : " No kolla stage runs.";
    if (!parts.length)
        return `This change runs nothing on the hosts and changes no cloud resource.${noStage}`;
    return `This change will ${parts.join(", ")}.${noStage}`;
}

/** A step as the headline names it: `bootstrap-servers --limit cmp3`, `stop --limit cmp2`, `drain`, `clean-up`. */
function shortStep(step: string): string {
    if (step.startsWith("kolla-ansible "))
        return step
            .slice(14)
            .replace(/ \(.*\)$/, "")
            .replace(" --yes-i-really-really-mean-it", "");
    if (step.includes("compute service set --disable")) return "nova-compute disabled";
    if (step.includes("live-migration")) return "its instances live-migrated";
    if (step.includes("agent delete")) return "its agents and compute services deleted";
    return step;
}

export function formatPlan(p: Plan): string {
    const out: string[] = [`### Change plan for stack \`${p.stack}\` (against \`${p.base}\`)`, ""];
    if (p.error)
        return [
            ...out,
            "The working tree's configuration does not evaluate:",
            "",
            "```",
            p.error,
            "```",
            "",
        ].join("\n");
    out.push(`**${headline(p)}**`, "");
    out.push("#### kolla-ansible runs");
    const running = p.stages.filter((s) => s.action);
    if (!running.length) out.push("No kolla-ansible run: no kolla command runs anything.");
    for (const s of running) {
        const where = s.hosts.length ? `on ${hostList(s.hosts)}` : "on the deploy host";
        const what =
            s.kind === "stage" && s.steps.length === 1
                ? `runs \`${s.steps[0]}\``
                : `runs ${s.steps.length} step${s.steps.length === 1 ? "" : "s"}`;
        out.push(`- \`${s.stage}\` ${what} ${where} (${s.why})`);
        if (!(s.kind === "stage" && s.steps.length === 1))
            for (const step of s.steps)
                out.push(
                    `  - ${step.startsWith("kolla-ansible") || step.startsWith("openstack") ? `\`${step}\`` : step}`,
                );
    }
    const idle = p.stages.filter((x) => !x.action);
    if (idle.length) {
        out.push("", "Commands that change but run nothing:");
        for (const s of idle) out.push(`- \`${s.stage}\`: ${s.why}`);
    }
    if (running.some((s) => s.kind === "stage" && s.stage === "deploy" && s.action === "upgrade"))
        out.push(
            "- the release changes: the deploy stage upgrades (it compares with the release the hosts last deployed)",
        );
    if (p.hop)
        out.push(
            "",
            `#### The upgrade hop ${p.hop.from} → ${p.hop.to}`,
            `- assumes the cloud runs ${p.hop.from}, as the base's stack file says: \`pulumi up\` checks the stack's own \`deployedRelease\` output and refuses anything but a re-run or this one hop`,
            `- \`deploy-host-kolla-config\` keeps ${p.hop.from}'s /etc/kolla under /opt/openstack-aio/hops/${p.hop.from}-${p.hop.to}/ before it writes ${p.hop.to}'s`,
            `- once its first step ran, the cloud cannot go back to ${p.hop.from}: an interrupted or failed hop is finished by running \`pulumi up\` again (docs/upgrades.md)`,
        );
    if (p.hostOs.length) {
        out.push("", "#### The hosts' Ubuntu");
        for (const n of p.hostOs) out.push(`- ${n}`);
    }
    const confirm = p.stages.filter((s) => s.confirm);
    if (confirm.length) {
        out.push("", "#### To confirm before `pulumi up`");
        for (const s of confirm) out.push(`- \`${s.stage}\`: ${s.confirm}`);
    }
    out.push("", "#### Images");
    const verb = p.registryMode === "mirror" ? "mirrored" : "pulled through the cache";
    const images = imageMoves(p);
    if (!p.imagesAdded.length && !p.imagesRemoved.length && !p.imagesAhead.length)
        out.push("No image is added or dropped.");
    for (const m of images.moved)
        out.push(
            `- ${verb} at the new tag \`${m.to}\` (was \`${m.from}\`), ${plural(m.names.length, "image")}: ${m.names.map((n) => `\`${n}\``).join(", ")}`,
        );
    for (const i of images.added) out.push(`- ${verb}: \`${imageName(i)}\` (${i})`);
    for (const i of p.imagesAhead)
        out.push(`- ${verb} ahead of kolla's own: \`${imageName(i)}\` (${i})`);
    for (const i of images.removed)
        out.push(
            `- dropped: \`${imageName(i)}\` (${i}); already mirrored copies stay in the registry`,
        );
    if (images.moved.length)
        out.push(
            "- the images at the old tag stay in the registry: what the cloud runs until the upgrade reaches it",
        );
    out.push("", "#### Hosts");
    if (!p.hosts.length) out.push("No host is added or removed, no role changes.");
    for (const h of p.hosts) out.push(`- ${h}`);
    out.push("", "#### Cloud resources (OpenStack API)");
    if (!p.cloud.length) out.push("No cloud resource changes.");
    // Whether an input change updates in place or replaces is the OpenStack provider's decision: the preview says.
    const cloudVerb = {
        create: "created",
        delete: "deleted",
        update: "changes",
        replace: "replaced",
    } as const;
    for (const c of p.cloud) {
        const what = c.detail.length
            ? `: ${c.detail.join("; ")}`
            : c.keys.length
              ? `: ${c.keys.join(", ")}`
              : "";
        out.push(
            `- \`${c.name}\`${c.label ? ` ("${c.label}")` : ""} (${c.type}) ${cloudVerb[c.op]}${what}`,
        );
    }
    // The mirror's copies (components/registry/imageMirror.ts: `kolla-images-…`) are the images above: one line.
    const isCopy = (c: ResourceChange) => /^kolla-images-/.test(c.name);
    const copies = p.other.filter((c) => c.type.startsWith("command:") && isCopy(c));
    const commands = p.other.filter((c) => c.type.startsWith("command:") && !isCopy(c));
    const rest = p.other.filter((c) => !c.type.startsWith("command:"));
    out.push("", "#### Other commands that run on the hosts");
    if (!commands.length && !copies.length) out.push("None.");
    if (copies.length) {
        const count = (op: Op) => copies.filter((c) => c.op === op).length;
        const what = [
            count("create") ? `${count("create")} new` : "",
            count("update") + count("replace") ? `${count("update") + count("replace")} again` : "",
            count("delete") ? `${count("delete")} removed (they delete nothing)` : "",
        ].filter(Boolean);
        out.push(
            `- the mirror's copies of the images above (\`kolla-images-…\`): ${what.join(", ")}`,
        );
    }
    for (const c of commands)
        out.push(
            `- ${c.op === "delete" ? "removed" : c.op === "create" ? "new, runs" : "runs again"}: \`${c.name}\`${c.keys.length ? ` (${c.keys.join(", ")} changed)` : ""}`,
        );
    if (rest.length) {
        out.push("", "#### Other resources");
        for (const c of rest)
            out.push(
                `- ${c.op} \`${c.name}\` (${c.type})${c.keys.length ? `: ${c.keys.join(", ")}` : ""}`,
            );
    }
    out.push("", "#### Files that land on a host");
    if (!p.filesChanged.length) out.push("No file changes.");
    // <details> folds the diff in a pull-request comment (GitHub Flavored Markdown: HTML blocks, blank line before the fence).
    else
        out.push(
            `Changed: ${p.filesChanged.map((f) => `\`${f}\``).join(", ")}`,
            "",
            "<details><summary>unified diff</summary>",
            "",
            "```diff",
            p.fileDiff.trimEnd(),
            "```",
            "",
            "</details>",
        );
    out.push(
        "",
        "_Evaluated under the mock runtime, without hosts: values only a run produces (command output, ids) are the mock's._",
        "",
    );
    return out.join("\n");
}

// What a run has open, so that SIGINT/SIGTERM (where `finally` does not run) still leaves nothing behind.
const children = new Set<ChildProcess>();
const tempDirs = new Set<string>();

function makeTemp(prefix: string): string {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), prefix));
    tempDirs.add(dir);
    return dir;
}

function removeTemp(dir: string): void {
    fs.rmSync(dir, { recursive: true, force: true });
    tempDirs.delete(dir);
}

function onSignal(sig: NodeJS.Signals): void {
    for (const c of children) c.kill("SIGTERM");
    for (const d of tempDirs) fs.rmSync(d, { recursive: true, force: true });
    process.exit(sig === "SIGINT" ? 130 : 143);
}

/**
 * Runs planEvaluate.ts on a tree in its own process (each tree loads its own modules and its own mock runtime);
 * `deployed`: what the cloud runs before the change (the base's release and Ubuntu).
 */
export async function evaluate(
    tree: string,
    stack: string,
    deployed?: Deployed,
): Promise<TreeSummary> {
    const dir = makeTemp("plan-eval-");
    try {
        const out = path.join(dir, "summary.json");
        const deployedFile = path.join(dir, "deployed.json");
        if (deployed) fs.writeFileSync(deployedFile, JSON.stringify(deployed));
        const child = spawn(
            process.execPath,
            [
                require.resolve("ts-node/dist/bin"),
                "--transpile-only",
                path.join(__dirname, "planEvaluate.ts"),
                tree,
                stack,
                out,
                ...(deployed ? [deployedFile] : []),
            ],
            {
                cwd: tree,
                stdio: ["ignore", "pipe", "pipe"],
            },
        );
        children.add(child);
        let log = "";
        child.stdout.on("data", (d) => {
            log += d;
        });
        child.stderr.on("data", (d) => {
            log += d;
        });
        const code = await new Promise<number | null>((resolve, reject) => {
            child.on("error", reject);
            child.on("close", resolve);
        });
        children.delete(child);
        if (code !== 0) throw new Error(`evaluating ${tree} failed:\n${log}`);
        // planEvaluate.ts wrote it: JSON.stringify of its TreeSummary.
        return JSON.parse(fs.readFileSync(out, "utf8")) as TreeSummary;
    } finally {
        removeTemp(dir);
    }
}

function git(cwd: string, args: string[]): string {
    const r = spawnSync("git", args, { cwd, encoding: "utf8" });
    if (r.status !== 0) throw new Error(`git ${args.join(" ")}: ${r.stderr.trim() || r.error}`);
    return r.stdout.trim();
}

/** The commit a ref names, or an error naming the ref. */
export function resolveCommit(projectDir: string, ref: string): string {
    return git(projectDir, ["rev-parse", "--verify", "--quiet", `${ref}^{commit}`]);
}

/**
 * The base commit's tree in a temporary directory (git-archive(1): the tracked files of that commit, no repository
 * state touched), with the working tree's node_modules linked in; removed afterwards.
 */
export async function withBaseTree<T>(
    projectDir: string,
    commit: string,
    fn: (tree: string) => Promise<T>,
): Promise<T> {
    const dir = makeTemp("plan-base-");
    try {
        const tar = path.join(dir, "base.tar");
        // The project may sit below the repository's top: archive that subdirectory only (`<commit>:<prefix>`).
        const prefix = git(projectDir, ["rev-parse", "--show-prefix"]);
        git(projectDir, [
            "archive",
            "--format=tar",
            "-o",
            tar,
            prefix ? `${commit}:${prefix}` : commit,
        ]);
        const tree = path.join(dir, "tree");
        fs.mkdirSync(tree);
        const r = spawnSync("tar", ["-xf", tar, "-C", tree], { encoding: "utf8" });
        if (r.status !== 0) throw new Error(`tar -xf failed: ${r.stderr}`);
        fs.rmSync(path.join(tree, "node_modules"), { recursive: true, force: true });
        fs.symlinkSync(
            path.join(projectDir, "node_modules"),
            path.join(tree, "node_modules"),
            "dir",
        );
        return await fn(tree);
    } finally {
        removeTemp(dir);
    }
}

/**
 * What the base tree's stack deploys: its release (a base from before `release` was required has Pulumi.yaml's old
 * default) and Ubuntu (its hostOs, else the release's first), as the stack's last run would have recorded them. None
 * for a stack the base does not have or cannot read.
 */
export function deployedIn(tree: string, stack: string): Deployed | undefined {
    if (!fs.existsSync(path.join(tree, `Pulumi.${stack}.yaml`))) return undefined;
    try {
        const { values } = readStackConfig(stack, tree);
        const release = typeof values.release === "string" ? values.release : undefined;
        const hostOs =
            typeof values.hostOs === "string"
                ? values.hostOs
                : release
                  ? releaseOf(release)?.hostOs[0]
                  : undefined;
        return release && hostOs ? { release, hostOs } : undefined;
    } catch {
        return undefined;
    }
}

export async function plan(projectDir: string, stack: string, baseRef: string): Promise<Plan> {
    const commit = resolveCommit(projectDir, baseRef);
    process.once("SIGINT", onSignal);
    process.once("SIGTERM", onSignal);
    let head: TreeSummary, base: TreeSummary;
    try {
        // Both evaluations at once, each its own process; the working tree as run on the cloud the base deployed.
        [head, base] = await withBaseTree(projectDir, commit, (tree) =>
            Promise.all([
                evaluate(projectDir, stack, deployedIn(tree, stack)),
                evaluate(tree, stack),
            ]),
        );
    } finally {
        process.removeListener("SIGINT", onSignal);
        process.removeListener("SIGTERM", onSignal);
    }
    return planOf(base, head, baseRef);
}

/** The plan from the two evaluations: nothing to compare with when the working tree itself does not evaluate. */
export function planOf(base: TreeSummary, head: TreeSummary, baseRef: string): Plan {
    if (head.error || !head.exists)
        return comparePlans({ stack: head.stack, exists: false }, head, baseRef);
    return comparePlans(base, head, baseRef);
}

/** The command line: its exit code (the CLI exits with it). `projectDir`: this checkout unless a test says. */
export async function main(
    argv: string[],
    projectDir = path.resolve(__dirname, ".."),
): Promise<number> {
    const args = [...argv];
    let base = "HEAD";
    const i = args.indexOf("--base");
    if (i >= 0) {
        base = args[i + 1];
        args.splice(i, 2);
    }
    const [stack] = args;
    if (!stack || args.length !== 1 || !base) {
        console.error(
            "usage: npm run plan -- <stack> [--base <git ref>]   (base defaults to HEAD)",
        );
        return 2;
    }
    try {
        const p = await plan(projectDir, stack, base);
        console.log(formatPlan(p));
        return p.error ? 1 : 0;
    } catch (e) {
        console.error((e as Error).message);
        return 1;
    }
}

if (require.main === module) void main(process.argv.slice(2)).then((code) => process.exit(code));
