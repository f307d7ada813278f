// Reads Pulumi.yaml and Pulumi.<stack>.yaml the way the Pulumi CLI does, without the CLI, for `npm run render`,
// `npm run plan` and the tests: the same values reach the program, and a stack the CLI would refuse is refused here
// with the CLI's own reason. The rules are the CLI's (pulumi/pulumi sdk/go/common/workspace: `mergeConfig`,
// `validateStackConfigValue`, `ValidateConfigValue`; sdk/go/common/resource/config/value.go), each cited below.
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { PROJECT } from "./keys";

export class StackFileError extends Error {}

/** Keys every operator sets by command and never commits; the README's stack set-up commands set exactly these. */
export const OPERATOR_SET_KEYS: Readonly<Record<string, string>> = Object.freeze({
    sshPrivateKey: "pulumi config set --secret sshPrivateKey < ~/.ssh/id_ed25519",
});

export interface StackConfig {
    /** Unqualified key → value as the CLI hands it to the program: scalars as strings (their YAML text), objects
     *  and arrays parsed; Pulumi.yaml defaults applied beneath the stack file. */
    readonly values: Record<string, unknown>;
    /** Qualified key → the string the program receives (`pulumi.runtime.allConfig()`): JSON for objects. */
    readonly config: Record<string, string>;
    /** Keys whose value in the stack file is encrypted (`secure:`); their values are not in `values`. */
    readonly secureKeys: string[];
}

/** A `config:` entry of Pulumi.yaml as written: any field may hold anything until it is checked. */
type Declaration = {
    type?: unknown;
    items?: unknown;
    default?: unknown;
    value?: unknown;
    secret?: unknown;
    description?: unknown;
};

// Pulumi's project schema (sdk/go/common/workspace/project.json, "configTypeDeclaration"): these fields only.
const DECLARATION_FIELDS = new Set(["type", "items", "description", "secret", "default", "value"]);
// ValidateConfigValue knows these (stringTypeName, integerTypeName, booleanTypeName, arrays with `items`).
const DECLARED_TYPES = new Set(["string", "integer", "boolean", "array"]);

/** One line per YAML problem, naming the file, line and column (duplicate keys are errors, as in yaml.v3). */
function parseYaml(file: string, schema?: "failsafe"): YAML.Document.Parsed {
    let text: string;
    try {
        text = fs.readFileSync(file, "utf8");
    } catch (e) {
        throw new StackFileError(
            `${file}: cannot be read (${e instanceof Error ? e.message : String(e)})`,
        );
    }
    const doc = YAML.parseDocument(text, {
        uniqueKeys: true,
        prettyErrors: true,
        ...(schema ? { schema } : {}),
    });
    if (doc.errors.length > 0) {
        throw new StackFileError(
            doc.errors
                .map((e) => {
                    const at = e.linePos?.[0];
                    return `${file}:${at ? `${at.line}:${at.col}` : "?"}: ${e.message.split("\n")[0].replace(/ at line \d+, column \d+:?$/, "")}`;
                })
                .join("\n"),
        );
    }
    return doc;
}

/** A value of the file in a message: a string as written, anything else as JSON. */
const text = (value: unknown): string =>
    typeof value === "string" ? value : (JSON.stringify(value) ?? String(value));

