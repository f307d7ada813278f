// The Pulumi CLI's own config rules, applied to Pulumi.yaml, every committed stack file and the docs' commands,
// so that a stack the CLI would refuse cannot pass the tests (the mock runtime applies none of these rules).
import { strict as assert } from "assert";
import * as fs from "fs";
import * as os from "os";
import * as path from "path";
import * as YAML from "yaml";
import { KEYS } from "../config/keys";
import {
    OPERATOR_SET_KEYS,
    projectDeclarations,
    readStackConfig,
    StackFileError,
} from "../config/stackFile";
import { PROJECT_DIR } from "../tools/evaluate/stack";
import { asDict, at, parseJson } from "./support/narrow";

const committedStacks = () =>
    fs
        .readdirSync(PROJECT_DIR)
        .filter((f) => /^Pulumi\.[^.]+\.yaml$/.test(f))
        .map((f) => f.slice(7, -5));

/**
 * `pulumi config set [--secret] KEY` in the shell blocks of README.md and docs/ that set up a new stack (`pulumi stack
 * select --create`, `pulumi stack init`): what an operator following them sets. The blocks that change a running
 * stack's settings are test/docs.test.ts's.
 */
function setupSetKeys(): Record<string, { secret: boolean }> {
    const pages = [
        "README.md",
        ...fs.readdirSync(path.join(PROJECT_DIR, "docs")).map((f) => path.join("docs", f)),
    ].filter((f) => f.endsWith(".md"));
    const blocks = pages
        .flatMap((f) => [
            ...fs.readFileSync(path.join(PROJECT_DIR, f), "utf8").matchAll(/```sh\n([\s\S]*?)```/g),
        ])
        .map((m) => m[1])
        .filter((b) => /pulumi stack (select --create|init) /.test(b))
        .join("\n");
    const out: Record<string, { secret: boolean }> = {};
    for (const m of blocks.matchAll(/pulumi config set( --secret)? ([A-Za-z][\w.]*)/g))
        out[m[2]] = { secret: Boolean(m[1]) };
    return out;
}

