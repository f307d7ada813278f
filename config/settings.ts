// Settings: the one schema from raw configuration to the typed, frozen values every component reads, and the
// problems it finds as messages naming each config key. The schema's parts: config/schema.ts (shapes, every default,
// the shape of Settings) and config/checks.ts (how the values fit together).
import { z } from "zod";
import { isConfigKey, KEYS, PROJECT, qualified } from "./keys";
import { CHECKS, ParsedConfig } from "./checks";
import {
    Config,
    CONFIG_KEYS,
    configSchema,
    isUnset,
    settingsShape,
    show,
    toSettings,
} from "./schema";

export { hostKeyOnly, hostNameProblem, ROLES, show } from "./schema";
export type { Role } from "./schema";

// ---------- the schema ----------

/** Runs every check over the keys that parsed; a problem about a key whose value was already refused is left out. */
function runChecks(value: Config, ctx: z.core.$RefinementCtx<Config>): void {
    const refused = new Set(ctx.issues.map((issue) => issue.path?.[0]));
    const parsed: ParsedConfig = { ...value };
    for (const key of CONFIG_KEYS) if (refused.has(key)) delete parsed[key];
    for (const check of CHECKS) {
        for (const { key, message } of check(parsed)) {
            const top = key.split(/[.[]/)[0];
            if (!refused.has(top))
                ctx.addIssue({ code: "custom", path: [top], message, params: { key } });
        }
    }
}

/**
 * Raw configuration (unqualified keys: strings and JSON as Pulumi hands them over, or typed from YAML) to Settings:
 * the shapes with their defaults, every check, then the derived values. Readonly all the way down.
 */
export const settingsSchema = configSchema
    // The checks run even when some keys were refused (over the others), so every problem is reported at once.
    .superRefine(runChecks, {
        when: (payload) => typeof payload.value === "object" && payload.value !== null,
    })
    .transform(toSettings)
    .pipe(settingsShape);

export type Settings = z.output<typeof settingsSchema>;
export type Host = Settings["hosts"][number];
export type HostInterfaces = Host["interfaces"];
export type DeployHost = Settings["deployHost"];
export type Networks = Settings["networks"];
export type RegistryMode = Settings["registry"]["mode"];

// ---------- problems ----------

/** Thrown with every problem found, one per line, each naming its config key. */
export class SettingsError extends Error {
    constructor(public readonly problems: readonly string[]) {
        super(
            `invalid configuration (${problems.length} problem${problems.length === 1 ? "" : "s"}):\n` +
                problems.map((p) => `  - ${p}`).join("\n"),
        );
        this.name = "SettingsError";
    }
}

/** One line per problem whatever a key or value holds: line breaks and control characters are escaped. */
function line(key: string, problem: string): string {
    // \p{Cc} (Unicode's general category Control) is exactly U+0000-U+001F and U+007F-U+009F; U+2028 and U+2029 are
    // the line and paragraph separators.
    return `${qualified(key)}: ${problem}`.replace(
        /[\p{Cc}\u2028\u2029]/gu,
        (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, "0")}`,
    );
}

function pathOf(key: string, path: readonly PropertyKey[]): string {
    let out = key;
    for (const p of path) out += typeof p === "number" ? `[${p}]` : `.${String(p)}`;
    return out;
}

/**
 * The schema's issues as problem lines: unknown keys first, then the shapes' problems in KEYS order (each with the
 * key's description), then the checks'.
 */
function problemsOf(
    issues: readonly z.core.$ZodIssue[],
    raw: Readonly<Record<string, unknown>>,
): string[] {
    const unknownKeys: string[] = [];
    const problems: string[] = [];
    for (const issue of issues) {
        if (issue.code === "unrecognized_keys" && issue.path.length === 0) {
            for (const key of issue.keys)
                unknownKeys.push(
                    line(key, `unknown key; known keys are ${Object.keys(KEYS).join(", ")}`),
                );
            continue;
        }
        // A check's problem: its key already says where.
        if (issue.code === "custom" && typeof issue.params?.key === "string") {
            problems.push(line(issue.params.key, issue.message));
            continue;
        }
        const [key, ...path] = issue.path;
        if (typeof key !== "string" || !isConfigKey(key)) {
            // Only when the configuration is not a map at all.
            problems.push(
                key === undefined
                    ? `${PROJECT}: ${issue.message}`
                    : line(pathOf(String(key), path), issue.message),
            );
            continue;
        }
        const description = KEYS[key].description;
        if (path.length === 0 && isUnset(raw[key])) {
            problems.push(line(key, `is required: ${description}`));
            continue;
        }
        const message =
            issue.code === "unrecognized_keys"
                ? `unknown field${issue.keys.length === 1 ? "" : "s"} ${issue.keys.map(show).join(", ")}: remove or correct ${issue.keys.length === 1 ? "it" : "them"}`
                : issue.message;
        problems.push(line(pathOf(key, path), `${message} (${description})`));
    }
    return [...unknownKeys, ...problems];
}

function deepFreeze(value: unknown, seen = new Set<object>()): void {
    if (typeof value !== "object" || value === null || seen.has(value)) return;
    seen.add(value);
    Object.freeze(value);
    for (const item of Object.values(value)) deepFreeze(item, seen);
}

/**
 * Applies defaults, validates and returns frozen typed settings. `raw` maps unqualified config keys to values,
 * either as Pulumi hands them over (strings, JSON for objects) or already typed (YAML). Throws SettingsError
 * listing every problem, each naming its key and what would be valid.
 */
export function parseSettings(raw: Readonly<Record<string, unknown>>): Settings {
    const result = settingsSchema.safeParse(raw);
    if (!result.success) throw new SettingsError(problemsOf(result.error.issues, raw));
    // The schema freezes every level it builds; extraGlobals' values and the release pins are frozen here.
    deepFreeze(result.data);
    return result.data;
}
