// The one list of what lands on a host (render/hostFiles.ts), checked once per variant with the real tools.
import { strict as assert } from "assert";
import { hostFiles, hostScripts } from "../render/hostFiles";
import { Script } from "../render/script";
import { stackSettings } from "../tools/evaluate/stack";
import { assertShellcheckClean } from "./support/tools";
import { loadFixtures, modes } from "./support/hostileFixtures";
import { parseSettings } from "../config/settings";

/** Every switch that adds, removes or changes a script, across the two committed stacks. */
const VARIANTS: Record<string, () => ReturnType<typeof stackSettings>> = {
    aio: () => stackSettings("aio"),
    "aio, Octavia off, pull-through": () =>
        stackSettings("aio", { enableOctavia: false, registryMode: "pull-through" }),
    "aio, TLS, allowDestroy": () => stackSettings("aio", { enableTls: true, allowDestroy: true }),
    "aio, amphora from a URL": () =>
        stackSettings("aio", {
            amphoraSource: "url",
            amphoraImageUrl: "https://example.com/amphora.qcow2",
            amphoraImageSha256: "c".repeat(64),
        }),
    multinode: () => stackSettings("multinode"),
};

describe("host scripts (render/hostFiles.ts)", () => {
    it("every script of every variant and of the hostile catalogue's harmless files passes bash -n and shellcheck: one run", function () {
        this.timeout(240000);
        const distinct = new Map<string, Script>();
        for (const [variant, settings] of Object.entries(VARIANTS)) {
            for (const s of hostScripts(settings())) {
                if (!distinct.has(s.text))
                    distinct.set(s.text, {
                        ...s,
                        name: `${distinct.size}-${variant.replace(/\W+/g, "-")}-${s.name}`,
                    });
            }
        }
        assert.ok(distinct.size >= 80, `only ${distinct.size} distinct scripts`);
        // And every script of the hostile catalogue's harmless files (test/fixtures/hostile), in both forms.
        const harmless = loadFixtures()
            .filter((f) => f.harmless)
            .flatMap((f) => modes(f).flatMap(([, raw]) => hostScripts(parseSettings(raw))));
        assert.ok(harmless.length >= 1000, `only ${harmless.length} scripts from harmless files`);
        assertShellcheckClean([...distinct.values(), ...harmless]);
    });

    it("lists each script once, by a unique name, in stage order", () => {
        for (const [variant, settings] of Object.entries(VARIANTS)) {
            const names = hostScripts(settings()).map((s) => s.name);
            assert.equal(new Set(names).size, names.length, `${variant}: duplicate names`);
            assert.ok(
                names.indexOf("docker-install.sh") < names.indexOf("deploy-prepare.sh"),
                variant,
            );
            assert.ok(
                names.indexOf("deploy-self-check.sh") < names.indexOf("kolla-bootstrap-servers.sh"),
                variant,
            );
            assert.ok(
                names.indexOf("kolla-deploy.sh") < names.indexOf("kolla-post-deploy.sh"),
                variant,
            );
        }
    });

    it("holds what the switches turn on, and nothing they turn off", () => {
        const has = (variant: string, name: string) =>
            hostScripts(VARIANTS[variant]()).some((s) => s.name === name);
        assert.ok(
            has("aio", "amphora-build.sh") &&
                has("aio", "kolla-octavia-certificates.sh") &&
                has("aio", "mirror-image-nova-api.sh"),
        );
        assert.ok(!has("aio, Octavia off, pull-through", "amphora-build.sh"));
        assert.ok(
            !has("aio, Octavia off, pull-through", "mirror-image-nova-api.sh"),
            "pull-through copies nothing",
        );
        assert.ok(!has("aio, amphora from a URL", "amphora-build.sh"));
        assert.ok(
            has("aio, TLS, allowDestroy", "kolla-certificates.sh") &&
                !has("aio", "kolla-certificates.sh"),
        );
        assert.ok(
            has("multinode", "target-prepare-cmp2.sh") && !has("aio", "target-prepare-cmp2.sh"),
        );
    });

    it("hostFiles writes every script under scripts/ beside the kolla files", () => {
        const files = hostFiles(stackSettings("aio"));
        for (const f of [
            "globals.yml",
            "inventory-top.ini",
            "ansible.cfg",
            "passwords-override.yml",
            "images.txt",
        ])
            assert.ok(files[f], f);
        assert.deepEqual(
            Object.keys(files)
                .filter((f) => f.startsWith("scripts/"))
                .sort(),
            hostScripts(stackSettings("aio"))
                .map((s) => `scripts/${s.name}`)
                .sort(),
        );
    });
});
