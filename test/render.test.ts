import { strict as assert } from "assert";
import { spawnSync } from "child_process";
import * as fs from "fs";
import * as path from "path";
import * as YAML from "yaml";
import { main, render } from "../tools/render";
import { SettingsError } from "../config/settings";
import { runMain, tempDir } from "./support/tools";
import { PROJECT_DIR } from "../tools/evaluate/stack";
import { asDict, asString, yamlDict } from "./support/narrow";

/** `npm run render -- <args>` as its own process (the other cases run its main() here). */
function cli(...args: string[]) {
    return spawnSync(
        process.execPath,
        [
            require.resolve("ts-node/dist/bin"),
            "--transpile-only",
            path.join(PROJECT_DIR, "tools/render.ts"),
            ...args,
        ],
        { encoding: "utf8", cwd: PROJECT_DIR },
    );
}

describe("npm run render", () => {
    it("writes globals, inventory, ansible.cfg, scripts, images.txt and topology.svg for aio, without secrets", () => {
        const out = tempDir();
        const r = cli("aio", "--out", out);
        assert.equal(r.status, 0, r.stderr);
        for (const f of [
            "globals.yml",
            "inventory-top.ini",
            "ansible.cfg",
            "images.txt",
            "passwords-override.yml",
            "scripts/kolla-deploy.sh",
            "scripts/mirror-image-nova-api.sh",
            "scripts/amphora-build.sh",
        ]) {
            assert.ok(fs.existsSync(path.join(out, f)), f);
        }
        assert.equal(
            yamlDict(fs.readFileSync(path.join(out, "globals.yml"), "utf8"), "globals.yml")
                .kolla_internal_vip_address,
            "10.10.30.55",
        );
        assert.equal(
            fs.readFileSync(path.join(out, "images.txt"), "utf8").trim().split("\n").length,
            36,
        );
        const overrides = yamlDict(
            fs.readFileSync(path.join(out, "passwords-override.yml"), "utf8"),
            "passwords-override.yml",
        );
        assert.match(asString(overrides.keystone_admin_password), /^<secret: /);
        // topology.svg beside them, a picture of the configured cloud (tools/topology.ts: topology.test.ts).
        assert.match(r.stdout, /\n {2}topology\.svg\n/);
        assert.match(fs.readFileSync(path.join(out, "topology.svg"), "utf8"), />10\.10\.10\.51</);
        const all = fs
            .readdirSync(out, { recursive: true })
            .map(String)
            .filter((f) => fs.statSync(path.join(out, f)).isFile());
        for (const f of all)
            assert.doesNotMatch(
                fs.readFileSync(path.join(out, f), "utf8"),
                /PRIVATE KEY|mock-password/,
                f,
            );
    });

    it("--overrides renders a variant no stack file holds, validated like the rest", async () => {
        const out = tempDir();
        const r = await runMain(
            main,
            "aio-2026.1",
            "--out",
            out,
            "--overrides",
            '{"enableTls": true, "enableOctavia": false}',
        );
        assert.equal(r.status, 0, r.stderr);
        const globals = yamlDict(
            fs.readFileSync(path.join(out, "globals.yml"), "utf8"),
            "globals.yml",
        );
        assert.equal(globals.kolla_enable_tls_external, true);
        assert.equal(globals.enable_octavia, false);
        assert.ok(fs.existsSync(path.join(out, "scripts/kolla-certificates.sh")));
        assert.ok(!fs.existsSync(path.join(out, "scripts/amphora-build.sh")));
        const bad = await runMain(
            main,
            "aio-2026.1",
            "--out",
            tempDir(),
            "--overrides",
            '{"release": "2027.1"}',
        );
        assert.equal(bad.status, 1);
        assert.match(
            bad.stderr,
            /openstack-aio:release: "2027\.1" is not a release this program deploys/,
        );
        assert.equal((await runMain(main, "aio", "--overrides", "{nope")).status, 2);
    });

    it("an unknown stack prints the stacks it knows and exits non-zero", async () => {
        const r = await runMain(main, "nosuch", "--out", tempDir());
        assert.equal(r.status, 1);
        assert.match(r.stderr, /no stack "nosuch".*aio/);
    });

    it("invalid config prints every validation error and writes nothing", () => {
        const dir = tempDir();
        fs.copyFileSync(path.join(PROJECT_DIR, "Pulumi.yaml"), path.join(dir, "Pulumi.yaml"));
        const doc = yamlDict(
            fs.readFileSync(path.join(PROJECT_DIR, "Pulumi.aio.yaml"), "utf8"),
            "Pulumi.aio.yaml",
        );
        const config = asDict(doc.config, "Pulumi.aio.yaml config");
        config["openstack-aio:vip"] = "10.10.10.51";
        config["openstack-aio:registryPort"] = 99999;
        fs.writeFileSync(path.join(dir, "Pulumi.bad.yaml"), YAML.stringify(doc));
        const out = path.join(dir, "build");
        assert.throws(
            () => render("bad", out, dir),
            (e: Error) =>
                e instanceof SettingsError &&
                /openstack-aio:vip:/.test(e.message) &&
                /openstack-aio:registryPort:/.test(e.message),
        );
        assert.ok(!fs.existsSync(out));
    });

    it("usage errors exit 2", async () => {
        assert.equal((await runMain(main)).status, 2);
        assert.equal((await runMain(main, "aio", "--out")).status, 2);
    });
});
