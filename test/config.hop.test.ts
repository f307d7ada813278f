// config/hop: a release change is a re-run or one SLURP hop, from the release the stack's last run recorded.
import { strict as assert } from "assert";
import { hopProblem } from "../config/hop";

describe("config hop: the release a stack may move to from the one it deployed", () => {
    it("lets a new stack deploy any release, and a deployed one re-run or take the next SLURP hop", () => {
        for (const r of ["2023.1", "2024.1", "2025.1", "2026.1"])
            assert.equal(hopProblem(r, "noble", {}), undefined, r);
        assert.equal(
            hopProblem("2023.1", "jammy", { release: "2023.1", hostOs: "jammy" }),
            undefined,
        );
        assert.equal(
            hopProblem("2024.1", "jammy", { release: "2023.1", hostOs: "jammy" }),
            undefined,
        );
        assert.equal(
            hopProblem("2025.1", "noble", { release: "2024.1", hostOs: "noble" }),
            undefined,
        );
        assert.equal(
            hopProblem("2026.1", "noble", { release: "2025.1", hostOs: "noble" }),
            undefined,
        );
        // A record from before hostOs was recorded: the hosts are checked at first contact instead.
        assert.equal(hopProblem("2024.1", "jammy", { release: "2023.1" }), undefined);
    });

    it("refuses a skipped hop, a downgrade and a move past the last release, naming the next step", () => {
        assert.equal(
            hopProblem("2025.1", "noble", { release: "2023.1", hostOs: "jammy" }),
            "this cloud runs 2023.1; 2025.1 is not its next release on kolla's SLURP path (2023.1 → 2024.1 → 2025.1 → 2026.1): set openstack-aio:release to 2024.1 first",
        );
        assert.match(
            hopProblem("2026.1", "noble", { release: "2023.1" }) ?? "",
            /set openstack-aio:release to 2024\.1 first$/,
        );
        assert.match(
            hopProblem("2026.1", "noble", { release: "2024.1" }) ?? "",
            /set openstack-aio:release to 2025\.1 first$/,
        );
        assert.equal(
            hopProblem("2024.1", "noble", { release: "2025.1", hostOs: "noble" }),
            "this cloud runs 2025.1 and kolla-ansible cannot downgrade it to 2024.1: set openstack-aio:release back to 2025.1 (its next release is 2026.1)",
        );
        assert.match(
            hopProblem("2023.1", "jammy", { release: "2026.1" }) ?? "",
            /cannot downgrade it to 2023\.1: set openstack-aio:release back to 2026\.1$/,
        );
        assert.match(
            hopProblem("2026.1", "noble", { release: "2024.2" }) ?? "",
            /a release this program does not know/,
        );
    });

    it("refuses the hop to 2025.1 while the hosts run jammy, naming the move to noble on 2024.1", () => {
        assert.equal(
            hopProblem("2025.1", "noble", { release: "2024.1", hostOs: "jammy" }),
            "this cloud's hosts run Ubuntu 22.04 (jammy, checked at the last pulumi up) and 2025.1 runs on noble only: while on 2024.1, move every host to Ubuntu 24.04 one at a time, set openstack-aio:hostOs to noble and run pulumi up, then set openstack-aio:release to 2025.1 (docs/upgrades.md)",
        );
        // Changing the hosts' Ubuntu and the release in one step: one at a time.
        assert.match(
            hopProblem("2024.1", "noble", { release: "2023.1", hostOs: "jammy" }) ?? "",
            /2023\.1 cannot run on noble: keep openstack-aio:hostOs at jammy for the hop to 2024\.1$/,
        );
    });
});
