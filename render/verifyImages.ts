// After `pull`, before `deploy`: the targets' kolla images compared, digest for digest, with what the mirror copied
// (verify-images.sh). Run through the same inventory, ansible.cfg and pinned host keys as every kolla stage.
import { Settings } from "../config/settings";
import { KollaImage } from "./images";
import { kollaPaths, LOCK_VARS, LOG_DIR } from "./paths";
import { renderScript, Script, scriptBody } from "./script";

/** kolla's inventory group of every target (its shipped multinode: `[baremetal:children]`, the top groups). */
export const TARGETS_GROUP = "baremetal";

/** "<repository> <tag> <digest>" per image, as the targets' `docker image ls --digests` names it. */
export function expectedDigests(
    images: readonly KollaImage[],
    digests: Readonly<Record<string, string>>,
): string {
    return images
        .map(
            (i) =>
                `${i.target.slice(0, i.target.lastIndexOf(":"))} ${i.tag} ${digests[i.name] ?? ""}`,
        )
        .join("\n");
}

export function verifyImagesScript(
    settings: Settings,
    images: readonly KollaImage[],
    digests: Readonly<Record<string, string>>,
): Script {
    const p = kollaPaths(settings.release);
    return renderScript(
        "verify-images.sh",
        {
            VENV: p.venv,
            INVENTORY: p.inventory,
            TARGETS: TARGETS_GROUP,
            LOG_DIR,
            EXPECTED: expectedDigests(images, digests),
            ...LOCK_VARS,
        },
        scriptBody("deploy-lock.sh") + scriptBody("verify-images.sh"),
    );
}
