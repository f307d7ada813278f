// Whether the stack's release may follow the release its cloud last deployed: the same (a re-run), or the next on
// kolla's SLURP path (one hop). Checked before any resource is registered, from the stack's own last outputs (index.ts);
// every script on the deploy host checks the same against its marker (render/scripts/hop-guard.sh), which is the
// truth when the two disagree.
import { qualified } from "./keys";
import { nextRelease, releaseOf, SLURP_PATH, UBUNTU_VERSIONS, UbuntuCodename } from "./releases";

/** What the stack's last `pulumi up` recorded (its outputs `deployedRelease` and `hostOs`), if anything. */
export interface PriorDeployment {
    /** The release the cloud last deployed or upgraded to successfully. */
    readonly release?: string;
    /** The Ubuntu its hosts were checked to run. */
    readonly hostOs?: string;
}

const path = SLURP_PATH.join(" → ");

/**
 * Why `release` (with hosts on `hostOs`) cannot follow `prior`, or undefined: one line naming the supported next step.
 * A stack without a record (a new one) may deploy any release.
 */
export function hopProblem(
    release: string,
    hostOs: UbuntuCodename,
    prior: PriorDeployment,
): string | undefined {
    const deployed = prior.release;
    if (!deployed || deployed === release) return undefined;
    const from = SLURP_PATH.indexOf(deployed),
        to = SLURP_PATH.indexOf(release);
    const next = nextRelease(deployed);
    if (from < 0) {
        return `this cloud runs ${deployed}, a release this program does not know; keep the program version that deployed it`;
    }
    if (to >= 0 && to < from) {
        return `this cloud runs ${deployed} and kolla-ansible cannot downgrade it to ${release}: set ${qualified("release")} back to ${deployed}${next ? ` (its next release is ${next})` : ""}`;
    }
    if (release !== next) {
        return next
            ? `this cloud runs ${deployed}; ${release} is not its next release on kolla's SLURP path (${path}): set ${qualified("release")} to ${next} first`
            : `this cloud runs ${deployed}, the last release on kolla's SLURP path (${path}): set ${qualified("release")} back to ${deployed}`;
    }
    // One hop. Its hosts must already run an Ubuntu the new release supports: kolla documents no in-place distro
    // upgrade, and the only release on the path that runs on both jammy and noble is 2024.1.
    const target = releaseOf(release);
    const recorded = prior.hostOs as UbuntuCodename | undefined;
    if (target && recorded && !target.hostOs.includes(recorded)) {
        const both = SLURP_PATH.filter((r) => {
            const os = releaseOf(r)?.hostOs ?? [];
            return os.includes(recorded) && target.hostOs.some((t) => os.includes(t));
        });
        const on = both.includes(deployed) ? deployed : (both[0] ?? deployed);
        const move = target.hostOs.map((os) => `Ubuntu ${UBUNTU_VERSIONS[os]}`).join(" or ");
        return `this cloud's hosts run Ubuntu ${UBUNTU_VERSIONS[recorded]} (${recorded}, checked at the last pulumi up) and ${release} runs on ${target.hostOs.join(", ")} only: while on ${on}, move every host to ${move} one at a time, set ${qualified("hostOs")} to ${target.hostOs[0]} and run pulumi up, then set ${qualified("release")} to ${release} (docs/upgrades.md)`;
    }
    // hostOs itself is checked against the release with the other settings (config/checks.ts); a hop that also
    // changes hostOs changes two things at once.
    if (recorded && recorded !== hostOs) {
        const old = releaseOf(deployed)?.hostOs ?? [];
        return old.includes(hostOs)
            ? `this change moves ${qualified("release")} to ${release} and ${qualified("hostOs")} from ${recorded} to ${hostOs} at once: change hostOs on ${deployed} first (pulumi up), then the release`
            : `this cloud's hosts run ${recorded} (checked at the last pulumi up) and ${deployed} cannot run on ${hostOs}: keep ${qualified("hostOs")} at ${recorded} for the hop to ${release}`;
    }
    return undefined;
}
