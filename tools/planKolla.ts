// What a change makes kolla-ansible do on the hosts, read from the rendered scripts of the two evaluations
// (`npm run plan`): each kolla command's variables (render/kolla.ts: STAGE and STAGE_HASH of a cloud-wide stage,
// SCOPE/TAGS/LIMIT/LINES of a scoped reconfigure, HOST/HOST_HASH/roles of a host's own command) and what the scripts do
// with them (render/scripts/kolla-stage.sh, kolla-reconfigure.sh, kolla-host.sh), assuming the base is what the hosts
// last applied.
import type { ResourceSummary, TreeSummary } from "./planEvaluate";

export type Op = "create" | "update" | "replace" | "delete";

/** One kolla command of the change, as the operator will see it run. */
export interface KollaRun {
    /** The cloud-wide stage (`deploy`), `reconfigure-<scope>`, `host-<name>` or a hop's step `hop-<step>`. */
    readonly stage: string;
    readonly kind: "stage" | "scope" | "host" | "hop";
    readonly op: Op;
    /** What kolla-ansible runs (deploy / reconfigure / upgrade for the deploy stage); undefined: nothing runs. */
    readonly action?: string;
    /** Why it runs, or why it does not. */
    readonly why: string;
    /** The target hosts it touches (none: the deploy host only). */
    readonly hosts: readonly string[];
    /** Its steps, in order, as commands or plain words. */
    readonly steps: readonly string[];
    /** What the operator must know or decide before `pulumi up`. */
    readonly confirm?: string;
    /** A controller's removal. */
    readonly controller?: boolean;
    /** The first run of the version that keeps records: it runs only if the deploy host cannot adopt the cloud. */
    readonly firstRun?: boolean;
}

/** One kolla command's change between the evaluations (absent on the side that does not have it). */
export interface CommandChange {
    readonly op: Op;
    readonly base?: ResourceSummary;
    readonly head?: ResourceSummary;
}

type Vars = Record<string, string | string[]>;

/** Reads one POSIX single-quoted word ('…' with '\'' for a quote) at `at`; returns it and where it ends. */
function quoted(text: string, at: number): [string, number] {
    let out = "",
        i = at;
    while (text[i] === "'" || text.startsWith("\\'", i)) {
        if (text[i] === "\\") {
            out += "'";
            i += 2;
            continue;
        }
        const end = text.indexOf("'", i + 1);
        if (end < 0) return [out + text.slice(i + 1), text.length];
        out += text.slice(i + 1, end);
        i = end + 1;
    }
    return [out, i];
}

/** The `readonly NAME='…'` and `readonly -a NAME=('…' …)` variables of a rendered script (render/script.ts). */
export function scriptVars(text: string): Vars {
    const vars: Vars = {};
    const re = /^readonly (-a )?([A-Z][A-Z0-9_]*)=/gm;
    for (let m = re.exec(text); m; m = re.exec(text)) {
        let i = re.lastIndex;
        if (m[1]) {
            const words: string[] = [];
            i++; // (
            while (i < text.length && text[i] !== ")") {
                if (text[i] === " ") {
                    i++;
                    continue;
                }
                const [w, end] = quoted(text, i);
                words.push(w);
                i = end;
            }
            vars[m[2]] = words;
        } else {
            vars[m[2]] = quoted(text, i)[0];
        }
        re.lastIndex = i;
    }
    return vars;
}

/** A hop's own step (components/kolla/kollaDeployment.ts hopStep: `kolla-hop-<step>`), or undefined. */
const hopStepOf = (r: ResourceSummary): string | undefined => /^kolla-hop-(.+)$/.exec(r.name)?.[1];

/**
 * A kolla command's variables, or undefined for any other resource. A host's own command has HOST and no STAGE
 * (render/kolla.ts hostScript): it reads as STAGE `host` here; a hop's step as STAGE `hop-<step>`.
 */
