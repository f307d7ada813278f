// A release change on a deployed cloud: one hop along kolla's SLURP path, as kolla's procedure and its CI's upgrade job
// run it (config/releases UpgradeFrom). What every script shares (the guard that refuses a skip, a downgrade or going
// back once a hop began) and the hop's own steps around the stages: RabbitMQ's version steps on the old release, the
// queue migration before `upgrade`, the checks after it.
import { nextRelease, releaseOf, SLURP_PATH, UpgradeFrom } from "../config/releases";
import { Settings } from "../config/settings";
import { KollaImage, imageTag, kollaImages } from "./images";
import { DEPLOYED_MARKER } from "./kolla";
import { kollaPaths, LOCK_VARS, LOG_DIR, PROGRESS_FILTER_FILE, STATE_DIR, venvPath } from "./paths";
import { renderScript, Script, scriptBody } from "./script";

/** Where each hop keeps its state: `<from>-<to>/` with the /etc/kolla backup and the steps' stamps. */
export const HOPS_DIR = `${STATE_DIR}/hops`;

/** A hop under way: this cloud runs `from` and the stack says `to`, the next release on the path. */
export interface Hop {
    readonly from: string;
    readonly to: string;
    readonly steps: UpgradeFrom;
}

/** The hop from the release a cloud last deployed to the stack's release, if that is one hop. */
export function hopFrom(deployed: string | undefined, settings: Settings): Hop | undefined {
    const steps = settings.pins.upgrade;
    return steps && deployed === steps.from
        ? { from: steps.from, to: settings.release, steps }
        : undefined;
}

export function hopDir(from: string, to: string): string {
    return `${HOPS_DIR}/${from}-${to}`;
}

/** The variables hop-guard.sh needs: every script that writes the deploy host's configuration or runs kolla takes them. */
export function hopGuardVars(settings: Settings): Record<string, string | readonly string[]> {
    return { RELEASE: settings.release, UPGRADE_PATH: SLURP_PATH, DEPLOYED_MARKER, HOPS_DIR };
}

/** The variables hop-backup.sh needs (deploy-config keeps /etc/kolla before the hop writes the new release's). */
export function hopBackupVars(settings: Settings): Record<string, string> {
    return {
        HOP_FROM: settings.pins.upgrade?.from ?? "",
        HOPS_DIR,
        CONFIG_DIR: kollaPaths(settings.release).configDir,
    };
}

/** The services that use RabbitMQ, which the queue migration stops (kolla's CI: heat, keystone, neutron, nova, octavia). */
export function rabbitmqServices(settings: Settings): string[] {
    return [
        ...(settings.services.heat ? ["heat"] : []),
        "keystone",
        "neutron",
        "nova",
        ...(settings.services.octavia ? ["octavia"] : []),
    ];
}

/** The images a hop needs before its new release's images: RabbitMQ's version steps, at the old release's tag. */
export function hopImages(settings: Settings, hop: Hop): KollaImage[] {
    const old = releaseOf(hop.from);
    if (!old) return [];
    // kolla-ansible 2023.1-eol ansible/rabbitmq-upgrade.yml: rabbitmq_image ".../rabbitmq-{{ version | replace('.', '-') }}".
    const tag = imageTag({ ...settings, release: hop.from, pins: old });
    const { source, namespace, address } = settings.registry;
    return hop.steps.rabbitmqSteps.map((v) => {
        const name = `rabbitmq-${v.replace(/\./g, "-")}`;
        const path = `${namespace}/${name}:${tag}`;
        return { name, tag, source: `${source}/${path}`, path, target: `${address}/${path}` };
    });
}

/**
 * Ahead of the next hop, while still on this release: the next release's images for the same services, and the hop's
 * own images (RabbitMQ's steps at this release's tag), so the hop's pull does not wait on a source registry that may
 * have dropped a frozen series by then. Empty on the last release of the path.
 */
export function nextHopImages(settings: Settings): KollaImage[] {
    const next = releaseOf(nextRelease(settings.release) ?? "");
    if (!next?.upgrade) return [];
    const then: Settings = { ...settings, release: next.series, pins: next };
    const hop: Hop = { from: settings.release, to: next.series, steps: next.upgrade };
    return [...kollaImages(then), ...hopImages(then, hop)];
}

/**
 * What the mirror copies besides the release's own images: a hop's (RabbitMQ's steps), and the next release's when
 * `mirrorNextRelease` asks for them. Duplicates dropped (the next hop's and the current hop's never share a tag).
 */
export function aheadImages(settings: Settings, hop: Hop | undefined): KollaImage[] {
    const all = [
        ...(hop ? hopImages(settings, hop) : []),
        ...(settings.mirrorNextRelease ? nextHopImages(settings) : []),
    ];
    return all.filter((i, n) => all.findIndex((j) => j.source === i.source) === n);
}

const HOP_STEP_TIMEOUT = "110m";
/** The provider's timeout for a hop step, above the script's own. */
export const HOP_STEP_RESOURCE_TIMEOUT = "120m";

function hopScript(
    name: string,
    settings: Settings,
    hop: Hop,
    vars: Record<string, string | readonly string[]>,
): Script {
    const p = kollaPaths(settings.release);
    return renderScript(
        name,
        {
            ...hopGuardVars(settings),
            HOP_FROM: hop.from,
            HOP_DIR: hopDir(hop.from, hop.to),
            VENV: p.venv,
            INVENTORY: p.inventory,
            KOLLA_CLI: settings.pins.kollaCli,
            LOG_DIR,
            STEP_TIMEOUT: HOP_STEP_TIMEOUT,
            PROGRESS_FILTER: PROGRESS_FILTER_FILE,
            PASSWORDS: p.passwords,
            ...LOCK_VARS,
            ...vars,
        },
        scriptBody("deploy-lock.sh") +
            scriptBody("output-digest.sh") +
            scriptBody("kolla-cli.sh") +
            scriptBody("hop-guard.sh") +
            scriptBody(name),
    );
}

/** The hop's RabbitMQ version steps, with the old release's CLI on its kept configuration; undefined when none. */
export function hopRabbitmqScript(settings: Settings, hop: Hop): Script | undefined {
    const old = releaseOf(hop.from);
    if (!old || hop.steps.rabbitmqSteps.length === 0) return undefined;
    const backup = `${hopDir(hop.from, hop.to)}/etc-kolla`;
    return hopScript("kolla-hop-rabbitmq.sh", settings, hop, {
        RABBITMQ_STEPS: hop.steps.rabbitmqSteps,
        OLD_VENV: venvPath(hop.from),
        BACKUP: backup,
        // The old release's CLI, on the inventory of its own configuration.
        KOLLA_CLI: old.kollaCli,
        INVENTORY: `${backup}/inventory`,
    });
}

/** The hop's queue migration before `upgrade`; undefined when the hop has none. */
export function hopQueuesScript(settings: Settings, hop: Hop): Script | undefined {
    const q = hop.steps.queueMigration;
    if (!q) return undefined;
    return hopScript("kolla-hop-queues.sh", settings, hop, {
        STOP_TAGS: rabbitmqServices(settings).join(","),
        STOP_ARGS: q.stopArgs,
        PRECHECKS_AFTER: String(q.prechecksAfter),
    });
}

/** The checks after `upgrade`. */
export function hopVerifyScript(settings: Settings, hop: Hop): Script {
    return hopScript("kolla-hop-verify.sh", settings, hop, {
        CHECKS: hop.steps.verify.map((argv) => argv.join(" ")),
    });
}
