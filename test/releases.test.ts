// config/releases: one complete, immutable entry per release, and the SLURP path through them.
import { strict as assert } from "assert";
import {
    RECOMMENDED_RELEASE,
    releaseOf,
    RELEASES,
    SLURP_PATH,
    SUPPORTED_RELEASES,
} from "../config/releases";

const SHA = /^[0-9a-f]{40}$/;

describe("releases: one entry per release (config/releases)", () => {
    it("knows exactly the releases of kolla's SLURP path, keyed by their series, the newest recommended", () => {
        assert.deepEqual([...SUPPORTED_RELEASES].sort(), [...SLURP_PATH].sort());
        for (const [series, r] of Object.entries(RELEASES)) assert.equal(r.series, series);
        // openstack/releases data/series_status.yaml: 2026.1 is the newest maintained SLURP release.
        assert.equal(RECOMMENDED_RELEASE, "2026.1");
        assert.equal(RELEASES[RECOMMENDED_RELEASE].upstream.status, "maintained");
        assert.ok(SLURP_PATH.every((s) => RELEASES[s].upstream.slurp));
    });

    it("answers only for its own releases (not for inherited names)", () => {
        assert.equal(releaseOf("2026.1")?.name, "Gazpacho");
        for (const s of ["2027.1", "2024.2", "toString", "__proto__", ""])
            assert.equal(releaseOf(s), undefined, s);
    });

    it("pins every upstream reference to a tag, a version or a commit, never a branch", () => {
        for (const r of Object.values(RELEASES)) {
            const refs = [
                ...r.deployHostPackages,
                r.upperConstraints,
                r.kollaCollection.ref,
                r.amphora.octaviaRef,
            ].join(" ");
            assert.doesNotMatch(
                refs,
                /stable\/|unmaintained\/|master|raw\/branch\/|constraints\/upper\//,
                r.series,
            );
            assert.match(r.amphora.amphoraAgentCommit, SHA, r.series);
            assert.match(r.amphora.octaviaLibCommit, SHA, r.series);
            for (const p of r.deployHostPackages)
                assert.match(
                    p,
                    /^[a-z-]+(==\d[\w.]*| @ git\+https:\/\/opendev\.org\/openstack\/[a-z-]+@[\w.-]+)?$/,
                    p,
                );
            for (const c of r.galaxyCollections)
                assert.match(c.version, /^\d+\.\d+\.\d+$/, `${r.series} ${c.name}`);
            for (const t of r.pipTools) assert.match(t, /^[a-z]+==\d/, t);
        }
    });

    it("runs its images on an Ubuntu its hosts may run, and lists each image once", () => {
        for (const r of Object.values(RELEASES)) {
            assert.ok(r.hostOs.length > 0, r.series);
            assert.ok(
                r.hostOs.includes(r.ubuntuCodename),
                `${r.series}: images for ${r.ubuntuCodename}`,
            );
            const images = [
                ...r.images.core,
                ...r.images.heat,
                ...r.images.horizon,
                ...r.images.octavia,
                ...(r.octaviaJobboard?.images ?? []),
            ];
            assert.equal(new Set(images).size, images.length, r.series);
            assert.ok(
                images.every((i) => /^[a-z0-9-]+$/.test(i)),
                r.series,
            );
        }
    });

    it("moves along the path one step at a time: each hop shares a host OS with the next (hosts move while on 2024.1)", () => {
        for (let i = 1; i < SLURP_PATH.length; i++) {
            const from = RELEASES[SLURP_PATH[i - 1]],
                to = RELEASES[SLURP_PATH[i]];
            assert.ok(
                from.hostOs.some((os) => to.hostOs.includes(os)),
                `${from.series} -> ${to.series}`,
            );
        }
        // kolla-ansible unmaintained/2024.1 prechecks accept jammy and noble; 2025.1 noble only.
        assert.deepEqual(RELEASES["2024.1"].hostOs, ["jammy", "noble"]);
    });

    it("takes the CLI form from the data: the bash CLI up to 2024.1, cliff from 2025.1 (kolla-ansible 2024.2 release note python-cli)", () => {
        assert.deepEqual(
            SLURP_PATH.map((s) => RELEASES[s].kollaCli),
            ["bash", "bash", "cliff", "cliff"],
        );
    });

    it("cannot be changed at run time", () => {
        const r = RELEASES["2026.1"];
        assert.ok(
            Object.isFrozen(RELEASES) && Object.isFrozen(r) && Object.isFrozen(r.images.core),
        );
        assert.throws(() => {
            (r.images.core as string[]).push("x");
        }, TypeError);
    });
});