describe("config: the Pulumi CLI's rules", () => {
    let dir: string;
    /** A project dir with the real Pulumi.yaml (optionally edited) and one stack file. */
    function project(
        stackYaml: string,
        editProject?: (p: { config: Record<string, unknown> }) => void,
    ): string {
        const p = asDict(
            YAML.parse(fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8")) as unknown,
            "Pulumi.yaml",
        );
        editProject?.({ config: asDict(p.config, "Pulumi.yaml config") });
        fs.writeFileSync(path.join(dir, "Pulumi.yaml"), YAML.stringify(p));
        fs.writeFileSync(path.join(dir, "Pulumi.t.yaml"), stackYaml);
        return dir;
    }
    const aio = () => fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.aio.yaml"), "utf8");
    const refusal = (re: RegExp) => (e: Error) => e instanceof StackFileError && re.test(e.message);

    beforeEach(() => {
        dir = fs.mkdtempSync(path.join(os.tmpdir(), "oaio-cli-"));
    });
    afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

    it("accepts Pulumi.yaml's declarations (types, items, fields the project schema allows)", () => {
        const decl = projectDeclarations(PROJECT_DIR);
        assert.ok(Object.keys(decl).length >= 20);
    });

    it("the docs' commands that set up a stack set exactly the keys every operator sets by hand", () => {
        const set = setupSetKeys();
        assert.deepEqual(Object.keys(set).sort(), Object.keys(OPERATOR_SET_KEYS).sort());
        for (const [key, cmd] of Object.entries(OPERATOR_SET_KEYS))
            assert.equal(set[key].secret, /--secret/.test(cmd), key);
    });

    it("accepts every committed stack plus the docs' set-up commands, as the CLI would", () => {
        const stacks = committedStacks();
        assert.ok(
            stacks.includes("aio") && stacks.includes("multinode"),
            `committed stacks: ${stacks.join(", ")}`,
        );
        for (const stack of stacks) {
            const { config, secureKeys } = readStackConfig(stack, PROJECT_DIR, setupSetKeys());
            assert.deepEqual(secureKeys, ["sshPrivateKey"], stack);
            for (const v of Object.values(config)) assert.equal(typeof v, "string");
        }
    });

    it("refuses a stack that lacks a key declared with a type and no default (the first real `pulumi up` failed so)", () => {
        project(aio(), (p) => {
            p.config.keypairPublicKey = {
                type: "string",
                description: "OpenSSH public key of the keypair.",
            };
        });
        assert.throws(
            () => readStackConfig("t", dir),
            refusal(/Stack 't' is missing configuration value 'keypairPublicKey'/),
        );
        project(aio(), (p) => {
            p.config.a = { type: "string" };
            p.config.b = { type: "integer" };
        });
        assert.throws(
            () => readStackConfig("t", dir),
            refusal(/missing configuration values 'a' and 'b'/),
        );
    });

    it("refuses the secret key when no command sets it, and when it is set in plain text", () => {
        assert.throws(
            () => readStackConfig("t", project(aio()), {}),
            refusal(/missing configuration value 'sshPrivateKey'/),
        );
        assert.throws(
            () =>
                readStackConfig(
                    "t",
                    project(`${aio()}\n  openstack-aio:sshPrivateKey: plain\n`),
                    {},
                ),
            refusal(/'sshPrivateKey' must be encrypted as it's secret/),
        );
        const ok = readStackConfig(
            "t",
            project(`${aio()}\n  openstack-aio:sshPrivateKey:\n    secure: v1:abc\n`),
            {},
        );
        assert.deepEqual(ok.secureKeys, ["sshPrivateKey"]);
        assert.equal(ok.values.sshPrivateKey, undefined);
    });

    it("checks declared types as ValidateConfigValue does: integer, boolean literals, arrays of items", () => {
        const bad: [string, RegExp][] = [
            ["openstack-aio:sshPort: 22.5", /'sshPort' must be of type 'integer'/],
            ["openstack-aio:sshPort: five", /'sshPort' must be of type 'integer'/],
            ["openstack-aio:enableHeat: yes", /'enableHeat' must be of type 'boolean'/],
            ["openstack-aio:smokeTest: True", /'smokeTest' must be of type 'boolean'/],
            ["openstack-aio:region: [a, b]", /'region' must be of type 'string'/],
        ];
        for (const [line, re] of bad)
            assert.throws(
                () => readStackConfig("t", project(`${aio()}\n  ${line}\n`)),
                refusal(re),
                line,
            );
        project(`${aio()}\n  openstack-aio:tags: [a, 1]\n`, (p) => {
            p.config.tags = { type: "array", items: { type: "string" }, default: [] };
        });
        assert.throws(
            () => readStackConfig("t", dir),
            refusal(/'tags' must be of type 'array<string>'/),
        );
    });

    it('hands scalars over as their YAML text, as the CLI does (an unquoted release 2023.1 is the string "2023.1")', () => {
        const { values, config } = readStackConfig(
            "t",
            project(
                aio().replace('release: "2023.1"', "release: 2023.1") +
                    "\n  openstack-aio:sshPort: 2222\n",
            ),
        );
        assert.equal(values.release, "2023.1");
        assert.equal(config["openstack-aio:sshPort"], "2222");
        assert.equal(config["openstack-aio:enableOctavia"], "true");
        assert.equal(config["openstack-aio:registryMode"], "mirror"); // a Pulumi.yaml default
        assert.deepEqual(at(parseJson(config["openstack-aio:hosts"]), "[0].roles"), [
            "control",
            "network",
            "compute",
            "monitoring",
            "storage",
        ]);
    });

    it("refuses declaration fields and types the project schema does not know", () => {
        project(aio(), (p) => {
            p.config.region = { type: "string", default: "RegionOne", required: true };
        });
        assert.throws(
            () => readStackConfig("t", dir),
            refusal(/config.region: unknown field "required"/),
        );
        project(aio(), (p) => {
            p.config.region = { type: "object", default: {} };
        });
        assert.throws(
            () => readStackConfig("t", dir),
            refusal(/type "object" is not one of string, integer, boolean, array/),
        );
        project(aio(), (p) => {
            p.config.sshPort = { type: "integer", default: "twenty" };
        });
        assert.throws(
            () => readStackConfig("t", dir),
            refusal(/config.sshPort: default is not of type integer/),
        );
    });

    it("reports YAML errors as one line naming the file, line and column", () => {
        project(aio() + "\n  openstack-aio:vip: 10.10.30.56\n");
        assert.throws(
            () => readStackConfig("t", dir),
            refusal(/Pulumi\.t\.yaml:\d+:\d+: Map keys must be unique$/m),
        );
        project("config:\n  openstack-aio:hosts: [\n");
        assert.throws(
            () => readStackConfig("t", dir),
            (e: Error) =>
                e instanceof StackFileError &&
                /Pulumi\.t\.yaml:\d+:\d+: /.test(e.message) &&
                !/\n\s+at /.test(e.message),
        );
    });

    it("keeps Pulumi.yaml in step with the code: defaults and required keys declared, optional keys without a default not", () => {
        const decl = projectDeclarations(PROJECT_DIR);
        for (const [key, spec] of Object.entries(KEYS) as [
            string,
            { kind: string; default?: unknown; required?: boolean; secret?: boolean },
        ][]) {
            const d = decl[key];
            if (spec.kind === "object" || (spec.default === undefined && !spec.required)) {
                assert.equal(
                    d,
                    undefined,
                    `${key} must not be declared: ${spec.kind === "object" ? "Pulumi.yaml cannot type objects" : "the CLI would require it"}`,
                );
                continue;
            }
            assert.ok(d, `Pulumi.yaml does not declare ${key}`);
            assert.equal(d.type, spec.kind, `${key} type`);
            assert.deepEqual(d.default, spec.default, `${key} default`);
            assert.equal(Boolean(d.secret), Boolean(spec.secret), `${key} secret`);
            assert.ok(
                typeof d.description === "string" && d.description.length > 10,
                `${key} description`,
            );
        }
        for (const key of Object.keys(decl))
            assert.ok(key in KEYS, `Pulumi.yaml declares unknown key ${key}`);
        const project: unknown = YAML.parse(
            fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), "utf8"),
        );
        assert.equal(at(project, "name"), "openstack-aio");
        assert.equal(at(project, "runtime.name"), "nodejs");
        assert.equal(at(project, "runtime.options.typescript"), true);
    });

    it("never commits a secret in a stack file", () => {
        for (const stack of committedStacks()) {
            const text = fs.readFileSync(path.join(PROJECT_DIR, `Pulumi.${stack}.yaml`), "utf8");
            assert.doesNotMatch(text, /PRIVATE KEY|sshPrivateKey:|secure:/, stack);
        }
    });

    it("documents every key in the configuration reference (docs/configuration.md)", () => {
        const reference = fs.readFileSync(
            path.join(PROJECT_DIR, "docs", "configuration.md"),
            "utf8",
        );
        for (const key of Object.keys(KEYS))
            assert.ok(
                reference.includes(`| \`${key}\` |`),
                `docs/configuration.md does not document ${key}`,
            );
    });

    it("names the stacks it knows when one is missing", () => {
        assert.throws(() => readStackConfig("prod", PROJECT_DIR), refusal(/no stack "prod".*aio/));
    });
});
