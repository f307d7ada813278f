// The only module that reads pulumi.Config. Everything else receives typed Settings and secret Outputs.
import * as pulumi from "@pulumi/pulumi";
import { isConfigKey, keySpec, PROJECT, qualified } from "./keys";
import { parseSettings, Settings, SettingsError } from "./settings";

export * from "./settings";
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