/** A YAML mapping (not null, not a sequence). */
function isMap(value: unknown): value is Record<string, unknown> {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

function asMap(value: unknown, what: string): Record<string, unknown> {
    if (value === null || value === undefined) return {};
    if (!isMap(value)) throw new StackFileError(`${what} must be a mapping`);
    return value;
}

function unqualified(key: string): { ns: string; key: string } {
    const i = key.indexOf(":");
    return i < 0 ? { ns: PROJECT, key } : { ns: key.slice(0, i), key: key.slice(i + 1) };
}

/** Pulumi.yaml's `config:` declarations, checked as the CLI's project schema checks them. */
export function projectDeclarations(dir: string): Record<string, Declaration> {
    const file = path.join(dir, "Pulumi.yaml");
    const project = asMap(parseYaml(file).toJS(), file);
    const out: Record<string, Declaration> = {};
    const problems: string[] = [];
    for (const [qkey, decl] of Object.entries(asMap(project.config, `${file}: config`))) {
        const { ns, key } = unqualified(qkey);
        if (ns !== PROJECT) continue;
        // A bare value declares a constant (`ProjectConfigType.Value`).
        if (!isMap(decl)) {
            out[key] = { value: decl };
            continue;
        }
        const d: Declaration = decl;
        for (const field of Object.keys(d)) {
            if (!DECLARATION_FIELDS.has(field))
                problems.push(
                    `${file}: config.${qkey}: unknown field "${field}" (allowed: ${[...DECLARATION_FIELDS].join(", ")})`,
                );
        }
        if (d.type !== undefined && !(typeof d.type === "string" && DECLARED_TYPES.has(d.type)))
            problems.push(
                `${file}: config.${qkey}: type "${text(d.type)}" is not one of ${[...DECLARED_TYPES].join(", ")}`,
            );
        if (d.type === "array" && d.items === undefined)
            problems.push(`${file}: config.${qkey}: an array needs "items"`);
        if (d.type !== "array" && d.items !== undefined)
            problems.push(`${file}: config.${qkey}: "items" only goes with type array`);
        if (d.type && d.default !== undefined && !validValue(d.type, d.items, d.default))
            problems.push(`${file}: config.${qkey}: default is not of type ${text(d.type)}`);
        out[key] = d;
    }
    if (problems.length > 0) throw new StackFileError(problems.join("\n"));
    return out;
}

/** Pulumi.yaml defaults, as the program receives them. */
export function projectDefaults(dir: string): Record<string, unknown> {
    const out: Record<string, unknown> = {};
    for (const [key, d] of Object.entries(projectDeclarations(dir))) {
        const v = d.default ?? d.value;
        if (v !== undefined) out[key] = asProgramValue(v);
    }
    return out;
}

/** `createConfigValue`: a primitive becomes its `%v` text, anything else JSON (parsed back here). */
function asProgramValue(v: unknown): unknown {
    if (v === null || typeof v !== "object") return String(v);
    return v;
}

/** `ValidateConfigValue` (sdk/go/common/workspace/project.go): what a declared type accepts. */
function validValue(type: unknown, items: unknown, value: unknown): boolean {
    switch (type) {
        case "string":
            return typeof value === "string";
        case "integer":
            return typeof value === "number"
                ? Number.isInteger(value)
                : typeof value === "string" && /^[+-]?\d+$/.test(value);
        // Only the literal strings "true" and "false" (or a YAML boolean inside an object): `yes`, `True` are refused.
        case "boolean":
            return typeof value === "boolean" || value === "true" || value === "false";
        case "array": {
            const it = isMap(items) ? items : undefined;
            return (
                Array.isArray(value) &&
                !!it?.type &&
                value.every((x) => validValue(it.type, it.items, x))
            );
        }
        default:
            return false;
    }
}

function typeName(d: Declaration): string {
    const it = isMap(d.items) ? d.items : undefined;
    return d.type === "array" ? `array<${text(it?.type ?? "?")}>` : text(d.type);
}

/**
 * The stack as the CLI hands it to the program. `setByCommand` are keys the operator sets with `pulumi config set`
 * (by default OPERATOR_SET_KEYS, with `secret` as the README's set-up command sets them). Throws a StackFileError naming
 * every key the CLI would refuse: "Stack 'aio' is missing configuration value 'x'", a value not of its declared
 * type, a `secret: true` key that is not `secure:`.
 */
export function readStackConfig(
    stack: string,
    dir: string,
    setByCommand: Readonly<Record<string, { secret: boolean }>> = defaultSetByCommand(),
): StackConfig {
    if (!/^[A-Za-z0-9_.-]+$/.test(stack))
        throw new StackFileError(`"${stack}" is not a stack name`);
    const file = path.join(dir, `Pulumi.${stack}.yaml`);
    if (!fs.existsSync(file)) {
        const known = fs
            .readdirSync(dir)
            .filter((f) => /^Pulumi\..+\.yaml$/.test(f))
            .map((f) => f.slice(7, -5));
        throw new StackFileError(
            `no stack "${stack}": ${file} does not exist (stacks here: ${known.join(", ") || "none"})`,
        );
    }
    const declarations = projectDeclarations(dir);
    // config.Value.UnmarshalYAML: a mapping {secure: …} is a secret, other mappings and sequences are objects (JSON),
    // and any scalar is kept as its text — `release: 2023.1` reaches the program as "2023.1", `sshPort: 22` as "22".
    const typed = asMap(asMap(parseYaml(file).toJS(), file).config, `${file}: config`);
    const texts = asMap(asMap(parseYaml(file, "failsafe").toJS(), file).config, `${file}: config`);
    const values: Record<string, unknown> = projectDefaults(dir);
    const stackValues: Record<string, unknown> = {};
    const secure = new Set<string>();
    for (const [qkey, value] of Object.entries(typed)) {
        const { ns, key } = unqualified(qkey);
        if (ns !== PROJECT) continue;
        if (
            value &&
            typeof value === "object" &&
            !Array.isArray(value) &&
            Object.keys(value).length === 1 &&
            "secure" in value
        ) {
            secure.add(key);
            delete values[key];
            continue;
        }
        stackValues[key] =
            value !== null && typeof value === "object" ? value : (texts[qkey] ?? "");
        values[key] = stackValues[key];
    }
    for (const [key, how] of Object.entries(setByCommand)) {
        if (how.secret) {
            secure.add(key);
            delete values[key];
        } else values[key] ??= "";
    }

    const problems: string[] = [];
    const missing: string[] = [];
    for (const key of Object.keys(declarations).sort()) {
        const d = declarations[key];
        const present = key in stackValues || secure.has(key) || key in setByCommand;
        if (!present && d.default === undefined && d.value === undefined) {
            missing.push(key);
            continue;
        }
        if (!present) continue;
        if (d.secret && !secure.has(key))
            problems.push(
                `Stack '${stack}' with configuration key '${key}' must be encrypted as it's secret`,
            );
        if (d.type && key in stackValues && !validValue(d.type, d.items, stackValues[key])) {
            problems.push(
                `Stack '${stack}' with configuration key '${key}' must be of type '${typeName(d)}'`,
            );
        }
    }
    if (missing.length > 0) {
        const list =
            missing.length === 1
                ? `'${missing[0]}'`
                : `${missing
                      .slice(0, -1)
                      .map((k) => `'${k}'`)
                      .join(", ")} and '${missing[missing.length - 1]}'`;
        problems.unshift(
            `Stack '${stack}' is missing configuration value${missing.length > 1 ? "s" : ""} ${list}`,
        );
    }
    if (problems.length > 0)
        throw new StackFileError(problems.map((p) => `${file}: ${p}`).join("\n"));

    const config: Record<string, string> = {};
    for (const [key, v] of Object.entries(values))
        config[`${PROJECT}:${key}`] = typeof v === "string" ? v : JSON.stringify(v);
    return { values, config, secureKeys: [...secure].sort() };
}

function defaultSetByCommand(): Record<string, { secret: boolean }> {
    return Object.fromEntries(
        Object.keys(OPERATOR_SET_KEYS).map((k) => [
            k,
            { secret: /--secret/.test(OPERATOR_SET_KEYS[k]) },
        ]),
    );
}
