// The catalogue of hostile stack files (test/fixtures/hostile/*.yaml), read and applied to the aio stack's values:
// what the catalogue's own suite (hostile.test.ts) and the host scripts' lint (hostFiles.test.ts) both read.
import { strict as assert } from "assert";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { stackValues } from "../../tools/evaluate/stack";
import { asArray, asDict, asString, parseJson, setAt } from "./narrow";

const DIR = path.join(__dirname, "../fixtures/hostile");

export interface Fixture {
    file: string;
    about: string;
    via?: "typed" | "cli";
    patch: Record<string, unknown>;
    rejects?: { key: string; fix: string }[];
    harmless?: boolean;
    expect?: {
        globals?: Record<string, unknown>;
        hostvars?: Record<string, Record<string, unknown>>;
    };
}

/** A fixture file read into a Fixture; anything of the wrong shape fails the suite naming the file and field. */
function fixtureOf(file: string, value: unknown): Fixture {
    const f = asDict(value, file);
    const optional = <T>(v: unknown, read: (v: unknown) => T): T | undefined =>
        v === undefined ? undefined : read(v);
    return {
        file,
        about: asString(f.about, `${file}: about`),
        via: optional(f.via, (v) =>
            v === "typed" || v === "cli" ? v : assert.fail(`${file}: via is typed or cli`),
        ),
        patch: asDict(f.patch, `${file}: patch`),
        rejects: optional(f.rejects, (v) =>
            asArray(v, `${file}: rejects`).map((r, i) => {
                const reject = asDict(r, `${file}: rejects[${i}]`);
                return {
                    key: asString(reject.key, `${file}: rejects[${i}].key`),
                    fix: asString(reject.fix, `${file}: rejects[${i}].fix`),
                };
            }),
        ),
        harmless: optional(f.harmless, (v) =>
            typeof v === "boolean" ? v : assert.fail(`${file}: harmless is true or false`),
        ),
        expect: optional(f.expect, (v) => {
            const expect = asDict(v, `${file}: expect`);
            return {
                globals: optional(expect.globals, (g) => asDict(g, `${file}: expect.globals`)),
                hostvars: optional(expect.hostvars, (h) =>
                    Object.fromEntries(
                        Object.entries(asDict(h, `${file}: expect.hostvars`)).map(
                            ([host, vars]) => [host, asDict(vars, `${file}: ${host}`)],
                        ),
                    ),
                ),
            };
        }),
    };
}

export function loadFixtures(): Fixture[] {
    return fs
        .readdirSync(DIR)
        .filter((f) => f.endsWith(".yaml"))
        .sort()
        .map((file) =>
            fixtureOf(file, YAML.parse(fs.readFileSync(path.join(DIR, file), "utf8")) as unknown),
        );
}

/** The aio stack's values with the patch applied at dotted paths (`hosts.0.name`). */
export function patched(patch: Record<string, unknown>): Record<string, unknown> {
    const values = asDict(parseJson(JSON.stringify(stackValues("aio"))));
    for (const [dotted, value] of Object.entries(patch)) setAt(values, dotted, value);
    return values;
}

/** Values as the Pulumi CLI hands them to the program: strings as they are, everything else as JSON text. */
export function asCli(values: Record<string, unknown>): Record<string, unknown> {
    return Object.fromEntries(
        Object.entries(values).map(([k, v]) => [k, typeof v === "string" ? v : JSON.stringify(v)]),
    );
}

export function modes(f: Fixture): ["typed" | "cli", Record<string, unknown>][] {
    const typed = patched(f.patch);
    const all: ["typed" | "cli", Record<string, unknown>][] = [
        ["typed", typed],
        ["cli", asCli(typed)],
    ];
    return all.filter(([m]) => !f.via || f.via === m);
}