export function kollaVars(r: ResourceSummary | undefined): Vars | undefined {
    if (!r || r.type !== "command:remote:Command" || typeof r.inputs.stdin !== "string")
        return undefined;
    const hopStep = hopStepOf(r);
    if (hopStep && /^readonly HOP_FROM='/m.test(r.inputs.stdin))
        return { ...scriptVars(r.inputs.stdin), STAGE: `hop-${hopStep}` };
    if (/^readonly STAGE='/m.test(r.inputs.stdin)) return scriptVars(r.inputs.stdin);
    if (!/^readonly HOST_HASH='/m.test(r.inputs.stdin)) return undefined;
    return { ...scriptVars(r.inputs.stdin), STAGE: "host" };
}

const str = (v: Vars | undefined, k: string): string | undefined => {
    const x = v?.[k];
    return typeof x === "string" ? x : undefined;
};
const list = (v: Vars | undefined, k: string): string[] => {
    const x = v?.[k];
    return Array.isArray(x) ? x : typeof x === "string" ? [x] : [];
};
const LOCAL_STAGES = ["certificates", "octavia-certificates", "post-deploy"];
/** The order the graph runs the stages and a hop's steps in (kollaDeployment.ts); other commands keep theirs. */
const RUN_ORDER = [
    "hop-rabbitmq",
    "bootstrap-servers",
    "certificates",
    "octavia-certificates",
    "prechecks",
    "pull",
    "hop-queues",
    "deploy",
    "hop-verify",
    "post-deploy",
];

/**
 * A hop's own step (render/scripts/kolla-hop-*.sh), read from its variables: what it runs on the cloud that runs
 * HOP_FROM. A step that goes away after its hop runs nothing (no delete command).
 */
function hopRun(c: CommandChange, v: Vars, controllers: string[], present: string[]): KollaRun {
    const stage = str(v, "STAGE")!;
    const from = str(v, "HOP_FROM") ?? "?";
    const to = str(v, "RELEASE") ?? "?";
    if (c.op === "delete")
        return {
            stage,
            kind: "hop",
            op: c.op,
            why: `the hop from ${from} is over: a hop's step has no delete command`,
            hosts: [],
            steps: [],
        };
    const kolla = (args: string) => `kolla-ansible ${args}`;
    if (stage === "hop-rabbitmq")
        return {
            stage,
            kind: "hop",
            op: c.op,
            action: "rabbitmq-upgrade",
            why: `RabbitMQ one minor version at a time with ${from}'s CLI and kept configuration, before ${to}'s upgrade (it refuses a larger jump)`,
            hosts: controllers,
            steps: list(v, "RABBITMQ_STEPS").map(
                (version) =>
                    `${kolla(`rabbitmq-upgrade ${version} --configdir ${str(v, "BACKUP") ?? "?"}`)} (${from}'s CLI)`,
            ),
            confirm: `the hop from ${from} to ${to} starts with RabbitMQ's version steps: from then on the cloud cannot go back to ${from} (a failed run is finished by running pulumi up again with release ${to}; docs/upgrades.md)`,
        };
    if (stage === "hop-queues") {
        const tags = str(v, "STOP_TAGS") ?? "";
        return {
            stage,
            kind: "hop",
            op: c.op,
            action: "rabbitmq-reset-state",
            why: `every RabbitMQ queue comes back as ${to} declares it (quorum, durable)`,
            hosts: present,
            steps: [
                kolla(
                    [
                        "stop",
                        "--tags",
                        tags,
                        "--yes-i-really-really-mean-it",
                        ...list(v, "STOP_ARGS"),
                    ].join(" "),
                ),
                kolla("genconfig"),
                kolla("rabbitmq-reset-state"),
                ...(str(v, "PRECHECKS_AFTER") === "true" ? [kolla("prechecks")] : []),
            ],
            confirm: `the APIs of ${tags.split(",").join(", ")} are down from the queue reset until \`kolla-ansible upgrade\` starts them again`,
        };
    }
    return {
        stage,
        kind: "hop",
        op: c.op,
        action: "check",
        why: `kolla's own checks of the cloud after the upgrade to ${to}`,
        hosts: present,
        steps: list(v, "CHECKS").map(kolla),
    };
}

/** Everything the change makes the kolla commands do, in the order they run. */
export function kollaRuns(
    base: TreeSummary,
    head: TreeSummary,
    changes: readonly CommandChange[],
): KollaRun[] {
    const deployed = base.exists && !base.error;
    const headHosts = head.hosts ?? [];
    const baseNames = new Set((base.hosts ?? []).map((h) => h.name));
    // Hosts joining a running cloud: every cloud-wide run leaves them to their own command.
    const joining = deployed
        ? headHosts.filter((h) => !baseNames.has(h.name)).map((h) => h.name)
        : [];
    const present = headHosts.map((h) => h.name).filter((n) => !joining.includes(n));
    const withRole = (role: string) =>
        headHosts
            .filter((h) => h.roles.includes(role) && !joining.includes(h.name))
            .map((h) => h.name);
    // kolla-records.sh limit_without_joiners: `all` is no --limit; a host's own command has bootstrapped it by then.
    const limitText = (pattern: string, self?: string) =>
        [pattern, ...joining.filter((j) => j !== self).map((j) => `!${j}`)]
            .join(":")
            .replace(/^all$/, "");
    const withLimit = (cmd: string, pattern: string, self?: string) => {
        const l = limitText(pattern, self);
        return l ? `${cmd} --limit ${l}` : cmd;
    };
    const runs: KollaRun[] = [];
    const hopping = deployed && base.release !== head.release;

    // 1. The cloud-wide stages, and a hop's own steps between them.
    for (const c of changes) {
        const v = kollaVars(c.head ?? c.base);
        const stage = str(v, "STAGE");
        if (!stage || stage === "host" || stage === "reconfigure") continue;
        if (stage.startsWith("hop-")) {
            runs.push(hopRun(c, v!, withRole("control"), present));
            continue;
        }
        if (c.op === "delete") {
            runs.push({
                stage,
                kind: "stage",
                op: c.op,
                why: "removed: a stage has no delete command",
                hosts: [],
                steps: [],
            });
            continue;
        }
        const before = str(kollaVars(c.base), "STAGE_HASH");
        const after = str(v, "STAGE_HASH");
        const local = LOCAL_STAGES.includes(stage);
        if (c.op === "update" && before !== undefined && before === after) {
            runs.push({
                stage,
                kind: "stage",
                op: c.op,
                why: `its script changed, not what it depends on (${after}): the deploy host finds that applied and runs nothing`,
                hosts: [],
                steps: [],
            });
            continue;
        }
        let action = stage;
        // kolla-stage.sh: deploy runs deploy when created, upgrade when the release differs from the one it last
        // deployed, reconfigure on update; this assumes the base was deployed.
        if (stage === "deploy")
            action =
                c.op === "update"
                    ? base.release !== head.release
                        ? "upgrade"
                        : "reconfigure"
                    : "deploy";
        const first = c.op === "update" && before === undefined;
        const why =
            c.op === "create"
                ? "new command"
                : c.op === "replace"
                  ? "command replaced"
                  : first
                    ? "first run of this version: nothing, if the deploy host finds the cloud last deployed with exactly this configuration (deploy.log), else once on every host"
                    : `what it depends on changed (${before} → ${after})`;
        const stageRun = (hosts: string[], steps: string[]): KollaRun => ({
            stage,
            kind: "stage",
            op: c.op,
            action,
            why,
            ...(first ? { firstRun: true } : {}),
            hosts,
            steps,
        });
        if (stage === "bootstrap-servers") {
            const hosts = c.op === "update" && !first ? present : headHosts.map((h) => h.name);
            const serial = deployed;
            runs.push({
                ...stageRun(
                    hosts,
                    serial
                        ? hosts.map((h) => `kolla-ansible bootstrap-servers --limit ${h}`)
                        : ["kolla-ansible bootstrap-servers"],
                ),
                ...(serial && c.op === "update"
                    ? {
                          confirm: `bootstrap-servers runs again on the running cloud, one host at a time (${hosts.join(", ")}): a Docker engine update restarts every container of its host`,
                      }
                    : {}),
            });
            continue;
        }
        const hosts = local ? [] : present;
        // kolla-stage.sh: prechecks on the cloud that runs HOP_FROM take the hop's arguments.
        const hopArgs =
            stage === "prechecks" && hopping && str(v, "HOP_FROM") === base.release
                ? list(v, "HOP_PRECHECKS_ARGS")
                : [];
        const command = [`kolla-ansible ${action}`, ...hopArgs].join(" ");
        runs.push(stageRun(hosts, [local ? command : withLimit(command, "all")]));
    }
    // In the order they run (the changes come in registration order, the hop's steps registered around the stages).
    const rank = (r: KollaRun) => RUN_ORDER.indexOf(r.stage);
    runs.sort((a, b) => rank(a) - rank(b));
    const cloudDeploy = runs.find((r) => r.stage === "deploy" && r.action);

    // 2. Scoped reconfigures: they run when the cloud does not run their lines yet (and no deploy applied them).
    const baseGlobals = base.files?.["globals.yml"] ?? "";
    for (const c of changes) {
        const v = kollaVars(c.head ?? c.base);
        if (str(v, "STAGE") !== "reconfigure" || c.op === "delete") continue;
        const scope = str(v, "SCOPE") ?? "?";
        const lines = list(v, "LINES");
        const group = str(v, "LIMIT") ?? "all";
        const tags = list(v, "TAGS").join(",");
        const applied = deployed && lines.every((l) => baseGlobals.split("\n").includes(l));
        const stage = `reconfigure-${scope}`;
        if (!deployed || applied || cloudDeploy) {
            runs.push({
                stage,
                kind: "scope",
                op: c.op,
                why:
                    !deployed || cloudDeploy
                        ? "the deploy stage applies its settings"
                        : `the cloud already runs ${lines.join(", ")}`,
                hosts: [],
                steps: [],
            });
            continue;
        }
        runs.push({
            stage,
            kind: "scope",
            op: c.op,
            action: "reconfigure",
            why: `${lines.join(", ")} concerns ${tags} on the ${group} hosts only`,
            hosts: withRole(group),
            steps: [`kolla-ansible reconfigure --tags ${tags} --limit ${limitText(group)}`],
        });
    }

    // 3. Each host's own command: kolla's runbooks for adding and removing a host.
    for (const c of changes) {
        const v = kollaVars(c.head ?? c.base);
        if (str(v, "STAGE") !== "host") continue;
        const host = str(v, "HOST") ?? "?";
        const stage = `host-${host}`;
        const roles = list(v, "HOST_ROLES");
        const flag = (k: string) => str(v, k) === "true";
        if (c.op === "delete") {
            runs.push(removal(host, roles, flag, head, withRole("control")));
            continue;
        }
        const changed = str(kollaVars(c.base), "HOST_HASH") !== str(v, "HOST_HASH");
        const joins = c.op !== "update" && joining.includes(host);
        if (!deployed || (!joins && (!changed || cloudDeploy))) {
            runs.push({
                stage,
                kind: "host",
                op: c.op,
                why: !deployed
                    ? "the deploy stage deploys every host of a new cloud"
                    : c.op === "create"
                      ? `a new command for a host of the running cloud: it finds ${host} deployed and runs nothing`
                      : changed
                        ? `the deploy stage deploys ${host} with its new settings`
                        : `${host} is deployed with these settings: its command runs nothing`,
                hosts: [],
                steps: [],
            });
            continue;
        }
        const controllers = withRole("control").filter((h) => h !== host);
        const steps = joins ? [`kolla-ansible bootstrap-servers --limit ${host}`] : [];
        if (flag("CONTROL"))
            steps.push(
                ...controllers.map(
                    (h) =>
                        `kolla-ansible bootstrap-servers --limit ${h} (every controller lists every controller in /etc/hosts)`,
                ),
            );
        steps.push(`kolla-ansible pull --limit ${host}`);
        const computeOnly = flag("COMPUTE_ONLY");
        steps.push(
            computeOnly
                ? `kolla-ansible deploy --limit ${host}`
                : withLimit("kolla-ansible deploy", "all", host),
        );
        if (flag("NETWORK") && joins)
            steps.push("routers and DHCP networks moved from the busiest agents onto its agents");
        runs.push({
            stage,
            kind: "host",
            op: c.op,
            action: "deploy",
            why: joins
                ? `host ${host} joins the running cloud (roles ${roles.join(", ")})`
                : `host ${host}'s settings changed (roles ${roles.join(", ")})`,
            hosts: computeOnly ? [host] : [...new Set([host, ...present])],
            steps,
            ...(computeOnly
                ? {}
                : {
                      confirm: `${host} is a ${roles.join("/")} host: the whole cloud is deployed again (kolla: a --limit must include every controller)${flag("NETWORK") && joins ? "; moving a router interrupts its traffic briefly" : ""}`,
                  }),
        });
    }
    // Removing controllers: one at a time keeps the quorum of MariaDB and RabbitMQ (kolla's runbook).
    const leaving = runs.filter((r) => r.kind === "host" && r.op === "delete" && r.controller);
    if (leaving.length < 2) return runs;
    return runs.map((r) =>
        leaving.includes(r)
            ? {
                  ...r,
                  confirm: `${r.confirm}; ${leaving.length} controllers leave in one change: kolla advises removing one at a time (the quorum of MariaDB and RabbitMQ)`,
              }
            : r,
    );
}

function removal(
    host: string,
    roles: string[],
    flag: (k: string) => boolean,
    head: TreeSummary,
    controllers: string[],
): KollaRun {
    const forced = (head.forceRemoveHosts ?? []).includes(host);
    const steps: string[] = [];
    if (flag("NETWORK"))
        steps.push(`routers and DHCP networks moved off ${host}'s agents, its L3 agent disabled`);
    if (flag("COMPUTE"))
        steps.push(
            `openstack compute service set --disable ${host} nova-compute`,
            `openstack server migrate --live-migration, for each instance on ${host}`,
        );
    steps.push(`kolla-ansible stop --yes-i-really-really-mean-it --limit ${host}`);
    if (flag("CONTROL"))
        steps.push(`kolla-ansible deploy --limit control (${controllers.join(", ")})`);
    steps.push(`openstack network agent delete / compute service delete, for each of ${host}'s`);
    return {
        stage: `host-${host}`,
        kind: "host",
        op: "delete",
        action: "stop",
        why: `host ${host} leaves the cloud (roles ${roles.join(", ")})`,
        controller: flag("CONTROL"),
        hosts: flag("CONTROL") ? [host, ...controllers] : [host],
        steps,
        confirm: forced
            ? `forceRemoveHosts lists ${host}: instances that cannot be live-migrated are stopped with it, and an unreachable ${host} is skipped`
            : `instances that cannot be live-migrated off ${host}, or ${host} unreachable, stop the removal; to go on regardless, add ${host} to forceRemoveHosts`,
    };
}
