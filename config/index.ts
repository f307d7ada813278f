// The only module that reads pulumi.Config. Everything else receives typed Settings and secret Outputs.
import * as pulumi from "@pulumi/pulumi";
import { isConfigKey, keySpec, PROJECT, qualified } from "./keys";
import { hopProblem, PriorDeployment } from "./hop";
import { parseSettings, Settings, SettingsError } from "./settings";

export * from "./settings";
export type { PriorDeployment } from "./hop";
export { KEYS, PROJECT } from "./keys";

/** Values that must stay Pulumi secrets end to end. */
export interface Secrets {
    /** Private key Pulumi's SSH connections use for the deploy host and every target. */
    readonly sshPrivateKey: pulumi.Output<string>;
}

export interface LoadedConfig {
    readonly settings: Settings;
    readonly secrets: Secrets;
}

/**
 * Reads this project's configuration, validates all of it at once and throws a SettingsError naming every bad
 * key before any resource is registered.
 */
export function loadConfig(): LoadedConfig {
    const prefix = `${PROJECT}:`;
    const raw: Record<string, unknown> = {};
    for (const [key, value] of Object.entries(pulumi.runtime.allConfig())) {
        if (!key.startsWith(prefix)) continue;
        const short = key.slice(prefix.length);
        // Secret values are read below through getSecret, never as plain strings.
        if (isConfigKey(short) && keySpec(short).secret) continue;
        raw[short] = value;
    }
    const problems: string[] = [];
    let settings: Settings | undefined;
    try {
        settings = parseSettings(raw);
    } catch (e) {
        if (!(e instanceof SettingsError)) throw e;
        problems.push(...e.problems);
    }
    const sshPrivateKey = new pulumi.Config(PROJECT).getSecret("sshPrivateKey");
    if (sshPrivateKey === undefined) {
        problems.push(
            `${qualified("sshPrivateKey")}: is required: set it with \`pulumi config set --secret sshPrivateKey < ~/.ssh/id_ed25519\``,
        );
    }
    if (problems.length > 0 || !settings || !sshPrivateKey) throw new SettingsError(problems);
    return { settings, secrets: { sshPrivateKey } };
}

/**
 * What the stack's last `pulumi up` recorded, read from its own outputs through a StackReference to itself: the engine
 * reads it in preview too (a read step), answers the previous run's outputs during an update, and nothing on a new
 * stack (pulumi/pulumi sdk/nodejs/stackReference.ts, pkg/resource/deploy/builtins.go readStackReference). A stack
 * deployed by an earlier version of this program has outputs but no deployedRelease: those versions deployed 2023.1
 * only.
 */
export async function loadPriorDeployment(): Promise<PriorDeployment> {
    const self = new pulumi.StackReference(`${PROJECT}-last-run`, {
        name: `${pulumi.getOrganization()}/${pulumi.getProject()}/${pulumi.getStack()}`,
    });
    const text = async (output: string): Promise<string | undefined> => {
        const details = await self.getOutputDetails(output);
        return typeof details.value === "string" ? details.value : undefined;
    };
    const [release, hostOs, authUrl] = await Promise.all([
        text("deployedRelease"),
        text("hostOs"),
        text("authUrl"),
    ]);
    return {
        ...(release !== undefined
            ? { release }
            : authUrl !== undefined
              ? { release: "2023.1" }
              : {}),
        ...(hostOs !== undefined ? { hostOs } : {}),
    };
}

/** The one line that refuses a release change which is not a re-run or one SLURP hop from `prior` (config/hop.ts). */
export function checkPriorDeployment(settings: Settings, prior: PriorDeployment): void {
    const problem = hopProblem(settings.release, settings.hostOs, prior);
    if (problem) throw new SettingsError([`${qualified("release")}: ${problem}`]);
}
