// The kolla-ansible lifecycle on the deploy host: one script per stage, and the destroy guard's script.
import { Settings } from "../config/settings";
import { kollaPaths, LOCK_VARS, LOG_DIR, PROGRESS_FILTER_FILE, STATE_DIR } from "./paths";
import { renderScript, Script, scriptBody } from "./script";

export type StageName =
    | "bootstrap-servers"
    | "certificates"
    | "octavia-certificates"
    | "prechecks"
    | "pull"
    | "deploy"
    | "post-deploy";

/** Release of the last successful deploy/reconfigure/upgrade: decides deploy vs. upgrade. */
export const DEPLOYED_MARKER = `${STATE_DIR}/deployed-release`;
/** Where guards of earlier versions counted themselves (one line per live guard, and an id file); removed on update. */
export const GUARDS_FILE = `${STATE_DIR}/destroy-guards`;
export const LEGACY_GUARD_ID_FILE = `${STATE_DIR}/destroy-guard.id`;
/** The explicit tear-down (kolla-teardown.sh): installed by the guard while allowDestroy is true, run by an operator. */
export const TEARDOWN_FILE = `${STATE_DIR}/kolla-teardown.sh`;

/** Provider timeout, and a shorter one inside the script (the command provider may not enforce its own). */
export const STAGE_TIMEOUTS: Readonly<Record<StageName, { resource: string; script: string }>> = {
    "bootstrap-servers": { resource: "60m", script: "50m" },
    certificates: { resource: "15m", script: "10m" },
    "octavia-certificates": { resource: "15m", script: "10m" },
    prechecks: { resource: "30m", script: "25m" },
    pull: { resource: "120m", script: "110m" },
    deploy: { resource: "240m", script: "230m" },
    "post-deploy": { resource: "20m", script: "15m" },
};
export const DESTROY_TIMEOUTS = { resource: "120m", script: "110m" } as const;

/**
 * The stages in order. With TLS, `certificates` makes kolla's CA and the haproxy certificates (kept on re-runs:
 * its tasks are `creates:`-guarded) before prechecks, which check them. octavia-certificates comes before prechecks:
 * it needs only the deploy host (kolla-genpwd's octavia_ca_password), and octavia's prechecks fail unless its
 * certificate files exist.
 */
export function stageNames(settings: Settings): StageName[] {
    const optional = (on: boolean, stage: StageName): StageName[] => (on ? [stage] : []);
    return [
        "bootstrap-servers",
        ...optional(settings.enableTls, "certificates"),
        ...optional(settings.services.octavia, "octavia-certificates"),
        "prechecks",
        "pull",
        "deploy",
        "post-deploy",
    ];
}

/** `configHash`: the deploy host's hash of what kolla-ansible reads (a change is an input diff: an `update`). */
export function stageScript(settings: Settings, stage: StageName, configHash: string): Script {
    const p = kollaPaths(settings.release);
    return renderScript(
        `kolla-${stage}.sh`,
        {
            STAGE: stage,
            RELEASE: settings.release,
            CONFIG_HASH: configHash,
            VENV: p.venv,
            INVENTORY: p.inventory,
            LOG_DIR,
            DEPLOYED_MARKER,
            ADMIN_OPENRC: p.adminOpenrc,
            CA_CERTIFICATE: p.caCertificate,
            STAGE_TIMEOUT: STAGE_TIMEOUTS[stage].script,
            KOLLA_CLI: settings.pins.kollaCli,
            ...digestVars(p.passwords),
            ...LOCK_VARS,
        },
        scriptBody("deploy-lock.sh") +
            scriptBody("output-digest.sh") +
            scriptBody("kolla-cli.sh") +
            scriptBody("kolla-stage.sh"),
    );
}

/** The destroy guard: its delete never destroys; with allowDestroy it installs the teardown command (TEARDOWN_FILE). */
export function destroyScript(settings: Settings): Script {
    return renderScript(
        "kolla-destroy.sh",
        {
            ALLOW_DESTROY: settings.allowDestroy,
            GUARDS_FILE,
            LEGACY_ID_FILE: LEGACY_GUARD_ID_FILE,
            TEARDOWN_FILE,
            TEARDOWN: settings.allowDestroy ? teardownScript(settings).text : "",
            ...LOCK_VARS,
        },
        scriptBody("deploy-lock.sh") + scriptBody("kolla-destroy.sh"),
    );
}

/** `kolla-ansible destroy`, the one place it lives: a script an operator runs on the deploy host, never a delete. */
export function teardownScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    return renderScript(
        "kolla-teardown.sh",
        {
            VENV: p.venv,
            INVENTORY: p.inventory,
            LOG_DIR,
            DEPLOYED_MARKER,
            DESTROY_TIMEOUT: DESTROY_TIMEOUTS.script,
            KOLLA_CLI: settings.pins.kollaCli,
            ...digestVars(p.passwords),
            ...LOCK_VARS,
        },
        scriptBody("deploy-lock.sh") +
            scriptBody("output-digest.sh") +
            scriptBody("kolla-cli.sh") +
            scriptBody("kolla-teardown.sh"),
    );
}

/** What output-digest.sh needs: the digest filter itself, and the passwords it redacts. */
function digestVars(passwords: string): Record<string, string> {
    // The filter itself is installed once by deploy-config: editing it re-runs no stage.
    return { PROGRESS_FILTER: PROGRESS_FILTER_FILE, PASSWORDS: passwords };
}

/** The CA the `certificates` stage printed ("== ca: " lines, past the digest), as PEM; "" when it printed none. */
export function caCertificateFromStdout(stdout: string): string {
    const pem = stdout
        .split("\n")
        .filter((l) => l.startsWith("== ca: "))
        .map((l) => l.slice(7))
        .join("\n");
    return pem ? `${pem}\n` : "";
}
