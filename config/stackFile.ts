// Reads Pulumi.yaml defaults and Pulumi.<stack>.yaml without the Pulumi CLI, for `npm run render` and tests.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { KEYS, PROJECT } from "./keys";

export interface StackConfig {
    /** Unqualified key → value as YAML typed it, Pulumi.yaml defaults applied first. */
    readonly values: Record<string, unknown>;
    /** Keys whose value in the stack file is encrypted (`secure:`); their values are not in `values`. */
    readonly secureKeys: string[];
}

export class StackFileError extends Error {}

/** Pulumi.yaml `config:` defaults, the way the CLI applies them. */
export function projectDefaults(dir: string): Record<string, unknown> {
    const project = YAML.parse(fs.readFileSync(path.join(dir, "Pulumi.yaml"), "utf8")) ?? {};
    const out: Record<string, unknown> = {};
    for (const [key, decl] of Object.entries<Record<string, unknown> | unknown>(project.config ?? {})) {
        if (decl && typeof decl === "object" && "default" in (decl as object)) {
            out[key.replace(`${PROJECT}:`, "")] = (decl as { default: unknown }).default;
        }
    }
    return out;
}

export function readStackConfig(stack: string, dir: string): StackConfig {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack)) throw new StackFileError(`"${stack}" is not a stack name`);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs.readdirSync(dir).filter((f) => /^Pulumi\..+\.yaml$/.test(f)).map((f) => f.slice(7, -5));
        throw new StackFileError(`no stack "${stack}": ${file} does not exist (stacks here: ${known.join(", ") || "none"})`);
    }
    const doc = YAML.parse(fs.readFileSync(file, "utf8")) ?? {};
    const values = projectDefaults(dir);
    const secureKeys: string[] = [];
    for (const [qkey, value] of Object.entries<unknown>(doc.config ?? {})) {
        const [ns, key] = qkey.includes(":") ? qkey.split(":", 2) : [PROJECT, qkey];
        if (ns !== PROJECT) continue;
        if (value && typeof value === "object" && !Array.isArray(value) && "secure" in (value as object)) {
            secureKeys.push(key);
            delete values[key];
            continue;
        }
        values[key] = value;
    }
    return { values, secureKeys };
}

/** Whether a key holds a secret by declaration. */
export function isSecretKey(key: string): boolean {
    return Boolean((KEYS as Record<string, { secret?: boolean }>)[key]?.secret);
}
