// Values whose shape is known only when the test runs (a registration's inputs, parsed JSON or YAML) read with their
// real type: each helper checks what it was given and fails the test naming what it found, instead of letting an `any`
// flow into the assertions.
import { strict as assert } from "assert";
import * as YAML from "yaml";
import { Registration } from "../../tools/evaluate/harness";

/** A JSON-like object: string keys, values still to be narrowed. */
export type Dict = Record<string, unknown>;

export function isDict(value: unknown): value is Dict {
    return typeof value === "object" && value !== null && !Array.isArray(value);
}

const shown = (value: unknown): string => JSON.stringify(value) ?? String(value);

/** `value` as an object; fails the test when it is not one. */
export function asDict(value: unknown, what = "value"): Dict {
    if (!isDict(value)) assert.fail(`${what} is not an object: ${shown(value)}`);
    return value;
}

/** `value` as a string; fails the test when it is not one. */
export function asString(value: unknown, what = "value"): string {
    if (typeof value !== "string") assert.fail(`${what} is not a string: ${shown(value)}`);
    return value;
}

/** `value` as an array; fails the test when it is not one. */
export function asArray(value: unknown, what = "value"): unknown[] {
    if (!Array.isArray(value)) assert.fail(`${what} is not an array: ${shown(value)}`);
    return value as unknown[];
}

/** `value` as an array of strings; fails the test when it is not one. */
export function asStrings(value: unknown, what = "value"): string[] {
    return asArray(value, what).map((v, i) => asString(v, `${what}[${i}]`));
}

/**
 * The value at a path of dots and indexes (`connection.host`, `hosts[0].name`) as property access reads it: a missing
 * last step is undefined, a step through something that is not an object or array fails the test (where `a.b.c`
 * would throw).
 */
export function at(value: unknown, path: string): unknown {
    let here = value;
    let walked = "";
    for (const step of path.match(/[^.[\]]+/g) ?? []) {
        here = asContainer(here, walked)[step];
        walked += /^\d+$/.test(step) ? `[${step}]` : walked ? `.${step}` : step;
    }
    return here;
}

/** A registration's input at a path (`stdin`, `connection.host`), still to be narrowed. */
export function input(r: Registration, path: string): unknown {
    return at(r.inputs, path);
}

/** A registration's input at a path that must be a string (`stdin`, `connection.host`). */
export function inputString(r: Registration, path: string): string {
    return asString(input(r, path), `${r.name} input ${path}`);
}

/** JSON text parsed as what it is until narrowed: unknown. */
export function parseJson(json: string): unknown {
    return JSON.parse(json) as unknown;
}

/**
 * Sets the value at a dotted path of keys and indexes (`hosts.0.name`) inside `root`, or deletes it when the value
 * is undefined; a step through something that is not an object or array fails the test.
 */
export function setAt(root: Dict, dotted: string, value: unknown): void {
    const parts = dotted.split(".");
    const last = parts[parts.length - 1];
    let here: unknown = root;
    parts.slice(0, -1).forEach((p, i) => {
        here = asContainer(here, parts.slice(0, i).join("."))[p];
    });
    const parent = asContainer(here, parts.slice(0, -1).join("."));
    if (value === undefined) delete parent[last];
    else parent[last] = value;
}

function asContainer(value: unknown, path: string): Record<string, unknown> {
    if (typeof value !== "object" || value === null)
        assert.fail(`${path || "value"} is not an object or array: ${shown(value)}`);
    return value as Record<string, unknown>;
}

/** A registration's input at a path that must be an array of strings (`envs`). */
export function inputStrings(r: Registration, path: string): string[] {
    return asStrings(input(r, path), `${r.name} input ${path}`);
}

/** YAML text that must hold a mapping (globals.yml, a stack file), its values still to be narrowed. */
export function yamlDict(yaml: string, what = "YAML"): Dict {
    return asDict(YAML.parse(yaml) as unknown, what);
}
