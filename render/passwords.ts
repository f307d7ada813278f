// The passwords the stack owns (from @pulumi/random), merged into kolla's passwords.yml on the deploy host.
import * as YAML from "yaml";
import { Settings } from "../config/settings";
import { renderScript, Script, scriptBody } from "./script";
import { hopGuardVars } from "./upgrade";
import { kollaPaths, LOCK_VARS } from "./paths";

export interface OwnedPasswords {
    keystoneAdminPassword: string;
    /** Only with Octavia. */
    octaviaKeystonePassword?: string;
}

export function renderPasswordOverrides(p: OwnedPasswords, settings: Settings): string {
    const values: Record<string, string> = { keystone_admin_password: p.keystoneAdminPassword };
    if (settings.services.octavia) {
        if (!p.octaviaKeystonePassword)
            throw new Error("Octavia is on but no octavia_keystone_password was given");
        values.octavia_keystone_password = p.octaviaKeystonePassword;
    }
    return YAML.stringify(values);
}

/**
 * passwords.yml from kolla's example (merged beneath the existing values on later runs), kolla-genpwd (fills only
 * blank keys, so generated passwords stay stable across runs), then kolla-mergepwd with the stack's overrides as the
 * "old" file, whose values win; written beside passwords.yml and renamed over it only if no key or value is lost.
 * Prints passwords.yml (the stack's copy); refuses to make a new one while the cloud exists.
 */
export function passwordsMergeScript(settings: Settings): Script {
    const p = kollaPaths(settings.release);
    return renderScript(
        "passwords-merge.sh",
        {
            VENV: p.venv,
            EXAMPLE: p.examplePasswords,
            PASSWORDS: p.passwords,
            OVERRIDES: p.passwordOverrides,
            ...hopGuardVars(settings),
            ...LOCK_VARS,
        },
        scriptBody("deploy-lock.sh") +
            scriptBody("hop-guard.sh") +
            scriptBody("passwords-merge.sh"),
    );
}
